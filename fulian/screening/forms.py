from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fulian.lib.once import OnceField
from fulian.orgs.models import Organisation
from fulian.orgs.selectors import offices_within
from fulian.screening.models import Channel, ChildrenRoleKind, Decision, Result, WorkerKind
from fulian.screening.services import DETAILS_REFUSED
from fulian.security.access import organisation_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Sent by every form, never data: the rest of a POST is the form's fields or refused.
FORM_MACHINERY = frozenset({"csrfmiddlewaretoken"})


class WorkerForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("负责单位"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, help_text=_("查询须凭身份证号，并经本人书面授权。"))
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("人员类别"), choices=WorkerKind.choices)
    centre = forms.CharField(label=_("所在儿童之家"), max_length=100, help_text=_("如“五一社区儿童之家”。"))
    once = OnceField()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = offices_within(user)  # type: ignore[attr-defined]
        self.fields["organisation"].initial = organisation_of(user)


class ScreeningForm(forms.Form):
    authorised = forms.BooleanField(label=_("已取得本人书面授权并存档"), required=False)
    authorised_on = forms.DateField(label=_("书面授权日期"), widget=DATE, required=False)
    checked_on = forms.DateField(label=_("查询日期"), widget=DATE)
    channel = forms.ChoiceField(label=_("查询渠道"), choices=Channel.choices)
    result = forms.ChoiceField(
        label=_("查询结果"),
        choices=Result.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": DETAILS_REFUSED},
        help_text=_("只记录“有”或“无”相关违法犯罪记录，不记录任何其他细节。"),
    )
    decision = forms.ChoiceField(label=_("处理决定"), choices=Decision.choices)
    once = OnceField()

    def service_data(self) -> dict[str, Any]:
        """The cleaned fields for `screening_record`, plus anything else that was sent: the service
        refuses every extra item (a detail about a record must never be stored)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "once"}
        extra = set(self.data) - set(self.fields) - FORM_MACHINERY
        data.update({key: self.data[key] for key in extra})
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("岗位"), choices=ChildrenRoleKind.choices)
    assigned_on = forms.DateField(label=_("上岗日期"), widget=DATE, required=False, help_text=_("留空为今天。"))
    once = OnceField()
