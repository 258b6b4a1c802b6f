"""Forms of the joint meeting's screens. They only parse what was sent; the rules live in the
services, whose Chinese messages come back onto these forms. Ids that are not numbers, units
that do not exist, dates that are not dates: a message on the form, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fulian.jointmeeting.models import (
    Attendance,
    AttendanceStatus,
    MeetingKind,
    MemberUnit,
    TaskStatus,
)
from fulian.jointmeeting.services import NOT_MEMBER
from fulian.lib.once import OnceField
from fulian.orgs.models import Organisation, OrganisationKind
from fulian.protection.models import Sector

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
NOTE = forms.Textarea(attrs={"rows": 3})
LONG = forms.Textarea(attrs={"rows": 10})


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=120, error_messages={"required": _("请填写会议名称。")})
    held_at = forms.DateTimeField(
        label=_("时间"), widget=DATETIME,
        error_messages={"invalid": _("请填写有效的会议时间，如 2026-03-15 09:30。"), "required": _("请填写会议时间。")},
    )  # fmt: skip
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    chaired_by = forms.CharField(label=_("主持人"), max_length=60, required=False)
    agenda = forms.CharField(label=_("议程"), required=False, widget=LONG)
    once = OnceField()


class MeetingEditForm(MeetingForm):
    minutes = forms.CharField(label=_("会议纪要"), required=False, widget=LONG)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["once"]


class VersionForm(forms.Form):
    """A button that changes a record: carries the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class MeetingFilterForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    kind = forms.ChoiceField(label=_("会议类型"), choices=[("", _("全部")), *MeetingKind.choices], required=False)


class AttendanceForm(forms.Form):
    """One row per unit: its status (blank: not recorded) and who came."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, rows: list[tuple[MemberUnit, Attendance | None]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        choices = [("", _("（未登记）")), *AttendanceStatus.choices]
        for unit, row in rows:
            self.fields[f"status_{unit.pk}"] = forms.ChoiceField(
                label=str(unit), choices=choices, required=False, initial=row.status if row else ""
            )
            self.fields[f"attendees_{unit.pk}"] = forms.CharField(
                label=_("参会人员"), max_length=200, required=False, initial=row.attendees if row else "",
                help_text=_("姓名和职务，如“王某（副局长）”。"),
            )  # fmt: skip

    def grid(self) -> list[tuple[MemberUnit, Any, Any]]:
        """(unit, status field, attendees field) for the template's table."""
        return [(unit, self[f"status_{unit.pk}"], self[f"attendees_{unit.pk}"]) for unit, _row in self.rows]

    def entries(self) -> list[tuple[MemberUnit, str, str]]:
        data = self.cleaned_data
        return [(unit, data[f"status_{unit.pk}"], data[f"attendees_{unit.pk}"]) for unit, _row in self.rows]


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("议定事项"), widget=NOTE, error_messages={"required": _("请填写议定事项。")})
    once = OnceField()


class UnitsField(forms.MultipleChoiceField):
    """Member units by id. Anything that names no member unit (an unknown or non-numeric id) is
    refused with the service's message; whether a unit may be given tasks is the service's rule."""

    widget = forms.CheckboxSelectMultiple

    def valid_value(self, value: Any) -> bool:
        return True

    def clean(self, value: Any) -> list[MemberUnit]:
        ids = super().clean(value)
        if any(not str(v).isdigit() or len(str(v)) > 12 for v in ids):
            raise ValidationError(NOT_MEMBER)
        pks = [int(v) for v in ids]
        found = {u.pk: u for u in MemberUnit.objects.filter(pk__in=pks).select_related("organisation")}
        if any(pk not in found for pk in pks):
            raise ValidationError(NOT_MEMBER)
        return [found[pk] for pk in dict.fromkeys(pks)]


class TaskAssignForm(forms.Form):
    units = UnitsField(
        label=_("承办单位"), error_messages={"required": _("请选择承办单位。")},
        help_text=_("可选多个单位：每个单位各交办一项同样的任务。"),
    )  # fmt: skip
    title = forms.CharField(label=_("任务"), max_length=200, error_messages={"required": _("请填写任务。")})
    detail = forms.CharField(label=_("具体要求"), required=False, widget=NOTE)
    due_on = forms.DateField(
        label=_("办结期限"), widget=DATE,
        error_messages={"invalid": _("请填写有效的日期，如 2026-06-30。"), "required": _("请填写办结期限。")},
    )  # fmt: skip
    once = OnceField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units: Any = self.fields["units"]
        units.choices = [
            (str(u.pk), str(u)) for u in MemberUnit.objects.filter(active=True).select_related("organisation")
        ]


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("进展情况"), widget=NOTE, error_messages={"required": _("请填写进展情况。")})
    completed = forms.BooleanField(
        label=_("已完成"), required=False, help_text=_("勾选后提请联席会议办公室办结该任务。")
    )
    once = OnceField()


class TaskCloseForm(VersionForm):
    note = forms.CharField(label=_("办结说明"), max_length=500, required=False, widget=NOTE)


class TaskReasonForm(VersionForm):
    reason = forms.CharField(label=_("理由"), max_length=500, widget=NOTE)


class TaskDueForm(VersionForm):
    due_on = forms.DateField(
        label=_("新的办结期限"), widget=DATE, error_messages={"invalid": _("请填写有效的日期，如 2026-06-30。")}
    )
    reason = forms.CharField(label=_("调整理由"), max_length=500, widget=NOTE)


class TaskFilterForm(forms.Form):
    """The task list's filters: ids and codes only (they appear in the address)."""

    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=MemberUnit.objects.none(), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *TaskStatus.choices], required=False)
    overdue = forms.BooleanField(label=_("超期未办结"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units: Any = self.fields["unit"]
        units.queryset = MemberUnit.objects.select_related("organisation")


# --- the body's admin viewsets ----------------------------------------------------------------------


def member_unit_organisations() -> Any:
    """Who may be a member unit: organisations of kind 成员单位, and the city federation (the secretariat)."""
    return Organisation.objects.filter(
        Q(kind=OrganisationKind.MEMBER_UNIT) | Q(kind=OrganisationKind.CITY), active=True
    ).order_by("kind", "name")


def sector_field(**kwargs: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("主管的强制报告行业"), choices=Sector.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("本单位主管的密切接触未成年人行业：平台据此统计该单位的强制报告指标。"), **kwargs,
    )  # fmt: skip
