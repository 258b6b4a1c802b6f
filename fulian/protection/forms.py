from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fulian.lib.once import OnceField
from fulian.orgs.models import Organisation
from fulian.orgs.selectors import offices_within
from fulian.people.models import Sex
from fulian.protection.models import AssistanceKind, OneStopSite, Participant, PoliceAction, Sector, Situation
from fulian.security.access import organisation_of

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ReportForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("承办妇联"), queryset=Organisation.objects.none())
    sector = forms.ChoiceField(label=_("报告单位类别"), choices=Sector.choices)
    reporting_unit = forms.CharField(label=_("报告单位（保密）"), max_length=100)
    reporter_name = forms.CharField(label=_("报告人（保密）"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("报告人电话（保密）"), max_length=30, required=False)
    situation = forms.ChoiceField(label=_("情形"), choices=Situation.choices)
    child_age = forms.IntegerField(label=_("儿童年龄"), min_value=0, max_value=17)
    child_sex = forms.ChoiceField(label=_("儿童性别"), choices=Sex.choices)
    discovered_at = forms.DateTimeField(label=_("发现时间"), widget=WHEN)
    reported_at = forms.DateTimeField(label=_("向公安机关报告时间"), widget=WHEN)
    police_unit = forms.CharField(label=_("接报公安机关"), max_length=100)
    receipt_number = forms.CharField(label=_("受案回执号"), max_length=50, required=False)
    police_action = forms.ChoiceField(label=_("公安机关处理"), choices=PoliceAction.choices)
    civil_affairs_notified = forms.BooleanField(label=_("已通报民政部门"), required=False)
    education_notified = forms.BooleanField(label=_("已通报教育部门"), required=False)
    once = OnceField()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = offices_within(user)  # type: ignore[attr-defined]
        self.fields["organisation"].initial = organisation_of(user)


class SessionForm(forms.Form):
    site = forms.ModelChoiceField(label=_("场所"), queryset=OneStopSite.objects.filter(active=True))
    held_at = forms.DateTimeField(label=_("时间"), widget=WHEN)
    participants = forms.MultipleChoiceField(
        label=_("参与人员"), choices=Participant.choices, widget=forms.CheckboxSelectMultiple
    )
    female_officer = forms.NullBooleanField(
        label=_("有女性工作人员在场"), required=False,
        widget=forms.Select(choices=[("unknown", _("请选择（被害人为女童时必填）")), ("true", _("是")), ("false", _("否"))]),
    )  # fmt: skip
    no_female_officer_reason = forms.CharField(
        label=_("无女性工作人员在场的原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    interviews = forms.IntegerField(label=_("本次询问次数"), min_value=1, max_value=10, initial=1)
    repeat_reason = forms.CharField(
        label=_("再次询问的理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("“一次询问”原则：本案已有询问记录或本次询问超过一次时必填。"),
    )  # fmt: skip
    recording_reference = forms.CharField(
        label=_("同步录音录像编号"),
        max_length=60,
        required=False,
        help_text=_("录音录像由公安机关保存，这里只记编号。"),
    )
    medical_exam = forms.BooleanField(label=_("已进行身体检查"), required=False)
    evidence_collected = forms.BooleanField(label=_("已提取固定证据"), required=False)
    evidence_notes = forms.CharField(label=_("证据情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rights_notified = forms.BooleanField(label=_("已告知诉讼权利"), required=False)
    psychological_assessment = forms.CharField(
        label=_("心理评估"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    once = OnceField()


class AssistanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("救助类型"), choices=AssistanceKind.choices)
    provider = forms.CharField(label=_("提供单位"), max_length=100)
    amount = forms.DecimalField(label=_("金额（元）"), required=False, min_value=0, max_digits=10, decimal_places=2)
    provided_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    once = OnceField()


class PoliceFollowUpForm(forms.Form):
    police_action = forms.ChoiceField(label=_("公安机关处理"), choices=PoliceAction.choices)
    receipt_number = forms.CharField(label=_("受案回执号"), max_length=50, required=False)
    civil_affairs_notified = forms.BooleanField(label=_("已通报民政部门"), required=False)
    education_notified = forms.BooleanField(label=_("已通报教育部门"), required=False)
    feedback_at = forms.DateTimeField(label=_("向报告单位反馈时间"), required=False, widget=WHEN)
