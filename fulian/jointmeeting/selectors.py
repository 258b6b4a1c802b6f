"""Reads for the joint meeting: the body's overview, meetings and tasks as a user may see them,
and the lists 我的工作 shows. Every list of tasks starts from `visible`, so a liaison reads only
their unit's tasks and the secretariat every unit's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from fulian.accounts.roles import BY_CODE
from fulian.jointmeeting.models import (
    Attendance,
    Mechanism,
    Meeting,
    MemberUnit,
    Officer,
    Task,
    TaskProgress,
    TaskStatus,
)
from fulian.security.access import may, organisation_of, visible

LIAISON_GROUP = BY_CODE["liaison"].group


def oversees(user: Any) -> bool:
    """The secretariat: assigns, closes, reopens and re-dates tasks of every unit."""
    return may(user, "close", Task)


def sees_body(user: Any) -> bool:
    """Who may read the overview of the body: the secretariat and the units' liaisons."""
    return may(user, "view", Task) or bool(user.has_perm("fulian_jointmeeting.view_memberunit"))


@dataclass
class UnitRow:
    unit: MemberUnit
    liaisons: list[str] = field(default_factory=list)


def liaison_names(units: list[MemberUnit]) -> dict[int, list[str]]:
    """{organisation id: names of its active liaisons} in one query; names only, nothing else of them."""
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=LIAISON_GROUP,
            staff_profile__organisation__in=[u.organisation_id for u in units],
        )
        .select_related("staff_profile")
        .order_by("username")
        .distinct()
    )
    names: dict[int, list[str]] = {}
    for user in users:
        profile: Any = user.staff_profile
        names.setdefault(profile.organisation_id, []).append(user.get_full_name() or user.get_username())
    return names


def body_overview() -> dict[str, Any]:
    """The member units in order with their liaisons, the officers, the mechanisms."""
    units = list(MemberUnit.objects.filter(active=True).select_related("organisation").prefetch_related("mechanisms"))
    names = liaison_names(units)
    return {
        "units": [UnitRow(u, names.get(u.organisation_id, [])) for u in units],
        "officers": list(Officer.objects.filter(active=True).select_related("unit__organisation")),
        "mechanisms": list(Mechanism.objects.filter(active=True)),
    }


def meetings_for(user: Any, *, year: int | None = None, kind: str = "") -> QuerySet[Meeting]:
    meetings = visible(user, Meeting)
    if year:
        meetings = meetings.filter(held_at__year=year)
    if kind:
        meetings = meetings.filter(kind=kind)
    return meetings.order_by("-held_at", "-pk")


def attendance_rows(meeting: Meeting) -> list[tuple[MemberUnit, Attendance | None]]:
    """One row per active member unit, plus any inactive unit already recorded for this meeting."""
    recorded = {a.unit_id: a for a in Attendance.objects.filter(meeting=meeting)}
    units = MemberUnit.objects.filter(active=True) | MemberUnit.objects.filter(pk__in=list(recorded))
    return [(u, recorded.get(u.pk)) for u in units.select_related("organisation").order_by("order", "pk")]


def member_units_by_pk(pks: list[int]) -> dict[int, MemberUnit]:
    return {u.pk: u for u in MemberUnit.objects.filter(pk__in=pks).select_related("organisation")}


def _latest_completed() -> Subquery:
    """Whether a task's latest progress report says it is completed."""
    return Subquery(
        TaskProgress.objects.filter(task=OuterRef("pk")).order_by("-reported_at", "-pk").values("completed")[:1]
    )


def with_latest_report(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Each task with `reported_done`: whether its latest progress report says it is completed."""
    return tasks.annotate(reported_done=_latest_completed())


def tasks_for(
    user: Any, *, unit: MemberUnit | None = None, status: str = "", overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[Task]:  # fmt: skip
    """The tasks the user may see, narrowed by the list's filters, earliest deadline first."""
    today = today or timezone.localdate()
    tasks = visible(user, Task)
    if unit is not None:
        tasks = tasks.filter(unit=unit)
    if status:
        tasks = tasks.filter(status=status)
    if overdue:
        tasks = tasks.filter(status=TaskStatus.OPEN, due_on__lt=today)
    return tasks.select_related("unit__organisation", "decision__meeting").order_by("due_on", "pk")


def escalated_tasks(user: Any) -> QuerySet[Task]:
    """Open tasks raised to the secretariat after their deadline passed."""
    return (
        visible(user, Task)
        .filter(status=TaskStatus.OPEN, escalated_at__isnull=False)
        .select_related("unit__organisation")
        .order_by("due_on", "pk")
    )


def awaiting_closure(user: Any) -> QuerySet[Task]:
    """Open tasks whose latest report says completed: the secretariat should close (or reopen) them."""
    # Only tasks with some completed report at all are looked at further (an indexed probe each).
    completed = TaskProgress.objects.filter(task=OuterRef("pk"), completed=True)
    return (
        visible(user, Task)
        .filter(Exists(completed), status=TaskStatus.OPEN)
        .annotate(reported_done=_latest_completed())
        .filter(reported_done=True)
        .select_related("unit__organisation")
        .order_by("due_on", "pk")
    )


def unit_open_tasks(user: Any) -> QuerySet[Task]:
    """A liaison's own unit's open tasks (never another unit's, whatever the user's scope)."""
    home = organisation_of(user)
    if home is None:
        return Task.objects.none()
    return (
        visible(user, Task)
        .filter(organisation=home, status=TaskStatus.OPEN)
        .select_related("decision__meeting")
        .order_by("due_on", "pk")
    )
