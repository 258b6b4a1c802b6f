from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fulian.lib.once import OnceField
from fulian.orgs.models import Organisation
from fulian.orgs.selectors import offices_within
from fulian.people.models import Sex
from fulian.protection.models import PoliceAction, Sector, Situation
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
