"""The one write path for staff screening (入职查询): validated, atomic, audited.

Rules (《未成年人保护法》第62条):
- a check is recorded only with the person's written authorisation on file;
- its result is "有" or "无" 相关违法犯罪记录 and nothing else: any other detail is refused;
- a person whose latest check found a record, who has no check, or whose annual re-check is past,
  cannot be assigned to a children's role; a check that does not allow the work (a record, or a
  decision not to hire or to suspend) ends the worker's open roles at once.

Audit records never carry the result: the audit trail is read by people who must not learn it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.audit.services import audit_record
from fulian.orgs.models import Organisation, OrganisationKind
from fulian.screening.models import (
    Channel,
    ChildrenRole,
    ChildrenRoleKind,
    ChildrenWorker,
    Decision,
    EndReason,
    Result,
    Screening,
    WorkerKind,
    next_check_date,
)
from fulian.security.access import can, may, organisation_of
from fulian.security.blind import blind_index
from fulian.security.identity import clean_phone, id_number_problem, normalise_id_number

SCREENING_FIELDS = frozenset({"authorised", "authorised_on", "checked_on", "channel", "result", "decision"})
DETAILS_REFUSED = gettext_lazy("查询结果只记录“有”或“无”相关违法犯罪记录，不得记录其他细节。")


def remind_days() -> int:
    return int(settings.SCREENING_REMIND_DAYS)


def _today() -> dt.date:
    return timezone.localdate()


def _allowed(actor: Any, action: str, model: type[Any], organisation: Organisation) -> None:
    if actor is None:
        return
    home = organisation_of(actor)
    if not may(actor, action, model) or home is None or not organisation.is_within(home):
        raise PermissionDenied


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _locked(worker: ChildrenWorker) -> ChildrenWorker:
    """The worker's row, locked: a check and an assignment of the same worker never interleave."""
    return ChildrenWorker.objects.select_for_update().get(pk=worker.pk)


def current_screening(worker: ChildrenWorker) -> Screening | None:
    return Screening.objects.filter(worker=worker, current=True).first()


# --- workers -------------------------------------------------------------------------------------------


@transaction.atomic
def worker_register(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    id_number: str,
    kind: str,
    centre: str,
    phone: str = "",
) -> ChildrenWorker:
    _allowed(actor, "create", ChildrenWorker, organisation)
    errors: dict[str, str] = {}
    name = " ".join(str(name or "").split())
    if not name:
        errors["name"] = _("请填写姓名。")
    problem = id_number_problem(str(id_number or ""))
    if problem:
        errors["id_number"] = problem
    else:
        id_number = normalise_id_number(id_number)
        if ChildrenWorker.objects.filter(
            organisation=organisation, id_number_index=blind_index("id_number", id_number)
        ).exists():
            errors["id_number"] = _("本单位已登记此身份证号的人员，请在列表中查看，不要重复登记。")
    if kind not in WorkerKind.values:
        errors["kind"] = _("请选择人员类别：工作人员或志愿者。")
    centre = " ".join(str(centre or "").split())
    if not centre:
        errors["centre"] = _("请填写所在儿童之家的名称。")
    if organisation.kind == OrganisationKind.MEMBER_UNIT:
        errors["organisation"] = _("儿童之家人员由妇联组织登记，不能登记在成员单位下。")
    if phone:
        try:
            phone = clean_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    worker = ChildrenWorker.objects.create(
        organisation=organisation, name=name, id_number=id_number, phone=phone, kind=kind, centre=centre,
        created_by=_user(actor),
    )  # fmt: skip
    audit_record(action="childrenworker.create", actor=actor, target=worker, detail={"kind": kind})
    return worker


# --- screenings ----------------------------------------------------------------------------------------


def _clean_screening(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    if set(data) - SCREENING_FIELDS:
        # A detail about a record (an offence, a date, notes…) is never taken, whatever it is called.
        raise ValidationError(DETAILS_REFUSED, code="details")
    errors: dict[str, str] = {}
    if data.get("authorised") is not True:
        errors["authorised"] = _("查询须事先取得本人的书面授权；未取得书面授权的，不得查询，也不能记录。")
    authorised_on, checked_on = data.get("authorised_on"), data.get("checked_on")
    if not isinstance(checked_on, dt.date):
        errors["checked_on"] = _("请填写查询日期。")
    elif checked_on > today:
        errors["checked_on"] = _("查询日期不能晚于今天。")
    if data.get("authorised") is True:
        if not isinstance(authorised_on, dt.date):
            errors["authorised_on"] = _("请填写书面授权的日期。")
        elif authorised_on > today:
            errors["authorised_on"] = _("授权日期不能晚于今天。")
        elif isinstance(checked_on, dt.date) and authorised_on > checked_on:
            errors["authorised_on"] = _("须先取得书面授权、后查询：授权日期不能晚于查询日期。")
    if data.get("channel") not in Channel.values:
        errors["channel"] = _("请选择查询渠道。")
    result = data.get("result")
    if result not in Result.values:
        errors["result"] = str(DETAILS_REFUSED)
    decision = data.get("decision")
    if decision not in Decision.values:
        errors["decision"] = _("请选择处理决定。")
    elif result == Result.RECORD and decision == Decision.HIRE:
        errors["decision"] = _("查询结果为有相关违法犯罪记录的人员，依法不得录用从事密切接触未成年人的工作。")
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def screening_record(*, actor: Any, worker: ChildrenWorker, today: dt.date | None = None, **data: Any) -> Screening:
    """Record one check of a worker. Only the fields of SCREENING_FIELDS are taken; anything else —
    `details`, `offence`, `notes`… — is refused with the same message, and nothing is saved."""
    today = today or _today()
    if actor is not None and not (may(actor, "create", Screening) and can(actor, "edit", worker)):
        raise PermissionDenied
    data = _clean_screening(dict(data), today)
    worker = _locked(worker)
    latest = current_screening(worker)
    # The latest check decides: by date, and on the same day the later entry.
    is_current = latest is None or data["checked_on"] >= latest.checked_on
    screening = Screening(
        organisation=worker.organisation, worker=worker, recorded_by=_user(actor),
        next_check_on=next_check_date(data["checked_on"]), current=is_current, **data,
    )  # fmt: skip
    if is_current and latest is not None:
        Screening.objects.filter(worker=worker, current=True).update(current=False)
    screening.save()
    ended: list[int] = []
    if is_current and screening.decision != Decision.HIRE:
        ended = _end_open_roles(actor, worker, today, screening)
    audit_record(
        action="screening.create",
        actor=actor,
        target=screening,
        # Never the result or the decision: the audit trail must not tell who has a record.
        detail={"worker": worker.pk, "channel": screening.channel, "next_check_on": screening.next_check_on.isoformat(),
                "ended_roles": ended},
    )  # fmt: skip
    return screening


def _end_open_roles(actor: Any, worker: ChildrenWorker, today: dt.date, screening: Screening) -> list[int]:
    ended = []
    for role in ChildrenRole.objects.filter(worker=worker, ended_on__isnull=True).order_by("pk"):
        ChildrenRole.objects.filter(pk=role.pk).update(
            ended_on=max(today, role.assigned_on), end_reason=EndReason.SCREENING
        )
        audit_record(
            action="childrenrole.end",
            actor=actor,
            target=role,
            detail={"reason": EndReason.SCREENING.value, "screening": screening.pk},
        )
        ended.append(role.pk)
    return ended


# --- children's roles ----------------------------------------------------------------------------------


def assignment_problem(worker: ChildrenWorker, today: dt.date) -> str | None:
    """Why this worker cannot be given a children's role today (in Chinese), or None."""
    latest = current_screening(worker)
    if latest is None:
        return _("该人员尚未进行入职查询：须先取得书面授权并查询，结果为无相关违法犯罪记录后方可上岗。")
    if latest.result == Result.RECORD:
        return _("该人员的入职查询结果为有相关违法犯罪记录，依法不得安排从事儿童相关工作。")
    if latest.decision != Decision.HIRE:
        return _("该人员最近一次查询的处理决定为“%(decision)s”，不能安排儿童相关岗位。") % {
            "decision": latest.get_decision_display()
        }
    if latest.next_check_on < today:
        return _("该人员的入职查询已超过复查日期（%(day)s），须重新查询后才能安排岗位。") % {
            "day": latest.next_check_on.isoformat()
        }
    return None


@transaction.atomic
def role_assign(
    *, actor: Any, worker: ChildrenWorker, role: str, assigned_on: dt.date | None = None, today: dt.date | None = None
) -> ChildrenRole:
    today = today or _today()
    assigned_on = assigned_on or today
    if actor is not None and not (may(actor, "create", ChildrenRole) and can(actor, "edit", worker)):
        raise PermissionDenied
    worker = _locked(worker)
    if role not in ChildrenRoleKind.values:
        raise ValidationError({"role": _("请选择岗位。")})
    problem = assignment_problem(worker, today)
    if problem:
        raise ValidationError(problem, code="screening")
    latest = current_screening(worker)
    assert latest is not None  # noqa: S101 - assignment_problem refuses a worker without one
    if assigned_on > today:
        raise ValidationError({"assigned_on": _("上岗日期不能晚于今天。")})
    if assigned_on < latest.checked_on:
        raise ValidationError(
            {
                "assigned_on": _("须先查询、后上岗：上岗日期不能早于查询日期（%(day)s）。")
                % {"day": latest.checked_on.isoformat()}
            }
        )
    if ChildrenRole.objects.filter(worker=worker, role=role, ended_on__isnull=True).exists():
        raise ValidationError({"role": _("该人员已在此岗位上。")})
    assignment = ChildrenRole.objects.create(
        organisation=worker.organisation, worker=worker, role=role, assigned_on=assigned_on,
        assigned_by=_user(actor),
    )  # fmt: skip
    audit_record(
        action="childrenrole.create", actor=actor, target=assignment, detail={"worker": worker.pk, "role": role}
    )
    return assignment


@transaction.atomic
def role_end(*, actor: Any, role: ChildrenRole, ended_on: dt.date | None = None) -> ChildrenRole:
    today = _today()
    ended_on = ended_on or today
    if actor is not None and not can(actor, "edit", role):
        raise PermissionDenied
    if ended_on > today:
        raise ValidationError(_("离岗日期不能晚于今天。"))
    if ended_on < role.assigned_on:
        raise ValidationError(_("离岗日期不能早于上岗日期。"))
    if not ChildrenRole.objects.filter(pk=role.pk, ended_on__isnull=True).update(
        ended_on=ended_on, end_reason=EndReason.LEFT
    ):
        raise ValidationError(_("该岗位已经结束。"))
    role.refresh_from_db()
    audit_record(action="childrenrole.end", actor=actor, target=role, detail={"reason": EndReason.LEFT.value})
    return role


# --- re-checks -----------------------------------------------------------------------------------------


def due_screenings(today: dt.date | None = None, among: QuerySet[Screening] | None = None) -> QuerySet[Screening]:
    """Current checks of workers cleared to work whose annual re-check is within the reminder
    window or already past (workers not hired need no re-check); `among` narrows to a user's scope."""
    today = today or _today()
    return (Screening.objects.all() if among is None else among).filter(
        current=True, decision=Decision.HIRE, next_check_on__lte=today + dt.timedelta(days=remind_days())
    )


def recheck_reminders(today: dt.date | None = None) -> dict[str, int]:
    """Mark each check whose re-check falls due once (UPDATE … WHERE reminded_at IS NULL), audited.

    Run by the worker; the "my work" page and the re-check list show what is due in each user's scope."""
    today = today or _today()
    counts = {"reminded": 0, "overdue": 0}
    for screening in due_screenings(today).filter(reminded_at__isnull=True).order_by("next_check_on", "pk").iterator():
        with transaction.atomic():
            if Screening.objects.filter(pk=screening.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
                audit_record(
                    action="screening.remind",
                    target=screening,
                    detail={"worker": screening.worker_id, "next_check_on": screening.next_check_on.isoformat()},
                )
                counts["reminded"] += 1
                counts["overdue"] += screening.next_check_on < today
    return counts
