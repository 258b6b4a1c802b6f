"""Forms for warning letters and protection orders: one small form per operation.

Parties are chosen among the case's own (shown masked); the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulian.cases.models import Case, Party, PartyRole
from fulian.dv.models import BehalfReason, Measure, Outcome
from fulian.lib.once import OnceField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 4})
SHORT = forms.Textarea(attrs={"rows": 2})


class PartyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)  # the role and the masked name


def _parties(case: Case, alleged: bool) -> Any:
    parties = Party.objects.filter(case=case).only("pk", "case_id", "role", "name").order_by("pk")
    return parties.filter(role=PartyRole.ALLEGED) if alleged else parties.exclude(role=PartyRole.ALLEGED)


class CaseForm(forms.Form):
    """A form about one case: its party fields list that case's parties only."""

    abuser_fields: tuple[str, ...] = ()
    victim_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.abuser_fields:
            self.fields[name].queryset = _parties(case, alleged=True)  # type: ignore[attr-defined]
        for name in self.victim_fields:
            self.fields[name].queryset = _parties(case, alleged=False)  # type: ignore[attr-defined]


class LetterForm(CaseForm):
    abuser_fields = ("abuser",)
    victim_fields = ("victim",)

    number = forms.CharField(label=_("告诫书编号"), max_length=50)
    police_unit = forms.CharField(label=_("出具告诫书的公安机关"), max_length=100)
    issued_on = forms.DateField(label=_("出具日期"), widget=DATE)
    abuser = PartyChoiceField(label=_("加害人"), queryset=Party.objects.none())
    victim = PartyChoiceField(label=_("受害人"), queryset=Party.objects.none())
    facts = forms.CharField(label=_("家庭暴力事实"), widget=TEXT, max_length=5000, required=False)
    delivered_to_abuser_on = forms.DateField(label=_("送交加害人日期"), widget=DATE, required=False)
    delivered_to_victim_on = forms.DateField(label=_("送交受害人日期"), widget=DATE, required=False)
    committee_notified_on = forms.DateField(label=_("通知居（村）民委员会日期"), widget=DATE, required=False)


class LetterAddForm(LetterForm):
    once = OnceField()


class VisitForm(forms.Form):
    once = OnceField()
    visited_on = forms.DateField(label=_("查访日期"), widget=DATE, initial=timezone.localdate)
    visited_by = forms.CharField(label=_("查访单位"), max_length=100, help_text=_("如：某某派出所、某某社区居民委员会"))
    abuse_stopped = forms.NullBooleanField(
        label=_("加害人是否已停止家庭暴力"),
        widget=forms.Select(choices=[("unknown", _("不确定")), ("true", _("已停止")), ("false", _("未停止"))]),
        required=False,
    )
    findings = forms.CharField(label=_("查访情况"), widget=TEXT, max_length=5000)


class OrderForm(CaseForm):
    abuser_fields = ("respondent",)
    victim_fields = ("applicant",)

    once = OnceField()
    applicant = PartyChoiceField(label=_("申请人（受害人）"), queryset=Party.objects.none())
    respondent = PartyChoiceField(label=_("被申请人"), queryset=Party.objects.none())
    on_behalf = forms.BooleanField(label=_("由妇联代为申请"), required=False)
    behalf_reason = forms.ChoiceField(
        label=_("代为申请的原因"), choices=BehalfReason.choices, required=False,
        help_text=_("《反家庭暴力法》第二十三条：当事人无（或限制）民事行为能力，或因受到强制、威吓等原因无法申请的，妇女联合会可以代为申请。"),
    )  # fmt: skip
    court = forms.CharField(label=_("受理法院"), max_length=100)
    applied_at = forms.DateTimeField(label=_("申请时间"), widget=WHEN)
    urgent = forms.BooleanField(
        label=_("情况紧急"), required=False, help_text=_("紧急的，法院应在 24 小时内作出裁定；其他 72 小时内。")
    )
    measures_requested = forms.MultipleChoiceField(
        label=_("申请的措施"), choices=Measure.choices, widget=forms.CheckboxSelectMultiple
    )
    other_requested = forms.CharField(label=_("其他措施的内容"), widget=SHORT, max_length=2000, required=False)
    facts = forms.CharField(label=_("事实与理由"), widget=TEXT, max_length=5000, required=False)


class RulingForm(forms.Form):
    ruled_at = forms.DateTimeField(label=_("裁定时间"), widget=WHEN)
    outcome = forms.ChoiceField(
        label=_("裁定结果"),
        choices=[(Outcome.GRANTED, Outcome.GRANTED.label), (Outcome.REFUSED, Outcome.REFUSED.label)],
        widget=forms.RadioSelect,
    )
    ruling_number = forms.CharField(label=_("裁定书文号"), max_length=60, required=False)
    measures_granted = forms.MultipleChoiceField(
        label=_("裁定的措施（准予时）"), choices=Measure.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    other_granted = forms.CharField(label=_("其他措施的内容"), widget=SHORT, max_length=2000, required=False)
    valid_until = forms.DateField(
        label=_("有效期至（准予时）"), widget=DATE, required=False, help_text=_("自裁定之日起不超过六个月。")
    )


class ExtendForm(forms.Form):
    once = OnceField()
    decided_on = forms.DateField(label=_("裁定延长日期"), widget=DATE)
    decision = forms.CharField(label=_("延长裁定文号"), max_length=60)
    valid_until = forms.DateField(label=_("延长至"), widget=DATE, help_text=_("自原有效期届满之日起不超过六个月。"))


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("撤销日期"), widget=DATE)
    reason = forms.CharField(label=_("撤销原因"), widget=SHORT, max_length=2000)


class ViolationForm(forms.Form):
    once = OnceField()
    occurred_on = forms.DateField(label=_("发生日期"), widget=DATE)
    description = forms.CharField(label=_("违反情况"), widget=TEXT, max_length=5000)
    reported_to_police = forms.BooleanField(label=_("已报告公安机关"), required=False)
    reported_to_court = forms.BooleanField(label=_("已报告人民法院"), required=False)
