"""The one write path for warning letters and protection orders.

Every function checks the actor's right to edit the case (`actor=None` is the platform: demo
loader, periodic jobs), validates everything before it writes (a refusal saves nothing), and
writes the change, the timeline event and the audit record in one transaction. Timeline
summaries carry dates, units and statutory labels only — never a person's data.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.services import audit_record
from fulian.cases.models import Case, CaseEvent, Party, PartyRole
from fulian.dv.models import (
    EXPIRY_NOTICE_DAYS,
    BehalfReason,
    Measure,
    OrderExtension,
    OrderViolation,
    Outcome,
    ProtectionOrder,
    WarningLetter,
    WarningVisit,
)
from fulian.lib.batches import batched
from fulian.security.access import can

# A time "now" typed on another machine may run a little ahead of the server's clock.
CLOCK_SKEW = dt.timedelta(minutes=5)
ORDER_MONTHS = 6  # art. 30: an order (and each extension) lasts at most six months


# --- helpers ------------------------------------------------------------------------------------


def _require(actor: Any, case: Case) -> None:
    if actor is not None and not can(actor, "edit", case):
        raise PermissionDenied
    if not case.is_open:
        raise ValidationError(_("已结案的个案不能再记录反家暴措施；如有新情况，请先重新开启个案。"))


def _event(case: Case, actor: Any, kind: str, summary: str, detail: dict[str, Any] | None = None) -> None:
    CaseEvent.objects.create(case=case, at=timezone.now(), actor=actor, kind=kind, summary=summary[:200])
    audit_record(action=f"dv.{kind}", actor=actor, target=case, detail=detail or {})


def _today() -> dt.date:
    return timezone.localdate()


def _day(value: dt.date) -> str:
    return value.isoformat()


def local_time(value: dt.datetime) -> str:
    """A moment as the caseworker reads it: local time, to the minute."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` calendar months on; the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_valid_until(start: dt.date) -> dt.date:
    """The furthest expiry an order ruled (or extended from an expiry) on `start` may have."""
    return add_months(start, ORDER_MONTHS)


def _text(value: Any) -> str:
    return str(value or "").strip()


def _party(case: Case, party: Party | None, field: str, errors: dict[str, str], *, alleged: bool) -> None:
    if party is None or party.case_id != case.pk:
        errors[field] = _("请选择本个案的当事人。")
    elif alleged and party.role != PartyRole.ALLEGED:
        errors[field] = _("请选择身份为“加害人”的当事人（可先在个案中添加）。")
    elif not alleged and party.role == PartyRole.ALLEGED:
        errors[field] = _("受害人（申请人）不能是身份为“加害人”的当事人。")


def _not_future(day: dt.date | None, field: str, errors: dict[str, str]) -> None:
    if day is not None and day > _today() and field not in errors:
        errors[field] = _("日期不能晚于今天。")


def _not_before(day: dt.date | None, start: dt.date, field: str, message: str, errors: dict[str, str]) -> None:
    if day is not None and day < start and field not in errors:
        errors[field] = message


def _measures(codes: Iterable[str] | None, field: str, errors: dict[str, str]) -> list[str]:
    chosen = set(codes or [])
    if chosen - set(Measure.values):
        errors[field] = _("请从《反家庭暴力法》第二十九条规定的措施中选择。")
    return [code for code in Measure.values if code in chosen]


def _lock(order: ProtectionOrder) -> ProtectionOrder:
    """Re-read the order under a row lock: a concurrent ruling or extension is seen, never overwritten."""
    return ProtectionOrder.objects.select_for_update().get(pk=order.pk)


# --- warning letters -----------------------------------------------------------------------------


LETTER_FIELDS = (
    "number", "police_unit", "issued_on", "abuser", "victim", "facts",
    "delivered_to_abuser_on", "delivered_to_victim_on", "committee_notified_on",
)  # fmt: skip


def _clean_letter(case: Case, data: dict[str, Any], letter: WarningLetter | None = None) -> dict[str, Any]:
    data = {k: data.get(k) for k in LETTER_FIELDS}
    errors: dict[str, str] = {}
    for key in ("number", "police_unit", "facts"):
        data[key] = _text(data[key])
    if not data["number"]:
        errors["number"] = _("请填写告诫书编号。")
    if not data["police_unit"]:
        errors["police_unit"] = _("请填写出具告诫书的公安机关。")
    _party(case, data["abuser"], "abuser", errors, alleged=True)
    _party(case, data["victim"], "victim", errors, alleged=False)
    issued = data["issued_on"]
    if issued is None:
        errors["issued_on"] = _("请填写告诫书出具日期。")
    else:
        _not_future(issued, "issued_on", errors)
        for key in ("delivered_to_abuser_on", "delivered_to_victim_on"):
            _not_before(data[key], issued, key, _("送交日期不能早于告诫书出具日期。"), errors)
        _not_before(
            data["committee_notified_on"], issued, "committee_notified_on",
            _("通知居（村）民委员会的日期不能早于告诫书出具日期。"), errors,
        )  # fmt: skip
        if letter is not None:
            first = letter.visits.order_by("visited_on").values_list("visited_on", flat=True).first()
            if first is not None and first < issued:
                errors["issued_on"] = _("已有 %(d)s 的查访记录，出具日期不能晚于查访日期。") % {"d": _day(first)}
    for key in ("delivered_to_abuser_on", "delivered_to_victim_on", "committee_notified_on"):
        _not_future(data[key], key, errors)
    duplicate = WarningLetter.objects.filter(case=case, number=data["number"], police_unit=data["police_unit"])
    if letter is not None:
        duplicate = duplicate.exclude(pk=letter.pk)
    if data["number"] and "number" not in errors and duplicate.exists():
        errors["number"] = _("本个案已登记这份告诫书。")
    if errors:
        raise ValidationError(errors)
    return data


def _delivery_words(letter: WarningLetter) -> str:
    done = [
        label
        for label, day in (
            (_("已送交加害人"), letter.delivered_to_abuser_on),
            (_("已送交受害人"), letter.delivered_to_victim_on),
            (_("已通知居（村）委会"), letter.committee_notified_on),
        )
        if day is not None
    ]
    return "、".join(done)


@transaction.atomic
def letter_record(*, actor: Any, case: Case, **data: Any) -> WarningLetter:
    """Record a police warning letter (告诫书) issued on this case."""
    _require(actor, case)
    data = _clean_letter(case, data)
    letter = WarningLetter.objects.create(case=case, recorded_by=actor, **data)
    words = _delivery_words(letter)
    _event(
        case, actor, "warning_letter",
        _("登记告诫书：%(unit)s，%(d)s 出具") % {"unit": letter.police_unit, "d": _day(letter.issued_on)}
        + (f"（{words}）" if words else ""),
        {"letter": letter.pk},
    )  # fmt: skip
    return letter


@transaction.atomic
def letter_update(*, actor: Any, letter: WarningLetter, **data: Any) -> WarningLetter:
    """Change a letter (typically: record its delivery and the committee's notification later)."""
    case = letter.case
    _require(actor, case)
    letter = WarningLetter.objects.select_for_update().get(pk=letter.pk)
    data = _clean_letter(case, data, letter)
    changed = sorted(k for k, v in data.items() if getattr(letter, k) != v)
    if not changed:
        return letter
    for key, value in data.items():
        setattr(letter, key, value)
    letter.save()
    words = _delivery_words(letter)
    _event(
        case, actor, "warning_letter_change",
        _("修改告诫书信息（%(unit)s，%(d)s 出具）") % {"unit": letter.police_unit, "d": _day(letter.issued_on)}
        + (f"：{words}" if words else ""),
        {"letter": letter.pk, "changed": changed},
    )  # fmt: skip
    return letter


@transaction.atomic
def visit_record(
    *, actor: Any, letter: WarningLetter, visited_on: dt.date, visited_by: str, findings: str,
    abuse_stopped: bool | None = None,
) -> WarningVisit:  # fmt: skip
    """Record a follow-up visit (查访) after a warning letter (art. 17)."""
    case = letter.case
    _require(actor, case)
    errors: dict[str, str] = {}
    if visited_on is None:
        errors["visited_on"] = _("请填写查访日期。")
    else:
        _not_before(visited_on, letter.issued_on, "visited_on", _("查访日期不能早于告诫书出具日期。"), errors)
        _not_future(visited_on, "visited_on", errors)
    if not _text(visited_by):
        errors["visited_by"] = _("请填写查访单位（如派出所、居民委员会）。")
    if not _text(findings):
        errors["findings"] = _("请填写查访情况。")
    if errors:
        raise ValidationError(errors)
    visit = WarningVisit.objects.create(
        letter=letter, visited_on=visited_on, visited_by=_text(visited_by), findings=_text(findings),
        abuse_stopped=abuse_stopped, recorded_by=actor,
    )  # fmt: skip
    # What the visit found about the abuser stays in the encrypted record, not on the timeline.
    _event(
        case, actor, "warning_visit",
        _("告诫书查访：%(d)s，%(by)s") % {"d": _day(visited_on), "by": visit.visited_by},
        {"letter": letter.pk, "visit": visit.pk},
    )  # fmt: skip
    return visit


# --- protection orders: application and ruling ---------------------------------------------------


@transaction.atomic
def order_apply(
    *,
    actor: Any,
    case: Case,
    applicant: Party,
    respondent: Party,
    court: str,
    applied_at: dt.datetime,
    urgent: bool = False,
    on_behalf: bool = False,
    behalf_reason: str = "",
    measures_requested: Iterable[str] = (),
    other_requested: str = "",
    facts: str = "",
) -> ProtectionOrder:
    """Record an application for a personal safety protection order; its ruling due time follows."""
    _require(actor, case)
    errors: dict[str, str] = {}
    _party(case, applicant, "applicant", errors, alleged=False)
    _party(case, respondent, "respondent", errors, alleged=True)
    if not _text(court):
        errors["court"] = _("请填写受理申请的人民法院。")
    if applied_at is None:
        errors["applied_at"] = _("请填写申请时间。")
    elif applied_at > timezone.now() + CLOCK_SKEW:
        errors["applied_at"] = _("申请时间不能晚于现在。")
    behalf_reason = behalf_reason or ""
    if on_behalf and behalf_reason not in (BehalfReason.INCAPACITY, BehalfReason.COERCION):
        errors["behalf_reason"] = _(
            "妇联代为申请须属于《反家庭暴力法》第二十三条规定的情形：当事人无（或限制）民事行为能力，或因受到强制、威吓等原因无法申请。"
        )
    if not on_behalf and behalf_reason:
        errors["behalf_reason"] = _("由当事人本人申请时不填写代为申请的原因。")
    measures = _measures(measures_requested, "measures_requested", errors)
    if not measures and "measures_requested" not in errors:
        errors["measures_requested"] = _("请至少选择一项申请的措施。")
    if Measure.OTHER in measures and not _text(other_requested):
        errors["other_requested"] = _("申请“其他措施”时请写明具体内容。")
    if errors:
        raise ValidationError(errors)
    order = ProtectionOrder.objects.create(
        case=case,
        applicant=applicant,
        respondent=respondent,
        on_behalf=on_behalf,
        behalf_reason=behalf_reason if on_behalf else "",
        court=_text(court),
        applied_at=applied_at,
        urgent=urgent,
        ruling_due=ProtectionOrder.due_for(applied_at, urgent),
        measures_requested=measures,
        other_requested=_text(other_requested) if Measure.OTHER in measures else "",
        facts=_text(facts),
        recorded_by=actor,
    )
    words = {
        "court": order.court,
        "who": _("妇联代为申请") if on_behalf else _("当事人申请"),
        "kind": _("紧急") if urgent else _("普通"),
        "due": local_time(order.ruling_due),
    }
    _event(
        case, actor, "order_apply",
        _("申请人身安全保护令：%(court)s，%(who)s，%(kind)s，应于 %(due)s 前裁定") % words,
        {"order": order.pk, "urgent": urgent, "on_behalf": on_behalf},
    )  # fmt: skip
    return order


@transaction.atomic
def order_rule(
    *,
    actor: Any,
    order: ProtectionOrder,
    ruled_at: dt.datetime,
    outcome: str,
    measures_granted: Iterable[str] = (),
    other_granted: str = "",
    valid_until: dt.date | None = None,
    ruling_number: str = "",
) -> ProtectionOrder:
    """Record the court's ruling: granted (with measures and expiry) or refused."""
    case = order.case
    _require(actor, case)
    order = _lock(order)
    if order.outcome != Outcome.PENDING:
        raise ValidationError(_("该申请已有裁定结果（%(o)s），不能重复登记。") % {"o": order.get_outcome_display()})
    errors: dict[str, str] = {}
    if outcome not in (Outcome.GRANTED, Outcome.REFUSED):
        errors["outcome"] = _("请选择裁定结果：准予或驳回。")
    if ruled_at is None:
        errors["ruled_at"] = _("请填写裁定时间。")
    elif ruled_at < order.applied_at:
        errors["ruled_at"] = _("裁定时间不能早于申请时间（%(t)s）。") % {"t": local_time(order.applied_at)}
    elif ruled_at > timezone.now() + CLOCK_SKEW:
        errors["ruled_at"] = _("裁定时间不能晚于现在。")
    measures = _measures(measures_granted, "measures_granted", errors)
    if outcome == Outcome.REFUSED:
        if measures or _text(other_granted):
            errors["measures_granted"] = _("驳回申请的裁定不能有保护措施。")
        if valid_until is not None:
            errors["valid_until"] = _("驳回申请的裁定没有有效期。")
    elif outcome == Outcome.GRANTED:
        if not measures and "measures_granted" not in errors:
            errors["measures_granted"] = _("准予保护令时请至少选择一项裁定的措施。")
        if Measure.OTHER in measures and not _text(other_granted):
            errors["other_granted"] = _("裁定“其他措施”时请写明具体内容。")
        if valid_until is None:
            errors["valid_until"] = _("请填写保护令的有效期。")
        elif ruled_at is not None and "ruled_at" not in errors:
            ruled_on = timezone.localdate(ruled_at)
            if valid_until < ruled_on:
                errors["valid_until"] = _("有效期不能早于裁定日期。")
            elif valid_until > latest_valid_until(ruled_on):
                errors["valid_until"] = _("人身安全保护令的有效期不超过六个月：自裁定日 %(from)s 起最长至 %(to)s。") % {
                    "from": _day(ruled_on),
                    "to": _day(latest_valid_until(ruled_on)),
                }
    if errors:
        raise ValidationError(errors)
    order.ruled_at, order.outcome, order.ruling_number = ruled_at, outcome, _text(ruling_number)
    granted = outcome == Outcome.GRANTED
    order.measures_granted = measures if granted else []
    order.other_granted = _text(other_granted) if granted and Measure.OTHER in measures else ""
    order.valid_until = valid_until if granted else None
    order.save(
        update_fields=["ruled_at", "outcome", "ruling_number", "measures_granted", "other_granted", "valid_until"]
    )
    late = _("（超过法定裁定期限）") if order.ruled_late else ""
    if granted and valid_until is not None:
        summary = _("法院裁定准予人身安全保护令，有效期至 %(d)s；措施：%(m)s") % {
            "d": _day(valid_until), "m": "；".join(str(label) for label in order.measure_labels()),
        }  # fmt: skip
    else:
        summary = _("法院裁定驳回人身安全保护令申请")
    _event(
        case, actor, "order_ruling", summary + late, {"order": order.pk, "outcome": outcome, "late": order.ruled_late}
    )
    return order


# --- protection orders: after the ruling ---------------------------------------------------------


def _granted_span(order: ProtectionOrder, doing: str) -> tuple[dt.date, dt.date]:
    """The ruling day and the expiry of a granted order not revoked; otherwise refuse `doing`."""
    if order.outcome != Outcome.GRANTED or order.ruled_on is None or order.valid_until is None:
        raise ValidationError(
            _("只有法院已准予的保护令才能%(doing)s（当前：%(o)s）。")
            % {"doing": doing, "o": order.get_outcome_display()}
        )
    if order.revoked_on is not None:
        raise ValidationError(_("该保护令已于 %(d)s 撤销。") % {"d": _day(order.revoked_on)})
    return order.ruled_on, order.valid_until


@transaction.atomic
def order_extend(
    *, actor: Any, order: ProtectionOrder, decided_on: dt.date, decision: str, valid_until: dt.date
) -> OrderExtension:
    """Record the court's extension, decided before the order lapsed, for at most six more months."""
    case = order.case
    _require(actor, case)
    order = _lock(order)
    ruled_on, previous = _granted_span(order, _("延长"))
    errors: dict[str, str] = {}
    if decided_on is None:
        errors["decided_on"] = _("请填写延长裁定的日期。")
    else:
        _not_future(decided_on, "decided_on", errors)
        _not_before(decided_on, ruled_on, "decided_on", _("延长裁定日期不能早于保护令裁定日期。"), errors)
        if decided_on > previous and "decided_on" not in errors:
            errors["decided_on"] = _("保护令已于 %(d)s 失效，失效后不能延长，请重新申请。") % {"d": _day(previous)}
    if not _text(decision):
        errors["decision"] = _("请填写延长裁定的文号。")
    if valid_until is None:
        errors["valid_until"] = _("请填写延长后的有效期。")
    elif valid_until <= previous:
        errors["valid_until"] = _("延长后的有效期应晚于原有效期（%(d)s）。") % {"d": _day(previous)}
    elif valid_until > latest_valid_until(previous):
        errors["valid_until"] = _("每次延长不超过六个月：自原有效期 %(from)s 起最长至 %(to)s。") % {
            "from": _day(previous), "to": _day(latest_valid_until(previous)),
        }  # fmt: skip
    if errors:
        raise ValidationError(errors)
    extension = OrderExtension.objects.create(
        order=order, decided_on=decided_on, decision=_text(decision), previous_valid_until=previous,
        valid_until=valid_until, recorded_by=actor,
    )  # fmt: skip
    # The expiry reminder is kept per valid_until value: the new expiry arms it again.
    ProtectionOrder.objects.filter(pk=order.pk).update(valid_until=valid_until)
    order.valid_until = valid_until
    _event(
        case, actor, "order_extend",
        _("人身安全保护令延长：有效期由 %(a)s 延至 %(b)s") % {"a": _day(previous), "b": _day(valid_until)},
        {"order": order.pk, "extension": extension.pk},
    )  # fmt: skip
    return extension


@transaction.atomic
def order_revoke(*, actor: Any, order: ProtectionOrder, revoked_on: dt.date, reason: str) -> ProtectionOrder:
    """Record the court's revocation of a granted order (art. 30), before it lapsed."""
    case = order.case
    _require(actor, case)
    order = _lock(order)
    ruled_on, valid_until = _granted_span(order, _("撤销"))
    errors: dict[str, str] = {}
    if revoked_on is None:
        errors["revoked_on"] = _("请填写撤销日期。")
    else:
        _not_future(revoked_on, "revoked_on", errors)
        _not_before(revoked_on, ruled_on, "revoked_on", _("撤销日期不能早于保护令裁定日期。"), errors)
        if revoked_on > valid_until and "revoked_on" not in errors:
            errors["revoked_on"] = _("保护令已于 %(d)s 失效，无需撤销。") % {"d": _day(valid_until)}
    if not _text(reason):
        errors["reason"] = _("请填写撤销原因。")
    if errors:
        raise ValidationError(errors)
    order.revoked_on, order.revoke_reason = revoked_on, _text(reason)
    order.save(update_fields=["revoked_on", "revoke_reason"])
    _event(case, actor, "order_revoke", _("人身安全保护令于 %(d)s 撤销") % {"d": _day(revoked_on)}, {"order": order.pk})
    return order


@transaction.atomic
def violation_record(
    *,
    actor: Any,
    order: ProtectionOrder,
    occurred_on: dt.date,
    description: str,
    reported_to_police: bool = False,
    reported_to_court: bool = False,
) -> OrderViolation:
    """Record a breach of the order on a day it was in force (art. 34), and whether the police and
    the court were told. A revoked or lapsed order can still get a breach from while it was in force."""
    case = order.case
    _require(actor, case)
    order = _lock(order)
    if order.outcome != Outcome.GRANTED:
        raise ValidationError(
            _("只有法院已准予的保护令才能%(doing)s（当前：%(o)s）。")
            % {"doing": _("记录违反情况"), "o": order.get_outcome_display()}
        )
    errors: dict[str, str] = {}
    if occurred_on is None:
        errors["occurred_on"] = _("请填写发生日期。")
    else:
        _not_future(occurred_on, "occurred_on", errors)
        if "occurred_on" not in errors and not order.in_force(occurred_on):
            errors["occurred_on"] = _("该日期保护令不在有效期内（裁定日 %(a)s 至 %(b)s%(r)s）。") % {
                "a": _day(order.ruled_on) if order.ruled_on else "—",
                "b": _day(order.valid_until) if order.valid_until else "—",
                "r": _("，%(d)s 撤销") % {"d": _day(order.revoked_on)} if order.revoked_on else "",
            }
    if not _text(description):
        errors["description"] = _("请填写违反保护令的情况。")
    if errors:
        raise ValidationError(errors)
    violation = OrderViolation.objects.create(
        order=order, occurred_on=occurred_on, description=_text(description),
        reported_to_police=reported_to_police, reported_to_court=reported_to_court, recorded_by=actor,
    )  # fmt: skip
    told = [str(w) for w, flag in ((_("公安机关"), reported_to_police), (_("人民法院"), reported_to_court)) if flag]
    _event(
        case, actor, "order_violation",
        _("记录违反人身安全保护令行为（%(d)s）") % {"d": _day(occurred_on)}
        + (_("，已报告%(to)s") % {"to": "、".join(told)} if told else _("，尚未报告")),
        {"order": order.pk, "violation": violation.pk},
    )  # fmt: skip
    return violation


# --- reminders ------------------------------------------------------------------------------------


# Encrypted texts the alert job never reads (left undecrypted).
ALERT_DEFERRED = ("case__summary", "case__assessment", "case__plan", "case__close_reason", "other_requested", "facts",
                  "other_granted", "revoke_reason")  # fmt: skip


def order_alerts(now: dt.datetime | None = None) -> dict[str, int]:
    """Raise, once each, the two protection-order reminders, on the case timeline and in the audit trail:

    - ruling overdue: pending past its ruling due time (once per order);
    - expiry near: in force and expiring within EXPIRY_NOTICE_DAYS (once per order and valid_until
      value, so an extension arms it again).

    Each is claimed by a conditional UPDATE, so two workers never raise the same one twice. The scans
    read the two partial indexes (pending rulings; orders in force by expiry). Run by the worker.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"ruling_overdue": 0, "expiring": 0}
    overdue = (
        ProtectionOrder.objects.filter(outcome=Outcome.PENDING, ruling_due__lt=now, ruling_alerted_at__isnull=True)
        .select_related("case")
        .defer(*ALERT_DEFERRED)
        .order_by("ruling_due")
    )
    for batch in batched(overdue.iterator()):
        with transaction.atomic():
            for order in batch:
                claimed = ProtectionOrder.objects.filter(
                    pk=order.pk, outcome=Outcome.PENDING, ruling_alerted_at__isnull=True
                ).update(ruling_alerted_at=now)
                if claimed:
                    _event(
                        order.case, None, "order_ruling_overdue",
                        _("人身安全保护令申请已超过法定裁定期限（应于 %(due)s 前裁定，%(court)s），请跟进")
                        % {"due": local_time(order.ruling_due), "court": order.court},
                        {"order": order.pk},
                    )  # fmt: skip
                    counts["ruling_overdue"] += 1
    not_alerted = Q(expiry_alerted_for__isnull=True) | ~Q(expiry_alerted_for=F("valid_until"))
    expiring = (
        ProtectionOrder.objects.filter(
            outcome=Outcome.GRANTED,
            revoked_on__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=EXPIRY_NOTICE_DAYS),
        )
        .filter(not_alerted)
        .select_related("case")
        .defer(*ALERT_DEFERRED)
        .order_by("valid_until")
    )
    for batch in batched(expiring.iterator()):
        with transaction.atomic():
            for order in batch:
                claimed = (
                    ProtectionOrder.objects.filter(pk=order.pk, valid_until=order.valid_until, revoked_on__isnull=True)
                    .filter(not_alerted)
                    .update(expiry_alerted_for=order.valid_until)
                )
                if claimed and order.valid_until is not None:
                    _event(
                        order.case, None, "order_expiring",
                        _("人身安全保护令将于 %(d)s 到期，如需继续保护请协助申请延长") % {"d": _day(order.valid_until)},
                        {"order": order.pk, "valid_until": _day(order.valid_until)},
                    )  # fmt: skip
                    counts["expiring"] += 1
    return counts
