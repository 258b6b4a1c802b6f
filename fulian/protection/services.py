"""The one write path for mandatory reports: validated, opening (or joining) a minor-protection case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.services import audit_record
from fulian.cases.models import Case, CaseEvent, PartyRole, Status
from fulian.cases.privacy import MINOR_PROTECTION, may_see_child
from fulian.cases.services import case_open, raise_once, refresh_deadline
from fulian.hotline.models import Category
from fulian.orgs.models import Organisation
from fulian.protection.models import (
    STEP_DUE_DAYS,
    Assistance,
    AssistanceKind,
    MandatoryReport,
    OneStopSession,
    OneStopSite,
    Participant,
    PoliceAction,
    ProtocolItem,
    Situation,
    Step,
)
from fulian.security.access import can, may, organisation_of
from fulian.security.identity import clean_phone

# Situations that are (suspected) sexual abuse: their case gets the full protocol checklist.
SEXUAL_ABUSE_SITUATIONS = {"1", "2", "3"}
# A case's encrypted texts, never read where only its identity is needed.
CASE_TEXTS = tuple(f"case__{name}" for name in ("summary", "assessment", "plan", "close_reason"))
CLOCK_SKEW = dt.timedelta(minutes=5)


def minor_protection_category() -> Category:
    category, _created = Category.objects.get_or_create(parent=None, name=MINOR_PROTECTION, defaults={"order": 0})
    return category


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    now = timezone.now() + CLOCK_SKEW
    discovered, reported = data.get("discovered_at"), data.get("reported_at")
    if data.get("situation") not in Situation.values:
        errors["situation"] = _("请选择九种强制报告情形之一。")
    if discovered is not None and discovered > now:
        errors["discovered_at"] = _("发现时间不能晚于现在。")
    if reported is not None and reported > now:
        errors["reported_at"] = _("报告时间不能晚于现在。")
    if discovered is not None and reported is not None and reported < discovered:
        errors["reported_at"] = _("向公安机关报告的时间不能早于发现时间。")
    age = data.get("child_age")
    if age is None or not 0 <= int(age) <= 17:
        errors["child_age"] = _("强制报告针对未成年人：年龄应在 0 到 17 岁之间。")
    if data.get("situation") == "2" and age is not None and int(age) >= 14:
        errors["situation"] = _("情形（二）适用于不满十四周岁的女性未成年人。")
    if data.get("situation") == "3" and age is not None and int(age) < 14:
        errors["situation"] = _("情形（三）适用于十四周岁以上的女性未成年人。")
    if not str(data.get("reporting_unit") or "").strip():
        errors["reporting_unit"] = _("请填写报告单位。")
    if not str(data.get("police_unit") or "").strip():
        errors["police_unit"] = _("请填写接报的公安机关。")
    phone = data.get("reporter_phone")
    if phone:
        try:
            data["reporter_phone"] = clean_phone(phone)
        except ValidationError as error:
            errors["reporter_phone"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def report_record(*, actor: Any, organisation: Organisation, case: Case | None = None, **data: Any) -> MandatoryReport:
    """Record a mandatory report; without a case, open one in the minor-protection category."""
    if actor is not None:
        home = organisation_of(actor)
        if not may(actor, "create", MandatoryReport) or home is None or not organisation.is_within(home):
            raise PermissionDenied
        if case is not None and not can(actor, "edit", case):
            raise PermissionDenied
    data = _clean(dict(data))
    if case is None:
        case = case_open(
            actor=actor,
            organisation=organisation,
            category=minor_protection_category(),
            minor_involved=True,
            summary=_("强制报告：%(situation)s") % {"situation": Situation(data["situation"]).label},
            helped={"name": _("未成年人（强制报告）"), "sex": data["child_sex"], "age": data["child_age"]},
        )
    elif case.category_id != minor_protection_category().pk or not case.minor_involved:
        Case.objects.filter(pk=case.pk).update(category=minor_protection_category(), minor_involved=True)
    report = MandatoryReport.objects.create(organisation=case.organisation, case=case, created_by=actor, **data)
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        actor=actor,
        kind="mandatory_report",
        summary=_("强制报告：情形%(code)s，发现后 %(hours)s 小时报警")
        % {"code": report.situation, "hours": report.delay_hours},
    )
    if report.situation in SEXUAL_ABUSE_SITUATIONS:
        protocol_start(actor=actor, case=case, police_done=True)
    audit_record(
        action="mandatory_report.create",
        actor=actor,
        target=report,
        detail={"case": case.pk, "situation": report.situation, "delay_hours": report.delay_hours},
    )
    return report


@transaction.atomic
def report_police_update(
    *, actor: Any, report: MandatoryReport, police_action: str, receipt_number: str = "",
    feedback_at: dt.datetime | None = None, civil_affairs_notified: bool = False, education_notified: bool = False,
) -> MandatoryReport:  # fmt: skip
    """What came after the report: the police's action and receipt, the notices to civil affairs and
    education, and when the reporting unit was told the outcome (its feedback)."""
    if actor is not None and not can(actor, "edit", report.case):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if police_action not in PoliceAction.values:
        errors["police_action"] = _("请选择公安机关的处理情况。")
    if feedback_at is not None and feedback_at < report.reported_at:
        errors["feedback_at"] = _("向报告单位反馈的时间不能早于报告时间。")
    if feedback_at is not None and feedback_at > timezone.now() + CLOCK_SKEW:
        errors["feedback_at"] = _("反馈时间不能晚于现在。")
    if errors:
        raise ValidationError(errors)
    report.police_action, report.receipt_number = police_action, receipt_number.strip()[:50]
    report.feedback_at = feedback_at
    report.civil_affairs_notified, report.education_notified = civil_affairs_notified, education_notified
    report.save(update_fields=["police_action", "receipt_number", "feedback_at", "civil_affairs_notified",
                               "education_notified"])  # fmt: skip
    CaseEvent.objects.create(
        case=report.case, at=timezone.now(), actor=actor, kind="mandatory_report",
        summary=_("强制报告跟进：%(action)s") % {"action": report.get_police_action_display()},
    )  # fmt: skip
    audit_record(action="mandatory_report.update", actor=actor, target=report, detail={"police_action": police_action})
    return report


def may_see_reporter(user: Any, report: MandatoryReport) -> bool:
    """The reporter's identity: the case's own caseworker, and supervisors whose scope holds the case."""
    return may_see_child(user, report.case)


@transaction.atomic
def protocol_start(*, actor: Any, case: Case, police_done: bool = False) -> list[ProtocolItem]:
    """Put the protocol checklist on a minor sexual-abuse case (once); due dates count from opening."""
    if actor is not None and not can(actor, "edit", case):
        raise PermissionDenied
    opened = timezone.localdate(case.opened_at)
    now = timezone.now()
    items = []
    for step in Step:
        item, created = ProtocolItem.objects.get_or_create(
            case=case,
            step=step,
            defaults={"due_on": opened + dt.timedelta(days=STEP_DUE_DAYS[step]), "owner": case.caseworker},
        )
        if created and police_done and step == Step.POLICE:
            item.done_at, item.done_by = now, actor
            item.save(update_fields=["done_at", "done_by"])
        items.append(item)
    refresh_deadline(case)
    CaseEvent.objects.create(
        case=case, at=now, actor=actor, kind="protocol", summary=_("启动未成年人性侵害案件办理流程")
    )
    audit_record(action="protocol.start", actor=actor, target=case)
    return items


@transaction.atomic
def protocol_item_done(*, actor: Any, item: ProtocolItem) -> ProtocolItem:
    if actor is not None and not can(actor, "edit", item.case):
        raise PermissionDenied
    if not _step_done(actor, item.case, item.step):
        raise ValidationError(_("该步骤已完成。"))
    audit_record(action="protocol.step", actor=actor, target=item.case, detail={"step": item.step})
    return item


def protocol_progress(case: Case) -> tuple[int, int]:
    """(done, total) steps of the case's checklist."""
    items = list(case.protocol.values_list("done_at", flat=True))
    return sum(1 for done in items if done is not None), len(items)


def _step_done(actor: Any, case: Case, step: str) -> bool:
    """Tick a checklist step the moment the work it stands for is recorded (once)."""
    done = ProtocolItem.objects.filter(case=case, step=step, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=actor
    )
    if done:
        refresh_deadline(case)
        CaseEvent.objects.create(
            case=case, at=timezone.now(), actor=actor, kind="protocol_step",
            summary=_("完成流程步骤：%(step)s") % {"step": Step(step).label},
        )  # fmt: skip
    return bool(done)


def _require_open(actor: Any, case: Case) -> None:
    if actor is not None and not can(actor, "edit", case):
        raise PermissionDenied
    if case.status == Status.CLOSED:
        raise ValidationError(_("个案已结案，不能再添加记录。"))


def child_sex(case: Case) -> str:
    """The child's sex: from the mandatory report if there is one, else the person helped."""
    report = MandatoryReport.objects.filter(case=case).only("child_sex").first()
    if report is not None:
        return report.child_sex
    helped = case.parties.filter(role=PartyRole.HELPED).only("sex").order_by("pk").first()
    return helped.sex if helped is not None else ""


# Who must be in the room: the police (or a procurator) question; the guardian, or an
# appropriate adult when the guardian cannot come or is the suspect, is present for the child.
QUESTIONERS = {Participant.POLICE, Participant.PROCURATOR}
ADULTS_FOR_THE_CHILD = {Participant.GUARDIAN, Participant.APPROPRIATE_ADULT}
MAX_INTERVIEWS = 10


@transaction.atomic
def session_record(*, actor: Any, case: Case, site: OneStopSite, held_at: dt.datetime, **data: Any) -> OneStopSession:
    """Record a one-stop questioning and assistance session; ticks the checklist's one-stop step."""
    _require_open(actor, case)
    errors: dict[str, str] = {}
    if not site.active:
        errors["site"] = _("该场所已停用，请选择其他场所。")
    if held_at > timezone.now() + CLOCK_SKEW:
        errors["held_at"] = _("询问时间不能晚于现在。")
    participants = list(dict.fromkeys(data.pop("participants", None) or []))
    unknown = [code for code in participants if code not in Participant.values]
    if unknown:
        errors["participants"] = _("参与人员中有无法识别的类别。")
    elif not QUESTIONERS & set(participants):
        errors["participants"] = _("询问应由公安民警或检察官进行，请勾选。")
    elif not ADULTS_FOR_THE_CHILD & set(participants):
        errors["participants"] = _("询问未成年人应有法定代理人或合适成年人在场，请勾选。")
    female = data.get("female_officer")
    if child_sex(case) == "F":
        if female is None:
            errors["female_officer"] = _("被害人是女童：请填写是否有女性工作人员在场。")
        elif not female and not str(data.get("no_female_officer_reason") or "").strip():
            errors["no_female_officer_reason"] = _("询问女童时没有女性工作人员在场，必须说明原因。")
    interviews = data.get("interviews") or 1
    if not 1 <= int(interviews) <= MAX_INTERVIEWS:
        errors["interviews"] = _("询问次数应在 1 到 %(max)s 之间。") % {"max": MAX_INTERVIEWS}
    else:
        before = sum(case.one_stop_sessions.values_list("interviews", flat=True))
        if before + int(interviews) > 1 and not str(data.get("repeat_reason") or "").strip():
            errors["repeat_reason"] = _("“一次询问”原则：再次询问必须记录理由。")
    if errors:
        raise ValidationError(errors)
    session = OneStopSession.objects.create(
        case=case, site=site, held_at=held_at, participants=participants, recorded_by=actor, **data
    )
    CaseEvent.objects.create(
        case=case, at=timezone.now(), actor=actor, kind="one_stop",
        summary=_("一站式询问救助：%(site)s，%(date)s") % {"site": site.name, "date": f"{held_at:%Y-%m-%d}"},
    )  # fmt: skip
    _step_done(actor, case, Step.ONE_STOP)
    audit_record(
        action="one_stop.record", actor=actor, target=case,
        detail={"session": session.pk, "interviews": session.interviews, "site": site.pk},
    )  # fmt: skip
    return session


# Which checklist step an item of assistance fulfils.
STEP_FOR_ASSISTANCE = {
    AssistanceKind.LEGAL: Step.LEGAL_AID,
    AssistanceKind.PSYCHOLOGICAL: Step.PSYCHOLOGICAL,
    AssistanceKind.JUDICIAL: Step.RELIEF,
    AssistanceKind.SOCIAL: Step.RELIEF,
    AssistanceKind.MEDICAL: Step.RELIEF,
    AssistanceKind.PLACEMENT: Step.RELIEF,
    AssistanceKind.SCHOOLING: Step.SCHOOL,
}
MAX_AMOUNT = 1_000_000


@transaction.atomic
def assistance_record(
    *, actor: Any, case: Case, kind: str, provider: str, provided_on: dt.date, amount: Any = None, notes: str = ""
) -> Assistance:
    _require_open(actor, case)
    errors: dict[str, str] = {}
    if kind not in AssistanceKind.values:
        errors["kind"] = _("请选择救助类型。")
    if not str(provider or "").strip():
        errors["provider"] = _("请填写提供救助的单位。")
    if provided_on > timezone.localdate():
        errors["provided_on"] = _("日期不能晚于今天。")
    if amount is not None and not 0 <= amount <= MAX_AMOUNT:
        errors["amount"] = _("金额应在 0 到 %(max)s 元之间。") % {"max": f"{MAX_AMOUNT:,}"}
    if errors:
        raise ValidationError(errors)
    item = Assistance.objects.create(
        case=case, kind=kind, provider=provider.strip(), provided_on=provided_on, amount=amount, notes=notes,
        recorded_by=actor,
    )  # fmt: skip
    CaseEvent.objects.create(
        case=case, at=timezone.now(), actor=actor, kind="assistance",
        summary=_("救助帮扶：%(kind)s（%(provider)s）") % {"kind": item.get_kind_display(), "provider": item.provider},
    )  # fmt: skip
    if kind in STEP_FOR_ASSISTANCE:
        _step_done(actor, case, STEP_FOR_ASSISTANCE[AssistanceKind(kind)])
    audit_record(
        action="assistance.record", actor=actor, target=case,
        detail={"assistance": item.pk, "kind": kind, "amount": str(amount) if amount is not None else None},
    )  # fmt: skip
    return item


def escalate_protocol(*, today: dt.date | None = None) -> int:
    """Raise each checklist step that passed its due date undone, exactly once (timeline event,
    audit record; the supervisors' "my work" lists them). Reads only the partial index of open steps."""
    today = today or timezone.localdate()
    overdue = (
        ProtocolItem.objects.filter(done_at__isnull=True, escalated_at__isnull=True, due_on__lt=today)
        .select_related("case")
        .defer(*CASE_TEXTS)
    )
    return raise_once(
        overdue, "protocol_overdue", timezone.now(),
        lambda item: _("流程步骤“%(step)s”已超期（期限 %(d)s），已提醒分管领导")
        % {"step": item.get_step_display(), "d": item.due_on.isoformat()},
        action="protocol.overdue", detail=lambda item: {"step": item.step},
    )  # fmt: skip
