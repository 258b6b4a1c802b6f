"""Hotline forms. Personal fields on an edit form start empty (blank keeps the stored value)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fulian.hotline.models import (
    RISK_FLAGS,
    AgeBand,
    CallType,
    Category,
    Channel,
    Contact,
    Education,
    FlagKind,
    Outcome,
    RequestStatus,
    RiskLevel,
    Satisfaction,
)
from fulian.orgs.models import Organisation
from fulian.orgs.selectors import offices_within
from fulian.people.models import Sex
from fulian.security.access import organisation_of

PERSONAL = ("caller_name", "caller_phone", "affected_name", "narrative", "advice")


class ContactForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("受理单位"), queryset=Organisation.objects.none())
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    received_at = forms.DateTimeField(
        label=_("受理时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    call_type = forms.ChoiceField(label=_("来电类型"), choices=CallType.choices)
    caller_phone = forms.CharField(label=_("来电号码"), max_length=30, required=False)
    caller_name = forms.CharField(label=_("来电人姓名（可不填）"), max_length=50, required=False)
    caller_sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.FEMALE)
    caller_age_band = forms.ChoiceField(label=_("年龄段"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN)
    caller_education = forms.ChoiceField(label=_("文化程度"), choices=Education.choices, initial=Education.UNKNOWN)
    caller_district = forms.ModelChoiceField(
        label=_("所在县区"), queryset=Organisation.objects.filter(kind="county", active=True), required=False
    )
    affected_is_caller = forms.BooleanField(label=_("当事人即来电人"), required=False, initial=True)
    affected_name = forms.CharField(label=_("当事人姓名"), max_length=50, required=False)
    affected_sex = forms.ChoiceField(label=_("当事人性别"), choices=Sex.choices, initial=Sex.UNKNOWN)
    affected_age_band = forms.ChoiceField(label=_("当事人年龄段"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN)
    category = forms.ModelChoiceField(
        label=_("问题分类"), queryset=Category.objects.filter(parent=None, active=True), required=False
    )
    subcategory = forms.ModelChoiceField(
        label=_("细分类"),
        queryset=Category.objects.filter(parent__isnull=False, active=True).select_related("parent"),
        required=False,
    )
    risk_domestic_violence = forms.BooleanField(label=RISK_FLAGS[0][1], required=False)
    risk_minor = forms.BooleanField(label=RISK_FLAGS[1][1], required=False)
    risk_sexual_abuse = forms.BooleanField(label=RISK_FLAGS[2][1], required=False)
    risk_self_harm = forms.BooleanField(label=RISK_FLAGS[3][1], required=False)
    risk_immediate_danger = forms.BooleanField(label=RISK_FLAGS[4][1], required=False)
    narrative = forms.CharField(
        label=_("来电内容"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000, required=False
    )
    advice = forms.CharField(
        label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    outcome = forms.ChoiceField(label=_("处理结果"), choices=Outcome.choices)
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices, initial=Satisfaction.NOT_ASKED)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, instance: Contact | None = None, **kwargs: Any) -> None:
        self.instance = instance
        initial = kwargs.setdefault("initial", {})
        if instance is None:
            initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
            initial.setdefault("submission", uuid.uuid4())
            initial.setdefault("organisation", organisation_of(user))
        else:
            for name in self.base_fields:
                if name not in PERSONAL and hasattr(instance, name):
                    initial[name] = getattr(instance, name)
            initial["received_at"] = timezone.localtime(instance.received_at)
            initial["version"] = instance.version
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = offices_within(user)  # type: ignore[attr-defined]
        if instance is not None:
            for field, shown in instance.masked().items():
                if shown:
                    self.fields[field].widget.attrs["placeholder"] = shown
                    self.fields[field].help_text = _("留空则保持不变")
            for field in ("narrative", "advice"):
                if getattr(instance, field):
                    self.fields[field].help_text = _("已填写；留空则保持不变，填写则替换原内容")

    def changes(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "submission", "organisation")}
        if self.instance is not None:
            # Blank personal fields keep what is stored.
            data = {k: v for k, v in data.items() if k not in PERSONAL or v not in ("", None)}
        return data


class CounsellingForm(forms.Form):
    presenting_problem = forms.CharField(label=_("主诉问题"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    risk_level = forms.ChoiceField(label=_("风险评估"), choices=RiskLevel.choices)
    risk_assessment = forms.CharField(
        label=_("风险评估说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    intervention = forms.CharField(
        label=_("干预措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    follow_up_plan = forms.CharField(
        label=_("后续计划"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    follow_up_on = forms.DateField(label=_("回访日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_follow_up_on(self) -> Any:
        day = self.cleaned_data.get("follow_up_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("回访日期不能早于今天。"))
        return day


class FlagForm(forms.Form):
    kind = forms.ChoiceField(label=_("标记"), choices=FlagKind.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("答复（申请人凭查询编号可见，请勿写入他人信息）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[c for c in RequestStatus.choices if c[0] != RequestStatus.RECEIVED]
    )


class PhoneLookupForm(forms.Form):
    phone = forms.CharField(label=_("来电号码"), max_length=30)
