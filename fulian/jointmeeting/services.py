"""The one write path for the joint meeting: the body (member units, officers, mechanisms), its
meetings (attendance, decisions, minutes), the tasks decisions give member units, the liaisons'
progress reports and the escalation of overdue tasks.

Each operation checks the actor's right, refuses bad input with a Chinese ValidationError, refuses
a stale `version` with EditConflict, and writes its audit record in the same transaction.
`actor=None` is the platform itself (the demo loader, the worker).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.audit.services import audit_record, audit_record_many
from fulian.jointmeeting.models import (
    Attendance,
    AttendanceStatus,
    Decision,
    Mechanism,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MemberRole,
    MemberUnit,
    Officer,
    OfficerPost,
    Task,
    TaskProgress,
    TaskStatus,
)
from fulian.lib.batches import batched, claim_unset
from fulian.orgs.models import Organisation, OrganisationKind
from fulian.protection.models import Sector
from fulian.security.access import ScopedRecord, can, claim_version, may, organisation_of

# Messages used in more than one place (and by the tests).
NOT_MEMBER = gettext_lazy("该单位不是联席会议成员单位，不能交办任务。")
OWN_UNIT_ONLY = gettext_lazy("只能填报本单位的任务进展。")
MINUTES_FINAL = gettext_lazy("会议纪要已定稿，不能再修改议程、纪要、出席情况或议定事项。")
MEETING_CONFLICT = gettext_lazy("该会议已被他人修改，请刷新后重新填写。")
TASK_CONFLICT = gettext_lazy("该任务已被他人修改，请刷新后重新操作。")
TASK_CLOSED = gettext_lazy("该任务已办结或已撤销，不能再填报进展。")


def _text(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _line(value: Any, limit: int) -> str:
    """One line of text: inner runs of spaces and line breaks become one space."""
    return " ".join(str(value or "").split())[:limit]


def _require(actor: Any, action: str, record: ScopedRecord) -> None:
    if actor is not None and not can(actor, action, record):
        raise PermissionDenied


def _require_perm(actor: Any, permission: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied


# --- the body -------------------------------------------------------------------------------------


def _save_permission(instance: models.Model) -> str:
    verb = "add" if instance.pk is None else "change"
    return f"fulian_jointmeeting.{verb}_{instance._meta.model_name}"


def clean_member_unit(unit: MemberUnit) -> None:
    """A member unit is an organisation of kind 成员单位, or the city federation (the secretariat)."""
    errors: dict[str, Any] = {}
    organisation = getattr(unit, "organisation", None) if unit.organisation_id else None
    if organisation is None:
        errors["organisation"] = _("请选择单位。")
    elif organisation.kind not in (OrganisationKind.MEMBER_UNIT, OrganisationKind.CITY):
        errors["organisation"] = _("成员单位应是“联席会议成员单位”类型的组织，或市妇联。")
    elif unit.role == MemberRole.SECRETARIAT and organisation.kind != OrganisationKind.CITY:
        errors["role"] = _("联席会议办公室设在市妇联。")
    if unit.role not in MemberRole.values:
        errors["role"] = _("角色无效。")
    sectors = unit.report_sectors
    if not isinstance(sectors, list) or any(s not in Sector.values for s in sectors):
        errors["report_sectors"] = _("主管的强制报告行业中有无法识别的类别。")
    else:
        unit.report_sectors = list(dict.fromkeys(sectors))
    unit.duties = _text(unit.duties, 4000)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def member_unit_save(*, actor: Any, unit: MemberUnit, mechanisms: Iterable[Mechanism] | None = None) -> MemberUnit:
    """Add a member unit or change one (deactivate rather than delete: its tasks and letters stay)."""
    _require_perm(actor, _save_permission(unit))
    created = unit.pk is None
    clean_member_unit(unit)
    unit.save()
    if mechanisms is not None:
        unit.mechanisms.set(list(mechanisms))
    audit_record(
        action="jm.unit.save", actor=actor, target=unit,
        detail={"created": created, "organisation": unit.organisation_id, "role": unit.role, "active": unit.active},
    )  # fmt: skip
    return unit


@transaction.atomic
def mechanism_save(*, actor: Any, mechanism: Mechanism) -> Mechanism:
    """Add, rename or retire a work mechanism."""
    _require_perm(actor, _save_permission(mechanism))
    created = mechanism.pk is None
    mechanism.name = _line(mechanism.name, 60)
    if not mechanism.name:
        raise ValidationError({"name": _("请填写工作机制名称。")})
    if Mechanism.objects.filter(name=mechanism.name).exclude(pk=mechanism.pk).exists():
        raise ValidationError({"name": _("已有同名的工作机制。")})
    mechanism.description = _text(mechanism.description, 2000)
    mechanism.save()
    audit_record(action="jm.mechanism.save", actor=actor, target=mechanism,
                 detail={"created": created, "active": mechanism.active})  # fmt: skip
    return mechanism


@transaction.atomic
def officer_save(*, actor: Any, officer: Officer) -> Officer:
    """Name the chair, a deputy chair or the head of the secretariat (public office holders)."""
    _require_perm(actor, _save_permission(officer))
    created = officer.pk is None
    errors: dict[str, Any] = {}
    if officer.post not in OfficerPost.values:
        errors["post"] = _("请选择联席会议职务。")
    officer.name = _line(officer.name, 30)
    if not officer.name:
        errors["name"] = _("请填写姓名。")
    officer.title = _line(officer.title, 60)
    if not officer.title:
        errors["title"] = _("请填写本职，如“市妇联主席”。")
    if errors:
        raise ValidationError(errors)
    officer.save()
    audit_record(action="jm.officer.save", actor=actor, target=officer,
                 detail={"created": created, "post": officer.post, "active": officer.active})  # fmt: skip
    return officer


# --- meetings -------------------------------------------------------------------------------------


def secretariat_organisation(actor: Any = None) -> Organisation:
    """Whose meetings these are: the organisation of the active secretariat unit (the federation)."""
    unit = MemberUnit.objects.filter(role=MemberRole.SECRETARIAT, active=True).select_related("organisation").first()
    if unit is not None:
        return unit.organisation
    home = organisation_of(actor) if actor is not None else None
    if home is None:
        raise ValidationError(_("尚未设置联席会议办公室，请先在“成员单位”中设置。"))
    return home


def _clean_meeting(kind: str, title: str, held_at: Any) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = _("请选择会议类型。")
    title = _line(title, 120)
    if not title:
        errors["title"] = _("请填写会议名称。")
    if not isinstance(held_at, dt.datetime):
        errors["held_at"] = _("请填写会议时间。")
    elif timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "title": title, "held_at": held_at}


@transaction.atomic
def meeting_create(
    *, actor: Any, kind: str, title: str, held_at: dt.datetime, place: str = "", chaired_by: str = "",
    agenda: str = "",
) -> Meeting:  # fmt: skip
    """Plan a meeting: it belongs to the secretariat's organisation."""
    if actor is not None and not may(actor, "create", Meeting):
        raise PermissionDenied
    data = _clean_meeting(kind, title, held_at)
    meeting = Meeting.objects.create(
        organisation=secretariat_organisation(actor), place=_line(place, 100), chaired_by=_line(chaired_by, 60),
        agenda=_text(agenda, 20000), created_by=actor if actor is not None else None, **data,
    )  # fmt: skip
    audit_record(action="jm.meeting.create", actor=actor, target=meeting, detail={"kind": meeting.kind})
    return meeting


@transaction.atomic
def meeting_update(
    *, actor: Any, meeting: Meeting, version: int, kind: str, title: str, held_at: dt.datetime, place: str = "",
    chaired_by: str = "", agenda: str = "", minutes: str = "",
) -> Meeting:  # fmt: skip
    """Change a meeting. Once its minutes are final, the agenda and the minutes stay as they are."""
    _require(actor, "edit", meeting)
    data = _clean_meeting(kind, title, held_at)
    data.update(place=_line(place, 100), chaired_by=_line(chaired_by, 60), agenda=_text(agenda, 20000),
                minutes=_text(minutes, 50000))  # fmt: skip
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status == MeetingStatus.MINUTES_FINAL and (
        data["agenda"] != current.agenda or data["minutes"] != current.minutes
    ):
        raise ValidationError(str(MINUTES_FINAL))
    claim_version(meeting, version, MEETING_CONFLICT)
    changed = sorted(k for k, v in data.items() if getattr(current, k) != v)
    for key, value in data.items():
        setattr(meeting, key, value)
    meeting.status = current.status
    meeting.save(update_fields=[*data])
    audit_record(action="jm.meeting.update", actor=actor, target=meeting, detail={"changed": changed})
    return meeting


def _not_final(meeting: Meeting) -> Meeting:
    """The meeting, read again under a row lock, if its minutes are not final yet."""
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status == MeetingStatus.MINUTES_FINAL:
        raise ValidationError(str(MINUTES_FINAL))
    return current


@transaction.atomic
def meeting_set_attendance(
    *, actor: Any, meeting: Meeting, version: int, rows: Iterable[tuple[MemberUnit, str, str]]
) -> list[Attendance]:
    """Record who attended, one row per unit: (unit, status, attendees). A blank status removes the
    unit's row. Units must be member units (an inactive one only if it was recorded already)."""
    _require(actor, "edit", meeting)
    _not_final(meeting)
    recorded = set(Attendance.objects.filter(meeting=meeting).values_list("unit_id", flat=True))
    active = set(MemberUnit.objects.filter(active=True).values_list("pk", flat=True))
    errors: list[str] = []
    wanted: dict[int, tuple[MemberUnit, str, str]] = {}
    for unit, status, attendees in rows:
        if not isinstance(unit, MemberUnit) or unit.pk not in active | recorded:
            errors.append(_("出席情况中有不是联席会议成员单位的单位。"))
            continue
        if status and status not in AttendanceStatus.values:
            errors.append(_("%(unit)s的出席情况无效。") % {"unit": unit})
            continue
        wanted[unit.pk] = (unit, status, _line(attendees, 200))
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    claim_version(meeting, version, MEETING_CONFLICT)
    kept: list[Attendance] = []
    for unit, status, attendees in wanted.values():
        if not status:
            Attendance.objects.filter(meeting=meeting, unit=unit).delete()
            continue
        row, _created = Attendance.objects.update_or_create(
            meeting=meeting, unit=unit, defaults={"status": status, "attendees": attendees}
        )
        kept.append(row)
    audit_record(action="jm.meeting.attendance", actor=actor, target=meeting,
                 detail={"units": {str(u.pk): s for u, s, _a in wanted.values()}})  # fmt: skip
    return kept


@transaction.atomic
def decision_add(*, actor: Any, meeting: Meeting, text: str) -> Decision:
    """Add a decision (议定事项); its number is the next of the meeting's."""
    _require(actor, "edit", meeting)
    text = _text(text, 4000)
    if not text:
        raise ValidationError({"text": _("请填写议定事项。")})
    _not_final(meeting)  # also locks the meeting row: two decisions added at once never share a number
    last = Decision.objects.filter(meeting=meeting).aggregate(last=Max("number"))["last"] or 0
    decision = Decision.objects.create(meeting=meeting, number=last + 1, text=text)
    audit_record(action="jm.decision.add", actor=actor, target=meeting,
                 detail={"decision": decision.pk, "number": decision.number})  # fmt: skip
    return decision


@transaction.atomic
def meeting_mark_held(*, actor: Any, meeting: Meeting, version: int) -> Meeting:
    """The meeting took place."""
    _require(actor, "edit", meeting)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status != MeetingStatus.PLANNED:
        raise ValidationError(_("只有筹备中的会议可以标记为已召开。"))
    if timezone.localdate(current.held_at) > timezone.localdate():
        raise ValidationError(_("会议时间还没到，不能标记为已召开。"))
    claim_version(meeting, version, MEETING_CONFLICT)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
    meeting.status = MeetingStatus.HELD
    audit_record(action="jm.meeting.held", actor=actor, target=meeting)
    return meeting


@transaction.atomic
def meeting_finalise(*, actor: Any, meeting: Meeting, version: int) -> Meeting:
    """The minutes are final: from now on the agenda, minutes, attendance and decisions stay as they are."""
    _require(actor, "edit", meeting)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.status == MeetingStatus.MINUTES_FINAL:
        raise ValidationError(str(MINUTES_FINAL))
    if current.status != MeetingStatus.HELD:
        raise ValidationError(_("会议召开后才能定稿纪要。"))
    if not current.minutes.strip():
        raise ValidationError({"minutes": _("请先填写会议纪要。")})
    claim_version(meeting, version, MEETING_CONFLICT)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.MINUTES_FINAL)
    meeting.status = MeetingStatus.MINUTES_FINAL
    audit_record(action="jm.meeting.final", actor=actor, target=meeting)
    return meeting


# --- tasks ----------------------------------------------------------------------------------------


def _member_unit(unit: Any) -> MemberUnit:
    """The active member unit `unit` names (a MemberUnit, or an organisation that is one), or refuse."""
    if isinstance(unit, Organisation):
        pk = MemberUnit.objects.filter(organisation=unit).values_list("pk", flat=True).first()
    elif isinstance(unit, MemberUnit):
        pk = unit.pk
    else:
        pk = None
    found = (
        MemberUnit.objects.filter(pk=pk, active=True).select_related("organisation").first() if pk is not None else None
    )
    if found is None:
        raise ValidationError({"units": str(NOT_MEMBER)})
    return found


@transaction.atomic
def task_assign(
    *, actor: Any, decision: Decision, units: Iterable[MemberUnit | Organisation], title: str, due_on: dt.date,
    detail: str = "",
) -> list[Task]:  # fmt: skip
    """Give a decision's work to one or several member units (one task each, the same title, detail
    and deadline). Each task belongs to its unit's organisation, so that unit's liaison sees it."""
    meeting = decision.meeting
    if actor is not None and not may(actor, "create", Task):
        raise PermissionDenied
    _require(actor, "edit", meeting)
    errors: dict[str, Any] = {}
    chosen: list[MemberUnit] = []
    try:
        for unit in units:
            found = _member_unit(unit)
            if found.pk not in {u.pk for u in chosen}:
                chosen.append(found)
    except ValidationError as error:
        errors.update(error.message_dict)
    else:
        if not chosen:
            errors["units"] = _("请选择承办单位。")
    title = _line(title, 200)
    if not title:
        errors["title"] = _("请填写任务。")
    if not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime):
        errors["due_on"] = _("请填写办结期限。")
    elif due_on < timezone.localdate(meeting.held_at):
        errors["due_on"] = _("办结期限不能早于会议日期（%(day)s）。") % {
            "day": timezone.localdate(meeting.held_at).isoformat()
        }
    if errors:
        raise ValidationError(errors)
    detail = _text(detail, 4000)
    tasks: list[Task] = []
    for unit in chosen:
        task = Task.objects.create(organisation=unit.organisation, decision=decision, unit=unit, title=title,
                                   detail=detail, due_on=due_on, assigned_by=actor)  # fmt: skip
        tasks.append(task)
    for task in tasks:
        audit_record(action="jm.task.assign", actor=actor, target=task,
                     detail={"decision": decision.pk, "unit": task.unit_id, "due_on": due_on.isoformat()})  # fmt: skip
    return tasks


def _open_task(task: Task) -> Task:
    """The task read again under a row lock."""
    return Task.objects.select_for_update().get(pk=task.pk)


@transaction.atomic
def task_report_progress(*, actor: Any, task: Task, text: str, completed: bool = False) -> TaskProgress:
    """A unit's liaison reports progress on one of the unit's tasks; `completed` asks the
    secretariat to close it. Nobody reports for another unit, the secretariat included (it closes
    or reopens tasks instead)."""
    if actor is not None:
        home = organisation_of(actor)
        if home is None or home.pk != task.organisation_id:
            raise ValidationError(str(OWN_UNIT_ONLY))
        if not may(actor, "edit", Task):
            raise PermissionDenied
    text = _text(text, 4000)
    if not text:
        raise ValidationError({"text": _("请填写进展情况。")})
    if _open_task(task).status != TaskStatus.OPEN:
        raise ValidationError(str(TASK_CLOSED))
    progress = TaskProgress.objects.create(task=task, text=text, completed=bool(completed), reported_by=actor)
    audit_record(action="jm.task.progress", actor=actor, target=task,
                 detail={"progress": progress.pk, "completed": progress.completed})  # fmt: skip
    return progress


def _note(actor: Any, task: Task, text: str) -> None:
    """The secretariat's reason, kept on the task's history so the unit sees why."""
    TaskProgress.objects.create(task=task, text=text[:4000], completed=False, reported_by=actor)


def _reason(reason: str, message: str) -> str:
    reason = _text(reason, 500)
    if not reason:
        raise ValidationError({"reason": message})
    return reason


@transaction.atomic
def task_close(*, actor: Any, task: Task, version: int, note: str = "") -> Task:
    """The secretariat closes a task as done (办结)."""
    _require(actor, "close", task)
    if _open_task(task).status != TaskStatus.OPEN:
        raise ValidationError(_("只有办理中的任务可以办结。"))
    claim_version(task, version, TASK_CONFLICT)
    now = timezone.now()
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE, done_at=now)
    task.status, task.done_at = TaskStatus.DONE, now
    note = _text(note, 500)
    if note:
        _note(actor, task, _("【办结】%(note)s") % {"note": note})
    audit_record(action="jm.task.close", actor=actor, target=task)
    return task


@transaction.atomic
def task_cancel(*, actor: Any, task: Task, version: int, reason: str) -> Task:
    """The secretariat withdraws a task (撤销), with the reason."""
    _require(actor, "close", task)
    reason = _reason(reason, _("请写明撤销理由。"))
    if _open_task(task).status != TaskStatus.OPEN:
        raise ValidationError(_("只有办理中的任务可以撤销。"))
    claim_version(task, version, TASK_CONFLICT)
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.CANCELLED)
    task.status = TaskStatus.CANCELLED
    _note(actor, task, _("【撤销】%(reason)s") % {"reason": reason})
    audit_record(action="jm.task.cancel", actor=actor, target=task, detail={"reason": reason})
    return task


@transaction.atomic
def task_reopen(*, actor: Any, task: Task, version: int, reason: str) -> Task:
    """The secretariat reopens a closed or withdrawn task, with the reason (the unit reports again)."""
    _require(actor, "close", task)
    reason = _reason(reason, _("请写明重新交办的理由。"))
    if _open_task(task).status == TaskStatus.OPEN:
        raise ValidationError(_("该任务仍在办理中。"))
    claim_version(task, version, TASK_CONFLICT)
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.OPEN, done_at=None)
    task.status, task.done_at = TaskStatus.OPEN, None
    _note(actor, task, _("【重新交办】%(reason)s") % {"reason": reason})
    audit_record(action="jm.task.reopen", actor=actor, target=task, detail={"reason": reason})
    return task


@transaction.atomic
def task_change_due(*, actor: Any, task: Task, version: int, due_on: dt.date, reason: str) -> Task:
    """The secretariat moves a task's deadline, with the reason. The new deadline is raised once
    more if it passes too."""
    _require(actor, "close", task)
    reason = _reason(reason, _("请写明调整期限的理由。"))
    meeting_day = timezone.localdate(task.decision.meeting.held_at)
    if not isinstance(due_on, dt.date) or isinstance(due_on, dt.datetime):
        raise ValidationError({"due_on": _("请填写办结期限。")})
    if due_on < meeting_day:
        raise ValidationError({"due_on": _("办结期限不能早于会议日期（%(day)s）。") % {"day": meeting_day.isoformat()}})
    current = _open_task(task)
    if current.status != TaskStatus.OPEN:
        raise ValidationError(_("只有办理中的任务可以调整期限。"))
    if due_on == current.due_on:
        raise ValidationError({"due_on": _("新的办结期限与原期限相同。")})
    claim_version(task, version, TASK_CONFLICT)
    before = current.due_on
    Task.objects.filter(pk=task.pk).update(due_on=due_on, escalated_at=None)
    task.due_on, task.escalated_at = due_on, None
    _note(actor, task, _("【调整期限】%(from)s → %(to)s：%(reason)s")
          % {"from": before.isoformat(), "to": due_on.isoformat(), "reason": reason})  # fmt: skip
    audit_record(action="jm.task.due", actor=actor, target=task,
                 detail={"from": before.isoformat(), "to": due_on.isoformat(), "reason": reason})  # fmt: skip
    return task


def escalate_overdue_tasks(*, today: dt.date | None = None) -> int:
    """Raise each open task past its deadline to the secretariat, exactly once: `escalated_at` is
    claimed a batch at a time (one statement, so two workers never both raise a task) and the
    batch is audited in one write. Reads the partial index of open, unraised tasks."""
    today = today or timezone.localdate()
    now = timezone.now()
    overdue = Task.objects.filter(status=TaskStatus.OPEN, escalated_at__isnull=True, due_on__lt=today).only(
        "pk", "unit", "due_on", "organisation"
    )
    raised = 0
    for batch in batched(overdue.order_by("due_on", "pk").iterator()):
        with transaction.atomic():
            claimed = claim_unset(Task, [task.pk for task in batch], "escalated_at", now)
            mine = [task for task in batch if task.pk in claimed]
            audit_record_many(
                action="jm.task.overdue",
                records=[(task, {"unit": task.unit_id, "due_on": task.due_on.isoformat()}) for task in mine],
            )
            raised += len(mine)
    return raised
