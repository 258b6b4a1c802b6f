"""Case forms: one small form per operation; each carries the case version it was opened on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulian.cases.models import (
    ConsentGiver,
    ConsentPurpose,
    IncidentType,
    PartyRole,
    ServiceKind,
    Status,
    TaskKind,
)
from fulian.hotline.models import Category
from fulian.lib.once import OnceField
from fulian.orgs.models import Organisation
from fulian.orgs.selectors import offices_within
from fulian.people.models import Sex
from fulian.security.access import organisation_of

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 4})


class Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _first_level() -> Any:
    return Category.objects.filter(parent=None, active=True)


def _second_level() -> Any:
    return Category.objects.filter(parent__isnull=False, active=True).select_related("parent")


def member_units() -> Any:
    return Organisation.objects.filter(kind="member_unit", active=True).order_by("name")


class CaseOpenForm(forms.Form):
    once = OnceField()
    organisation = forms.ModelChoiceField(label=_("承办单位"), queryset=Organisation.objects.none())
    category = forms.ModelChoiceField(label=_("问题分类"), queryset=_first_level(), required=False)
    subcategory = forms.ModelChoiceField(label=_("细分类"), queryset=_second_level(), required=False)
    minor_involved = forms.BooleanField(label=_("涉及未成年人"), required=False)
    summary = forms.CharField(label=_("案情摘要"), widget=TEXT, max_length=5000, required=False)
    name = forms.CharField(label=_("求助人姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("求助人电话"), max_length=30, required=False)
    id_number = forms.CharField(label=_("求助人身份证号"), max_length=30, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.FEMALE)
    age = forms.IntegerField(label=_("年龄"), min_value=0, max_value=120, required=False)
    confirm_new = forms.BooleanField(label=_("已核对，仍要新建个案"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = offices_within(user)  # type: ignore[attr-defined]
        self.fields["organisation"].initial = organisation_of(user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("name") or data.get("phone")):
            raise forms.ValidationError(_("请至少填写求助人的姓名或电话。"))
        return data


class CaseEditForm(Versioned):
    category = forms.ModelChoiceField(label=_("问题分类"), queryset=_first_level(), required=False)
    subcategory = forms.ModelChoiceField(label=_("细分类"), queryset=_second_level(), required=False)
    minor_involved = forms.BooleanField(label=_("涉及未成年人"), required=False)
    summary = forms.CharField(
        label=_("案情摘要"), widget=TEXT, max_length=5000, required=False, help_text=_("留空则保持不变")
    )


class AssessForm(Versioned):
    assessment = forms.CharField(label=_("评估意见"), widget=TEXT, max_length=5000)


class PlanForm(Versioned):
    plan = forms.CharField(label=_("服务方案"), widget=TEXT, max_length=5000)


class DecideForm(Versioned):
    decision = forms.ChoiceField(
        label=_("审批"), choices=[("approve", _("批准")), ("return", _("退回"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False
    )


class AdvanceForm(Versioned):
    to = forms.ChoiceField(
        label=_("转为"),
        choices=[(Status.IN_SERVICE, Status.IN_SERVICE.label), (Status.FOLLOW_UP, Status.FOLLOW_UP.label)],
    )


class ReasonForm(Versioned):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CloseForm(Versioned):
    reason = forms.CharField(label=_("结案说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AssignForm(Versioned):
    caseworker = forms.ModelChoiceField(label=_("承办人"), queryset=get_user_model().objects.none(), required=False)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Staff of the case's office and of the offices above it who can work cases.
        path = case.organisation.path
        ancestors = [p for p in (path[: i + 1] for i in range(len(path)) if path[i] == "/") if p != "/"]
        self.fields["caseworker"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(
                is_active=True,
                staff_profile__organisation__path__in=ancestors,
                groups__permissions__codename="change_case",
            )
            .distinct()
            .order_by("username")
        )


class TransferForm(Versioned):
    organisation = forms.ModelChoiceField(label=_("移交给"), queryset=Organisation.objects.none())
    reason = forms.CharField(label=_("移交理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, case: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        home = organisation_of(user)
        offices = Organisation.objects.filter(active=True).exclude(kind="member_unit").exclude(pk=case.organisation_id)
        if home is not None:
            # Down into the user's own offices, or up to the office above theirs (county → city).
            offices = offices.filter(path__startswith=home.path) | offices.filter(pk=home.parent_id or 0)
        self.fields["organisation"].queryset = offices.order_by("path")  # type: ignore[attr-defined]


class PartyForm(forms.Form):
    once = OnceField()
    role = forms.ChoiceField(label=_("身份"), choices=PartyRole.choices)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    relationship = forms.CharField(label=_("与求助人关系"), max_length=20, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age = forms.IntegerField(label=_("年龄"), min_value=0, max_value=120, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)


class IncidentForm(forms.Form):
    once = OnceField()
    occurred_on = forms.DateField(label=_("发生日期"), widget=DATE)
    kind = forms.ChoiceField(label=_("类型"), choices=IncidentType.choices)
    category = forms.ModelChoiceField(
        label=_("问题分类"), queryset=Category.objects.filter(active=True), required=False
    )
    place = forms.CharField(label=_("发生地点"), max_length=200, required=False)
    reported_to_police = forms.BooleanField(label=_("此前已报警"), required=False)
    description = forms.CharField(label=_("经过"), widget=TEXT, max_length=5000, required=False)


class ConsentForm(forms.Form):
    once = OnceField()
    purpose = forms.ChoiceField(label=_("用途"), choices=ConsentPurpose.choices)
    member_unit = forms.ModelChoiceField(
        label=_("成员单位（提供信息时必选）"), queryset=Organisation.objects.none(), required=False
    )
    given = forms.ChoiceField(
        label=_("意见"), choices=[("yes", _("同意")), ("no", _("不同意"))], widget=forms.RadioSelect, initial="yes"
    )
    given_by = forms.ChoiceField(label=_("同意人"), choices=ConsentGiver.choices)
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member_unit"].queryset = member_units()  # type: ignore[attr-defined]


class ServiceForm(forms.Form):
    once = OnceField()
    kind = forms.ChoiceField(label=_("服务类型"), choices=ServiceKind.choices)
    provider = forms.CharField(label=_("提供方"), max_length=100)
    delivered_on = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)
    outcome = forms.CharField(
        label=_("效果"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class TaskForm(forms.Form):
    once = OnceField()
    title = forms.CharField(label=_("事项"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=TaskKind.choices, initial=TaskKind.FOLLOW_UP)
    due_on = forms.DateField(label=_("期限"), widget=DATE)


class NoteForm(forms.Form):
    once = OnceField()
    text = forms.CharField(label=_("工作记录"), widget=TEXT, max_length=5000)


class ReferralForm(forms.Form):
    once = OnceField()
    member_unit = forms.ModelChoiceField(label=_("成员单位"), queryset=Organisation.objects.none())
    request = forms.CharField(
        label=_("请成员单位办理的事项"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    shared_details = forms.CharField(
        label=_("提供给成员单位的信息"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("只写办理所必需的信息（最小必要原则）；成员单位看不到个案的其他内容。"),
    )
    deadline = forms.DateField(label=_("答复期限"), widget=DATE)
    override_reason = forms.CharField(
        label=_("未经当事人同意转介的理由（仅分管领导）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault(
            "deadline", timezone.localdate() + dt.timedelta(days=settings.REFERRAL_RESPONSE_DAYS)
        )
        super().__init__(*args, **kwargs)
        self.fields["member_unit"].queryset = member_units()  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class RejectForm(Versioned):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ActionForm(forms.Form):
    once = OnceField()
    text = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CompleteForm(Versioned):
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class CaseFilterForm(forms.Form):
    """The case list's filters: codes and ids only (they appear in the address)."""

    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *Status.choices], required=False)
    pending = forms.ChoiceField(
        label=_("待审批"), choices=[("", _("全部")), ("plan", _("服务方案")), ("close", _("结案"))], required=False
    )
    category = forms.ModelChoiceField(label=_("分类"), queryset=_first_level(), required=False)
    mine = forms.BooleanField(label=_("只看我承办的"), required=False)
    minor = forms.BooleanField(label=_("涉及未成年人"), required=False)
    overdue = forms.BooleanField(label=_("有超期事项"), required=False)
    opened_from = forms.DateField(label=_("立案日期从"), required=False, widget=DATE)
    opened_to = forms.DateField(label=_("到"), required=False, widget=DATE)


class CaseExportForm(forms.Form):
    reason = forms.CharField(
        label=_("导出用途"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("导出将被审计。请写明用途，例如：向市检察院报送年度统计。"),
    )  # fmt: skip
    identified = forms.BooleanField(
        label=_("包含未成年人保护个案的儿童身份信息"), required=False,
        help_text=_("不勾选时，未成年人保护个案去除姓名和电话，年龄以年龄段显示。"),
    )  # fmt: skip

    def __init__(self, *args: Any, identified_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not identified_allowed:
            del self.fields["identified"]

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 4:
            raise forms.ValidationError(_("请具体写明导出用途。"))
        return reason
