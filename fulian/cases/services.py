"""The one write path for casework and referrals.

Every function checks the actor's right on the case, refuses a stale `version` (optimistic
locking: a concurrent save is never overwritten), writes the timeline event and the audit
record in the same transaction as the change. `actor=None` is the platform itself (demo loader,
periodic jobs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.services import audit_record, audit_record_many
from fulian.cases.models import (
    Approval,
    Case,
    CaseEvent,
    CaseNote,
    CaseNumber,
    CaseService,
    CaseTask,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    Incident,
    Party,
    PartyRole,
    Referral,
    ReferralAction,
    ReferralStatus,
    Status,
    TaskKind,
)
from fulian.hotline.models import Category, Contact, Outcome
from fulian.lib.batches import batched, claim_unset
from fulian.orgs.models import Organisation, OrganisationKind
from fulian.security.access import EditConflict, can, may, organisation_of, visible
from fulian.security.blind import blind_index
from fulian.security.identity import age_of, clean_phone, id_number_problem, normalise_id_number, normalise_phone

CONFLICT = _("此个案已被他人修改，请刷新后重试。")

# The workflow: which status may follow which (closing and plan approval go through approvals).
NEXT = {
    Status.REGISTERED: {Status.ASSESSED},
    Status.ASSESSED: {Status.PLANNED},
    Status.PLANNED: {Status.IN_SERVICE},
    Status.IN_SERVICE: {Status.FOLLOW_UP},
    Status.FOLLOW_UP: {Status.IN_SERVICE},
}
MAY_ASK_TO_CLOSE = {Status.ASSESSED, Status.PLANNED, Status.IN_SERVICE, Status.FOLLOW_UP}


# --- helpers ------------------------------------------------------------------------------------


def _require(actor: Any, action: str, case: Case) -> None:
    if actor is not None and not can(actor, action, case):
        raise PermissionDenied


def _bump(case: Case, version: int) -> None:
    """Claim the next version of the case, or refuse: someone saved it since `version` was read."""
    if not Case.objects.filter(pk=case.pk, version=version).update(version=F("version") + 1):
        raise EditConflict(CONFLICT)
    case.version = version + 1


def _event(case: Case, actor: Any, kind: str, summary: str, detail: dict[str, Any] | None = None) -> None:
    CaseEvent.objects.create(case=case, at=timezone.now(), actor=actor, kind=kind, summary=summary[:200])
    audit_record(action=f"case.{kind}", actor=actor, target=case, detail=detail or {})


def refresh_deadline(case: Case) -> None:
    """Store the case's earliest open deadline (open tasks, referrals awaiting the unit's answer,
    the open steps of a minor-protection protocol)."""
    from django.db.models import Min

    task = case.tasks.filter(done_at__isnull=True).aggregate(d=Min("due_on"))["d"]
    referral = case.referrals.filter(status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED]).aggregate(
        d=Min("deadline")
    )["d"]
    protocol = case.protocol.filter(done_at__isnull=True).aggregate(d=Min("due_on"))["d"]
    deadline = min((d for d in (task, referral, protocol) if d is not None), default=None)
    if deadline != case.next_deadline:
        Case.objects.filter(pk=case.pk).update(next_deadline=deadline)
        case.next_deadline = deadline


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date | None, field: str) -> None:
    if day is not None and day > _today():
        raise ValidationError({field: _("日期不能晚于今天。")})


def case_prefix(organisation: Organisation) -> str:
    return organisation.case_prefix or f"{organisation.name[:1]}妇维"


def _next_number(organisation: Organisation, year: int) -> str:
    # get_or_create survives two first cases of a year racing (it retries the read on a
    # conflict); the row lock then hands out numbers one at a time.
    CaseNumber.objects.get_or_create(organisation=organisation, year=year)
    sequence = CaseNumber.objects.select_for_update().get(organisation=organisation, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{case_prefix(organisation)}〔{year}〕{sequence.last:04d}号"


def _clean_party(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    for key in ("name", "phone", "id_number", "address", "relationship"):
        if key in data and data[key] is not None:
            data[key] = " ".join(str(data[key]).split())
    if data.get("phone"):
        try:
            data["phone"] = clean_phone(data["phone"])
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    if data.get("id_number"):
        problem = id_number_problem(data["id_number"])
        if problem:
            errors["id_number"] = problem
        else:
            data["id_number"] = normalise_id_number(data["id_number"])
            if data.get("age") is None:
                data["age"] = age_of(data["id_number"])
    age = data.get("age")
    if age is not None and not 0 <= int(age) <= 120:
        errors["age"] = _("年龄应在 0 到 120 岁之间。")
    if errors:
        raise ValidationError(errors)
    return data


def _check_categories(category: Category | None, subcategory: Category | None) -> None:
    if category is not None and category.parent_id is not None:
        raise ValidationError({"category": _("请选择一级分类。")})
    if subcategory is not None and (category is None or subcategory.parent_id != category.pk):
        raise ValidationError({"subcategory": _("细分类不属于所选的问题分类。")})


# --- opening, duplicates, editing ----------------------------------------------------------------


def open_duplicates(actor: Any, *, phone: str = "", id_number: str = "") -> QuerySet[Case]:
    """Open cases the user may see whose parties share this phone or ID number."""
    match = Q()
    if phone and 7 <= len(normalise_phone(phone)) <= 12:
        match |= Q(parties__phone_index=blind_index("phone", phone))
    if id_number and not id_number_problem(id_number):
        match |= Q(parties__id_number_index=blind_index("id_number", id_number))
    if not match:
        return Case.objects.none()
    return visible(actor, Case).exclude(status=Status.CLOSED).filter(match).distinct().order_by("-opened_at")


@transaction.atomic
def case_open(
    *,
    actor: Any,
    organisation: Organisation,
    helped: dict[str, Any] | None = None,
    contacts: Iterable[Contact] = (),
    category: Category | None = None,
    subcategory: Category | None = None,
    summary: str = "",
    minor_involved: bool = False,
    caseworker: Any = None,
) -> Case:
    """Open a case (from contacts or directly), with its helped person and an assessment task."""
    if actor is not None:
        if not may(actor, "create", Case):
            raise PermissionDenied
        home = organisation_of(actor)
        if home is None or not organisation.is_within(home):
            raise PermissionDenied
    if organisation.kind == OrganisationKind.MEMBER_UNIT:
        raise ValidationError({"organisation": _("个案只能由妇联组织承办。")})
    _check_categories(category, subcategory)
    helped_data = _clean_party(dict(helped or {}))
    contacts = list(contacts)
    for contact in contacts:
        if actor is not None and not can(actor, "view", contact):
            raise PermissionDenied
        if contact.case_id is not None:
            raise ValidationError(_("来电（%(id)s）已关联个案 %(case)s。") % {"id": contact.pk, "case": contact.case})
    now = timezone.now()
    case = Case.objects.create(
        organisation=organisation,
        number=_next_number(organisation, timezone.localdate(now).year),
        category=category,
        subcategory=subcategory,
        summary=summary.strip(),
        minor_involved=(
            minor_involved
            or any(c.risk_minor for c in contacts)
            or (helped_data.get("age") is not None and int(helped_data["age"]) < 18)
        ),
        caseworker=caseworker if caseworker is not None else actor,
        opened_by=actor,
        opened_at=now,
    )
    if helped_data.get("name") or helped_data.get("phone"):
        Party.objects.create(case=case, role=PartyRole.HELPED, **helped_data)
    for contact in contacts:
        Contact.objects.filter(pk=contact.pk).update(case=case, outcome=Outcome.CASE, version=F("version") + 1)
    CaseTask.objects.create(
        case=case,
        kind=TaskKind.ASSESSMENT,
        title=_("完成初步评估"),
        due_on=_today() + dt.timedelta(days=settings.CASE_ASSESSMENT_DAYS),
        assignee=case.caseworker,
    )
    refresh_deadline(case)
    _event(case, actor, "open", _("立案：%(number)s") % {"number": case.number}, {"contacts": [c.pk for c in contacts]})
    return case


@transaction.atomic
def case_link_contact(*, actor: Any, case: Case, contact: Contact) -> None:
    _require(actor, "edit", case)
    if actor is not None and not can(actor, "view", contact):
        raise PermissionDenied
    if contact.case_id not in (None, case.pk):
        raise ValidationError(_("该来电已关联其他个案。"))
    Contact.objects.filter(pk=contact.pk).update(case=case, outcome=Outcome.CASE, version=F("version") + 1)
    _event(case, actor, "link_contact", _("关联来电 #%(id)s") % {"id": contact.pk}, {"contact": contact.pk})


@transaction.atomic
def case_update(*, actor: Any, case: Case, version: int, **data: Any) -> Case:
    """Change the case's description: categories, minor flag, summary."""
    _require(actor, "edit", case)
    allowed = {"category", "subcategory", "minor_involved", "summary"}
    data = {k: v for k, v in data.items() if k in allowed}
    _check_categories(data.get("category", case.category), data.get("subcategory", case.subcategory))
    changed = [k for k, v in data.items() if getattr(case, k) != v]
    if not changed:
        return case
    _bump(case, version)
    before = {k: getattr(case, k) for k in changed}
    for key, value in data.items():
        setattr(case, key, value)
    case.save(update_fields=[*data, "updated_at"])
    detail = {k: "changed" if k == "summary" else [str(before[k]), str(data[k])] for k in changed}
    _event(case, actor, "change", _("修改个案信息"), {"changed": detail})
    return case


@transaction.atomic
def case_assign(*, actor: Any, case: Case, version: int, caseworker: Any) -> Case:
    _require(actor, "edit", case)
    if caseworker is not None and not (
        may(caseworker, "edit", Case) and (org := organisation_of(caseworker)) and case.organisation.is_within(org)
    ):
        raise ValidationError({"caseworker": _("承办人必须是本单位（或上级单位）可办理个案的工作人员。")})
    _bump(case, version)
    case.caseworker = caseworker
    case.save(update_fields=["caseworker", "updated_at"])
    CaseTask.objects.filter(case=case, done_at__isnull=True).update(assignee=caseworker)
    name = caseworker.get_username() if caseworker else _("无")
    _event(
        case, actor, "assign", _("承办人：%(name)s") % {"name": name}, {"caseworker": getattr(caseworker, "pk", None)}
    )
    return case


@transaction.atomic
def case_transfer(*, actor: Any, case: Case, version: int, organisation: Organisation, reason: str) -> Case:
    """Move a case to another federation office: up to one above the actor's, or down into their scope."""
    _require(actor, "edit", case)
    if organisation.kind == OrganisationKind.MEMBER_UNIT or not organisation.active:
        raise ValidationError({"organisation": _("只能移交给妇联组织；向成员单位请使用转介。")})
    if organisation.pk == case.organisation_id:
        raise ValidationError({"organisation": _("个案已在该单位。")})
    home = organisation_of(actor) if actor is not None else None
    if home is not None and not (organisation.is_within(home) or home.is_within(organisation)):
        raise ValidationError({"organisation": _("只能移交给上级妇联或本单位的下级妇联。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写移交理由。")})
    _bump(case, version)
    source = case.organisation
    case.organisation = organisation
    case.caseworker = None
    case.save(update_fields=["organisation", "caseworker", "updated_at"])
    CaseNote.objects.create(case=case, text=_("移交理由：") + reason.strip(), author=actor)
    _event(
        case, actor, "transfer", _("由%(from)s移交%(to)s") % {"from": source.name, "to": organisation.name},
        {"from": source.pk, "to": organisation.pk},
    )  # fmt: skip
    return case


# --- workflow ------------------------------------------------------------------------------------


def _move(case: Case, to: str) -> str:
    if to not in NEXT.get(Status(case.status), set()):
        raise ValidationError(
            _("个案当前为“%(now)s”，不能直接转为“%(to)s”。")
            % {"now": case.get_status_display(), "to": Status(to).label}
        )
    before = case.get_status_display()
    case.status = to
    return before


@transaction.atomic
def case_assess(*, actor: Any, case: Case, version: int, assessment: str) -> Case:
    _require(actor, "edit", case)
    if not assessment.strip():
        raise ValidationError({"assessment": _("请填写评估意见。")})
    before = _move(case, Status.ASSESSED)
    _bump(case, version)
    case.assessment = assessment.strip()
    case.save(update_fields=["status", "assessment", "updated_at"])
    now = timezone.now()
    case.tasks.filter(kind=TaskKind.ASSESSMENT, done_at__isnull=True).update(done_at=now, done_by=actor)
    refresh_deadline(case)
    _event(case, actor, "assess", _("状态：%(a)s → %(b)s") % {"a": before, "b": case.get_status_display()})
    return case


@transaction.atomic
def case_submit_plan(*, actor: Any, case: Case, version: int, plan: str) -> Case:
    _require(actor, "edit", case)
    if case.status != Status.ASSESSED:
        raise ValidationError(_("完成评估后才能提交服务方案。"))
    if case.pending:
        raise ValidationError(_("已有待审批事项：%(what)s。") % {"what": case.get_pending_display()})
    if not plan.strip():
        raise ValidationError({"plan": _("请填写服务方案。")})
    _bump(case, version)
    case.plan, case.pending = plan.strip(), Approval.PLAN
    case.save(update_fields=["plan", "pending", "updated_at"])
    _event(case, actor, "submit_plan", _("提交服务方案，待分管领导审批"))
    return case


@transaction.atomic
def case_request_close(*, actor: Any, case: Case, version: int, reason: str) -> Case:
    _require(actor, "close", case)
    if case.status not in MAY_ASK_TO_CLOSE:
        raise ValidationError(_("个案当前状态不能申请结案。"))
    if case.pending:
        raise ValidationError(_("已有待审批事项：%(what)s。") % {"what": case.get_pending_display()})
    if case.referrals.filter(status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED]).exists():
        raise ValidationError(_("还有成员单位未办结的转介，办结或撤回后才能结案。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写结案说明。")})
    _bump(case, version)
    case.close_reason, case.pending = reason.strip(), Approval.CLOSE
    case.save(update_fields=["close_reason", "pending", "updated_at"])
    _event(case, actor, "request_close", _("申请结案，待分管领导审批"))
    return case


@transaction.atomic
def case_decide(*, actor: Any, case: Case, version: int, approve: bool, comment: str = "") -> Case:
    """The supervisor approves or returns a pending plan or closing."""
    _require(actor, "view", case)
    if actor is not None and not actor.has_perm("fulian_cases.approve_case"):
        raise PermissionDenied
    if not case.pending:
        raise ValidationError(_("没有待审批的事项（可能已被他人审批）。"))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("退回时请写明理由。")})
    what = case.pending
    _bump(case, version)
    before = case.get_status_display()
    case.pending = Approval.NONE
    fields = ["pending", "updated_at"]
    if approve and what == Approval.PLAN:
        case.status = Status.PLANNED
        fields.append("status")
    elif approve and what == Approval.CLOSE:
        case.status, case.closed_at = Status.CLOSED, timezone.now()
        fields += ["status", "closed_at"]
        case.tasks.filter(done_at__isnull=True).update(done_at=case.closed_at, done_by=actor)
        refresh_deadline(case)
    case.save(update_fields=fields)
    if comment.strip():
        CaseNote.objects.create(case=case, text=_("审批意见：") + comment.strip(), author=actor)
    label = Approval(what).label
    if approve:
        summary = _("批准%(what)s；状态：%(a)s → %(b)s") % {"what": label, "a": before, "b": case.get_status_display()}
    else:
        summary = _("退回%(what)s") % {"what": label}
    _event(case, actor, "approve" if approve else "return", summary, {"what": what})
    return case


@transaction.atomic
def case_advance(*, actor: Any, case: Case, version: int, to: str) -> Case:
    """Start services, or move to follow-up (and back): the steps that need no approval."""
    _require(actor, "edit", case)
    if to not in (Status.IN_SERVICE, Status.FOLLOW_UP):
        raise ValidationError(_("该状态需要通过评估、方案审批或结案审批。"))
    before = _move(case, to)
    _bump(case, version)
    case.save(update_fields=["status", "updated_at"])
    if to == Status.FOLLOW_UP:
        CaseTask.objects.create(
            case=case,
            kind=TaskKind.FOLLOW_UP,
            title=_("跟踪回访"),
            due_on=_today() + dt.timedelta(days=settings.CASE_FOLLOW_UP_DAYS),
            assignee=case.caseworker,
        )
        refresh_deadline(case)
    _event(case, actor, "status", _("状态：%(a)s → %(b)s") % {"a": before, "b": case.get_status_display()})
    return case


@transaction.atomic
def case_reopen(*, actor: Any, case: Case, version: int, reason: str) -> Case:
    _require(actor, "close", case)
    if case.status != Status.CLOSED:
        raise ValidationError(_("只有已结案的个案可以重新开启。"))
    if case.anonymised_at is not None:
        raise ValidationError(_("该个案已过保存期限并已匿名化，不能重新开启；请新立个案。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写重新开启的理由。")})
    _bump(case, version)
    case.status, case.closed_at = Status.IN_SERVICE, None
    case.save(update_fields=["status", "closed_at", "updated_at"])
    CaseNote.objects.create(case=case, text=_("重新开启：") + reason.strip(), author=actor)
    _event(case, actor, "reopen", _("重新开启个案"))
    return case


# --- parts of a case -----------------------------------------------------------------------------


@transaction.atomic
def party_add(*, actor: Any, case: Case, role: str, **data: Any) -> Party:
    _require(actor, "edit", case)
    data = _clean_party(data)
    if not (data.get("name") or data.get("relationship")):
        raise ValidationError({"name": _("请至少填写姓名或与求助人的关系。")})
    party = Party.objects.create(case=case, role=role, **data)
    if party.under_14 and role != PartyRole.ALLEGED and not case.minor_involved:
        Case.objects.filter(pk=case.pk).update(minor_involved=True)
        case.minor_involved = True
    _event(case, actor, "party", _("添加当事人：%(role)s") % {"role": party.get_role_display()}, {"party": party.pk})
    return party


@transaction.atomic
def party_update(*, actor: Any, party: Party, **data: Any) -> Party:
    """Change a party; blank personal fields keep their stored values."""
    case = party.case
    _require(actor, "edit", case)
    data = _clean_party({k: v for k, v in data.items() if v not in ("", None) or k in ("age",)})
    changed = sorted(k for k, v in data.items() if getattr(party, k) != v)
    for key, value in data.items():
        setattr(party, key, value)
    party.save()
    _event(case, actor, "party_change", _("修改当事人信息"), {"party": party.pk, "changed": changed})
    return party


@transaction.atomic
def incident_add(*, actor: Any, case: Case, occurred_on: dt.date, kind: str, **data: Any) -> Incident:
    _require(actor, "edit", case)
    _not_future(occurred_on, "occurred_on")
    incident = Incident.objects.create(case=case, occurred_on=occurred_on, kind=kind, **data)
    _event(case, actor, "incident", _("记录事件：%(kind)s") % {"kind": incident.get_kind_display()})
    return incident


def child_under_14(case: Case) -> bool:
    return any(p.under_14 for p in case.parties.all() if p.role in (PartyRole.HELPED, PartyRole.FAMILY))


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    case: Case,
    purpose: str,
    given: bool = True,
    given_by: str = ConsentGiver.SELF,
    member_unit: Organisation | None = None,
    guardian_name: str = "",
) -> Consent:
    _require(actor, "edit", case)
    if purpose == ConsentPurpose.SHARE and member_unit is None:
        raise ValidationError({"member_unit": _("请选择同意向哪个成员单位提供信息。")})
    if member_unit is not None and member_unit.kind != OrganisationKind.MEMBER_UNIT:
        raise ValidationError({"member_unit": _("请选择联席会议成员单位。")})
    if child_under_14(case) and given_by != ConsentGiver.GUARDIAN:
        raise ValidationError({"given_by": _("求助人未满 14 周岁，须由监护人作出同意。")})
    if given_by == ConsentGiver.GUARDIAN and not guardian_name.strip():
        raise ValidationError({"guardian_name": _("请填写监护人姓名。")})
    consent = Consent.objects.create(
        case=case,
        purpose=purpose,
        member_unit=member_unit if purpose == ConsentPurpose.SHARE else None,
        given=given,
        given_by=given_by,
        guardian_name=guardian_name.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    words = {
        "who": consent.get_given_by_display(),
        "purpose": consent.get_purpose_display(),
        "unit": f"（{member_unit.name}）" if member_unit and purpose == ConsentPurpose.SHARE else "",
    }
    summary = (_("%(who)s同意：%(purpose)s%(unit)s") if given else _("%(who)s不同意：%(purpose)s%(unit)s")) % words
    _event(case, actor, "consent", summary, {"purpose": purpose, "given": given})
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent) -> None:
    _require(actor, "edit", consent.case)
    Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    _event(consent.case, actor, "consent_withdraw", _("撤回同意：%(p)s") % {"p": consent.get_purpose_display()})


def consent_covers(case: Case, member_unit: Organisation) -> bool:
    """Did the person (or the guardian of a child under 14) agree to share with this unit?
    The latest record for the purpose and unit decides; a withdrawn one counts as none."""
    latest = (
        case.consents.filter(purpose=ConsentPurpose.SHARE, member_unit=member_unit, withdrawn_at__isnull=True)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    if latest is None or not latest.given:
        return False
    return not (child_under_14(case) and latest.given_by != ConsentGiver.GUARDIAN)


@transaction.atomic
def service_add(
    *, actor: Any, case: Case, kind: str, provider: str, delivered_on: dt.date, outcome: str = ""
) -> CaseService:
    _require(actor, "edit", case)
    _not_future(delivered_on, "delivered_on")
    if not provider.strip():
        raise ValidationError({"provider": _("请填写服务提供方。")})
    service = CaseService.objects.create(
        case=case, kind=kind, provider=provider.strip(), delivered_on=delivered_on, outcome=outcome.strip(),
        recorded_by=actor,
    )  # fmt: skip
    if case.status == Status.PLANNED:
        Case.objects.filter(pk=case.pk).update(status=Status.IN_SERVICE, version=F("version") + 1)
        case.status = Status.IN_SERVICE
        case.version += 1
    _event(
        case,
        actor,
        "service",
        _("提供服务：%(kind)s（%(p)s）") % {"kind": service.get_kind_display(), "p": service.provider},
    )
    return service


@transaction.atomic
def task_add(
    *, actor: Any, case: Case, title: str, due_on: dt.date, assignee: Any = None, kind: str = TaskKind.OTHER
) -> CaseTask:
    _require(actor, "edit", case)
    if not title.strip():
        raise ValidationError({"title": _("请填写事项。")})
    if due_on < _today():
        raise ValidationError({"due_on": _("期限不能早于今天。")})
    task = CaseTask.objects.create(
        case=case, kind=kind, title=title.strip(), due_on=due_on, assignee=assignee or case.caseworker
    )
    refresh_deadline(case)
    _event(case, actor, "task", _("新增待办：%(t)s，期限 %(d)s") % {"t": task.title, "d": due_on.isoformat()})
    return task


@transaction.atomic
def task_done(*, actor: Any, task: CaseTask) -> CaseTask:
    _require(actor, "edit", task.case)
    if not CaseTask.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=timezone.now(), done_by=actor):
        raise ValidationError(_("该事项已完成。"))
    refresh_deadline(task.case)
    _event(task.case, actor, "task_done", _("完成待办：%(t)s") % {"t": task.title})
    return task


@transaction.atomic
def note_add(*, actor: Any, case: Case, text: str) -> CaseNote:
    _require(actor, "edit", case)
    if not text.strip():
        raise ValidationError({"text": _("请填写内容。")})
    note = CaseNote.objects.create(case=case, text=text.strip(), author=actor)
    _event(case, actor, "note", _("添加工作记录"), {"note": note.pk})
    return note


# --- referrals -----------------------------------------------------------------------------------


def _bump_referral(referral: Referral, version: int, message: str) -> None:
    if not Referral.objects.filter(pk=referral.pk, version=version).update(version=F("version") + 1):
        raise EditConflict(message)
    referral.version = version + 1


@transaction.atomic
def referral_send(
    *,
    actor: Any,
    case: Case,
    member_unit: Organisation,
    request: str,
    deadline: dt.date,
    shared_details: str = "",
    override_reason: str = "",
) -> Referral:
    """Refer a case (or one request in it) to a member unit. Without the person's consent to share
    with that unit, only a supervisor may send it, with a reason (audited)."""
    _require(actor, "edit", case)
    if actor is not None and not may(actor, "create", Referral):
        raise PermissionDenied
    if not case.is_open:
        raise ValidationError(_("已结案的个案不能转介。"))
    if member_unit.kind != OrganisationKind.MEMBER_UNIT or not member_unit.active:
        raise ValidationError({"member_unit": _("请选择联席会议成员单位。")})
    if not request.strip():
        raise ValidationError({"request": _("请写明请成员单位办理的事项。")})
    if deadline < _today():
        raise ValidationError({"deadline": _("答复期限不能早于今天。")})
    override = override_reason.strip()
    consented = consent_covers(case, member_unit)
    if not consented:
        if not override:
            raise ValidationError(
                _(
                    "当事人（或未满 14 周岁儿童的监护人）尚未同意向%(unit)s提供信息。请先记录同意，或由分管领导填写理由后转介。"
                )
                % {"unit": member_unit.name},
                code="consent",
            )
        if actor is not None and not actor.has_perm("fulian_cases.approve_case"):
            raise ValidationError(_("未经同意的转介只能由分管领导决定。"), code="consent")
    referral = Referral.objects.create(
        organisation=member_unit,
        case=case,
        request=request.strip(),
        shared_details=shared_details.strip(),
        deadline=deadline,
        sent_by=actor,
        sent_at=timezone.now(),
        consent_override="" if consented else override,
        override_by=None if consented else actor,
    )
    refresh_deadline(case)
    detail: dict[str, Any] = {"referral": referral.pk, "unit": member_unit.pk, "consent": consented}
    _event(
        case, actor, "referral_send",
        _("转介%(unit)s，答复期限 %(d)s") % {"unit": member_unit.name, "d": deadline.isoformat()}, detail,
    )  # fmt: skip
    if not consented:
        audit_record(action="referral.consent_override", actor=actor, target=referral, detail={"case": case.pk})
    return referral


def _liaison_check(actor: Any, referral: Referral) -> None:
    if actor is not None and not can(actor, "edit", referral):
        raise PermissionDenied


@transaction.atomic
def referral_accept(*, actor: Any, referral: Referral, version: int) -> Referral:
    _liaison_check(actor, referral)
    if referral.status != ReferralStatus.SENT:
        raise ValidationError(_("该转介已答复（%(s)s），不能重复操作。") % {"s": referral.get_status_display()})
    _bump_referral(referral, version, _("该转介刚被他人处理，请刷新后查看。"))
    referral.status, referral.answered_at, referral.answered_by = ReferralStatus.ACCEPTED, timezone.now(), actor
    referral.save(update_fields=["status", "answered_at", "answered_by"])
    _event(referral.case, actor, "referral_accept", _("%(unit)s已接收转介") % {"unit": referral.organisation.name})
    return referral


@transaction.atomic
def referral_reject(*, actor: Any, referral: Referral, version: int, reason: str) -> Referral:
    _liaison_check(actor, referral)
    if referral.status != ReferralStatus.SENT:
        raise ValidationError(_("该转介已答复（%(s)s），不能重复操作。") % {"s": referral.get_status_display()})
    if not reason.strip():
        raise ValidationError({"reason": _("请写明退回理由。")})
    _bump_referral(referral, version, _("该转介刚被他人处理，请刷新后查看。"))
    referral.status, referral.answered_at, referral.answered_by = ReferralStatus.REJECTED, timezone.now(), actor
    referral.reject_reason = reason.strip()
    referral.save(update_fields=["status", "answered_at", "answered_by", "reject_reason"])
    refresh_deadline(referral.case)
    _event(referral.case, actor, "referral_reject", _("%(unit)s退回转介") % {"unit": referral.organisation.name})
    return referral


@transaction.atomic
def referral_act(*, actor: Any, referral: Referral, text: str) -> ReferralAction:
    _liaison_check(actor, referral)
    if referral.status != ReferralStatus.ACCEPTED:
        raise ValidationError(_("接收转介后才能记录办理情况。"))
    if not text.strip():
        raise ValidationError({"text": _("请填写办理情况。")})
    action = ReferralAction.objects.create(referral=referral, text=text.strip(), by=actor)
    _event(referral.case, actor, "referral_action", _("%(unit)s记录办理情况") % {"unit": referral.organisation.name})
    return action


@transaction.atomic
def referral_complete(*, actor: Any, referral: Referral, version: int, result: str) -> Referral:
    _liaison_check(actor, referral)
    if referral.status != ReferralStatus.ACCEPTED:
        raise ValidationError(_("该转介当前为“%(s)s”，不能办结。") % {"s": referral.get_status_display()})
    if not result.strip():
        raise ValidationError({"result": _("请填写办理结果。")})
    _bump_referral(referral, version, _("该转介刚被他人处理，请刷新后查看。"))
    referral.status, referral.result, referral.done_at = ReferralStatus.DONE, result.strip(), timezone.now()
    referral.save(update_fields=["status", "result", "done_at"])
    refresh_deadline(referral.case)
    _event(referral.case, actor, "referral_done", _("%(unit)s办结转介") % {"unit": referral.organisation.name})
    return referral


@transaction.atomic
def referral_withdraw(*, actor: Any, referral: Referral, reason: str) -> Referral:
    """The federation takes a referral back (the person withdrew consent, the matter resolved)."""
    _require(actor, "edit", referral.case)
    if not referral.is_open:
        raise ValidationError(_("该转介已结束。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请写明撤回理由。")})
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.WITHDRAWN, version=F("version") + 1)
    referral.status = ReferralStatus.WITHDRAWN
    refresh_deadline(referral.case)
    CaseNote.objects.create(case=referral.case, text=_("撤回转介：") + reason.strip(), author=actor)
    _event(referral.case, actor, "referral_withdraw", _("撤回对%(unit)s的转介") % {"unit": referral.organisation.name})
    return referral


# --- deadlines ------------------------------------------------------------------------------------


# Encrypted texts the alert job never reads (left undecrypted).
CASE_TEXTS = ("case__summary", "case__assessment", "case__plan", "case__close_reason")
REFERRAL_TEXTS = ("request", "shared_details", "consent_override", "reject_reason", "result")


def escalate_overdue(*, today: dt.date | None = None) -> dict[str, int]:
    """Mark referrals and tasks past their deadline once, with a timeline event and an audit record.

    The supervisor's "my work" page lists what is escalated in their scope. Run by the worker, a
    batch at a time: one statement claims a batch's rows (only those still unmarked), one writes
    their timeline events, three their audit records.
    """
    today = today or _today()
    now = timezone.now()
    overdue = (
        Referral.objects.filter(
            status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED], deadline__lt=today, escalated_at__isnull=True
        )
        .select_related("case", "organisation")
        .defer(*CASE_TEXTS, *REFERRAL_TEXTS)
    )
    referrals = raise_once(
        overdue, "referral_overdue", now,
        lambda r: _("%(unit)s超过答复期限（%(d)s），已提醒分管领导")
        % {"unit": r.organisation.name, "d": r.deadline.isoformat()},
    )  # fmt: skip
    late = (
        CaseTask.objects.filter(done_at__isnull=True, due_on__lt=today, escalated_at__isnull=True)
        .select_related("case")
        .defer(*CASE_TEXTS)
    )
    tasks = raise_once(
        late, "task_overdue", now,
        lambda t: _("待办“%(t)s”已超期（期限 %(d)s）") % {"t": t.title, "d": t.due_on.isoformat()},
    )  # fmt: skip
    return {"referrals": referrals, "tasks": tasks}


def raise_once(
    rows: Any, kind: str, now: dt.datetime, summary: Callable[[Any], str], action: str = "",
    detail: Callable[[Any], dict[str, Any]] = lambda row: {},
) -> int:  # fmt: skip
    """Set `escalated_at` once on each of `rows` (a queryset of rows with a `case`) and put an event
    on its case's timeline, audited: the deadline alerts of casework and its protocols."""
    raised = 0
    for batch in batched(rows.iterator()):
        with transaction.atomic():
            claimed = claim_unset(rows.model, [row.pk for row in batch], "escalated_at", now)
            mine = [row for row in batch if row.pk in claimed]
            CaseEvent.objects.bulk_create(
                CaseEvent(case=row.case, at=now, actor=None, kind=kind, summary=summary(row)[:200]) for row in mine
            )
            audit_record_many(action=action or f"case.{kind}", records=[(row.case, detail(row)) for row in mine])
            raised += len(mine)
    return raised
