"""Warning letters and protection orders: the statutory time limits at their edges, every bad input
refused in Chinese with nothing saved, the reminders raised exactly once, the timeline kept free of
personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.cases.models import Case, CaseEvent, PartyRole
from fulian.cases.services import party_add
from fulian.dv import services as dv
from fulian.dv.demo import load_dv_demo
from fulian.dv.models import OrderExtension, OrderViolation, ProtectionOrder, WarningLetter, WarningVisit
from tests.dv.conftest import apply, at, granted
from tests.factories import make_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
SECOND = dt.timedelta(seconds=1)
PERSONAL = (
    "陈晓梅",
    "王大强",
    "13905621234",
    "340702199001011239",
    "幸福小区",
    "酒后殴打",
    "仍有威胁",
    "搬家",
    "又到单位",
)


def _letter_data(victim, abuser, **extra):
    issued = TODAY() - dt.timedelta(days=10)
    data = {
        "number": "铜公（天）告字〔2026〕017号", "police_unit": "天井湖派出所", "issued_on": issued,
        "abuser": abuser, "victim": victim, "facts": "酒后殴打受害人。",
        "delivered_to_abuser_on": issued, "delivered_to_victim_on": issued + dt.timedelta(days=1),
        "committee_notified_on": issued + dt.timedelta(days=1),
    }  # fmt: skip
    data.update(extra)
    return data


def _kinds(case):
    return list(case.events.values_list("kind", flat=True))


# --- the ruling's time limit (art. 28) -----------------------------------------------------------------


@pytest.mark.parametrize(("urgent", "hours"), [(True, 24), (False, 72)])
def test_the_ruling_is_due_24_hours_after_an_urgent_application_and_72_after_another(
    owner, case, victim, abuser, urgent, hours
):
    applied = timezone.now() - dt.timedelta(days=10)
    order = apply(owner, case, victim, abuser, applied_at=applied, urgent=urgent)
    due = applied + dt.timedelta(hours=hours)
    order.refresh_from_db()
    assert order.ruling_due == due  # stored, for the indexed scan
    assert not order.ruling_overdue(due)
    assert order.ruling_overdue(due + SECOND)
    assert dv.order_alerts(now=due) == {"ruling_overdue": 0, "expiring": 0}
    ruled = dv.order_rule(actor=owner, order=order, ruled_at=due, outcome="refused")
    assert not ruled.ruled_late  # exactly at the due time is on time
    assert "超过法定裁定期限" not in case.events.get(kind="order_ruling").summary


def test_a_ruling_one_second_after_the_due_time_is_late(owner, case, victim, abuser):
    applied = timezone.now() - dt.timedelta(days=3)
    order = apply(owner, case, victim, abuser, applied_at=applied, urgent=True)
    ruled = dv.order_rule(
        actor=owner, order=order, ruled_at=applied + dt.timedelta(hours=24) + SECOND, outcome="granted",
        measures_granted=["no_violence"], valid_until=TODAY() + dt.timedelta(days=90),
    )  # fmt: skip
    assert ruled.ruled_late
    assert "超过法定裁定期限" in case.events.get(kind="order_ruling").summary
    audit = AuditEvent.objects.get(action="dv.order_ruling")
    assert audit.detail["late"] is True


# --- six months (art. 30) --------------------------------------------------------------------------------


def test_six_months_are_calendar_months_ending_on_the_months_last_day_when_shorter():
    assert dv.latest_valid_until(dt.date(2026, 8, 31)) == dt.date(2027, 2, 28)
    assert dv.latest_valid_until(dt.date(2027, 8, 31)) == dt.date(2028, 2, 29)  # a leap year
    assert dv.latest_valid_until(dt.date(2026, 3, 15)) == dt.date(2026, 9, 15)
    assert dv.latest_valid_until(dt.date(2026, 7, 1)) == dt.date(2027, 1, 1)
    assert dv.add_months(dt.date(2026, 5, 31), -6) == dt.date(2025, 11, 30)


def test_an_order_valid_exactly_six_months_is_allowed_and_one_day_more_refused(owner, case, victim, abuser):
    ruled_on = dt.date(2026, 8, 31)
    order = apply(owner, case, victim, abuser, applied_at=at(ruled_on) - dt.timedelta(hours=48))
    rule = {"actor": owner, "order": order, "ruled_at": at(ruled_on), "outcome": "granted",
            "measures_granted": ["no_violence", "move_out"]}  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        dv.order_rule(**rule, valid_until=dt.date(2027, 3, 1))
    message = " ".join(raised.value.message_dict["valid_until"])
    assert "不超过六个月" in message
    assert "2027-02-28" in message
    order.refresh_from_db()
    assert order.outcome == "pending"
    assert order.valid_until is None
    ruled = dv.order_rule(**rule, valid_until=dt.date(2027, 2, 28))
    assert ruled.valid_until == dt.date(2027, 2, 28)
    assert ruled.measures_granted == ["no_violence", "move_out"]


def test_an_extension_reaches_exactly_six_months_past_the_previous_expiry(owner, case, victim, abuser):
    order = granted(owner, case, victim, abuser, TODAY() - dt.timedelta(days=30))
    previous = order.valid_until
    furthest = dv.latest_valid_until(previous)
    extend = {"actor": owner, "order": order, "decided_on": TODAY(), "decision": "（2026）皖0705民保令3号之一"}
    with pytest.raises(ValidationError) as raised:
        dv.order_extend(**extend, valid_until=furthest + dt.timedelta(days=1))
    assert "每次延长不超过六个月" in " ".join(raised.value.message_dict["valid_until"])
    assert not OrderExtension.objects.exists()
    extension = dv.order_extend(**extend, valid_until=furthest)
    order.refresh_from_db()
    assert order.valid_until == furthest
    assert (extension.previous_valid_until, extension.valid_until) == (previous, furthest)
    assert f"由 {previous.isoformat()} 延至 {furthest.isoformat()}" in case.events.get(kind="order_extend").summary


def test_a_lapsed_order_cannot_be_extended(owner, case, victim, abuser):
    ruled_on = dv.add_months(TODAY(), -8)
    order = granted(owner, case, victim, abuser, ruled_on)  # lapsed about two months ago
    with pytest.raises(ValidationError, match="失效后不能延长"):
        dv.order_extend(
            actor=owner, order=order, decided_on=TODAY(), decision="x", valid_until=TODAY() + dt.timedelta(days=30)
        )
    assert not OrderExtension.objects.exists()


# --- bad input: refused with a Chinese message, nothing saved -------------------------------------------
# Each scenario prepares what it needs, then returns (the row it must leave unchanged or None, the
# refused call, the field the message is on or None for the whole form, a part of the message).


def ruling_before_the_application(o, c, v, a):
    order = apply(o, c, v, a)
    return (
        order,
        lambda: dv.order_rule(
            actor=o, order=order, ruled_at=order.applied_at - dt.timedelta(minutes=1), outcome="refused"
        ),
        "ruled_at",
        "不能早于申请时间",
    )


def ruling_in_the_future(o, c, v, a):
    order = apply(o, c, v, a)
    return order, lambda: dv.order_rule(
        actor=o, order=order, ruled_at=timezone.now() + dt.timedelta(hours=1), outcome="granted",
        measures_granted=["no_violence"], valid_until=TODAY() + dt.timedelta(days=30),
    ), "ruled_at", "不能晚于现在"  # fmt: skip


def order_valid_longer_than_six_months(o, c, v, a):
    ruled_on = TODAY() - dt.timedelta(days=10)
    order = apply(o, c, v, a, applied_at=at(ruled_on) - dt.timedelta(hours=30))
    return order, lambda: dv.order_rule(
        actor=o, order=order, ruled_at=at(ruled_on), outcome="granted", measures_granted=["no_violence"],
        valid_until=dv.add_months(ruled_on, 7),
    ), "valid_until", "有效期不超过六个月"  # fmt: skip


def valid_until_before_the_ruling(o, c, v, a):
    ruled_on = TODAY() - dt.timedelta(days=10)
    order = apply(o, c, v, a, applied_at=at(ruled_on) - dt.timedelta(hours=30))
    return order, lambda: dv.order_rule(
        actor=o, order=order, ruled_at=at(ruled_on), outcome="granted", measures_granted=["no_violence"],
        valid_until=ruled_on - dt.timedelta(days=1),
    ), "valid_until", "不能早于裁定日期"  # fmt: skip


def measures_on_a_refused_order(o, c, v, a):
    order = apply(o, c, v, a, applied_at=timezone.now() - dt.timedelta(hours=5))
    return (
        order,
        lambda: dv.order_rule(
            actor=o, order=order, ruled_at=timezone.now(), outcome="refused", measures_granted=["no_contact"]
        ),
        "measures_granted",
        "驳回申请的裁定不能有保护措施",
    )


def granted_without_measures(o, c, v, a):
    order = apply(o, c, v, a, applied_at=timezone.now() - dt.timedelta(hours=5))
    return (
        order,
        lambda: dv.order_rule(actor=o, order=order, ruled_at=timezone.now(), outcome="granted", valid_until=TODAY()),
        "measures_granted",
        "至少选择一项",
    )


def second_ruling(o, c, v, a):
    order = granted(o, c, v, a, TODAY() - dt.timedelta(days=3))
    return (
        order,
        lambda: dv.order_rule(actor=o, order=order, ruled_at=timezone.now(), outcome="refused"),
        None,
        "已有裁定结果",
    )


def extension_beyond_six_months(o, c, v, a):
    order = granted(o, c, v, a, TODAY() - dt.timedelta(days=20))
    assert order.valid_until is not None
    return order, lambda: dv.order_extend(
        actor=o, order=order, decided_on=TODAY(), decision="之一",
        valid_until=dv.add_months(order.valid_until, 6) + dt.timedelta(days=1),
    ), "valid_until", "每次延长不超过六个月"  # fmt: skip


def revoking_a_pending_order(o, c, v, a):
    order = apply(o, c, v, a)
    return (
        order,
        lambda: dv.order_revoke(actor=o, order=order, revoked_on=TODAY(), reason="当事人申请"),
        None,
        ("只有法院已准予的保护令才能撤销"),
    )


def revoking_a_refused_order(o, c, v, a):
    order = apply(o, c, v, a, applied_at=timezone.now() - dt.timedelta(hours=5))
    order = dv.order_rule(actor=o, order=order, ruled_at=timezone.now(), outcome="refused")
    return (
        order,
        lambda: dv.order_revoke(actor=o, order=order, revoked_on=TODAY(), reason="x"),
        None,
        ("只有法院已准予的保护令才能撤销（当前：驳回）"),
    )


def revoking_a_lapsed_order(o, c, v, a):
    order = granted(o, c, v, a, dv.add_months(TODAY(), -7))
    return (
        order,
        lambda: dv.order_revoke(actor=o, order=order, revoked_on=TODAY(), reason="x"),
        "revoked_on",
        "无需撤销",
    )


def extending_a_refused_order(o, c, v, a):
    order = apply(o, c, v, a, applied_at=timezone.now() - dt.timedelta(hours=5))
    order = dv.order_rule(actor=o, order=order, ruled_at=timezone.now(), outcome="refused")
    return (
        order,
        lambda: dv.order_extend(
            actor=o, order=order, decided_on=TODAY(), decision="x", valid_until=TODAY() + dt.timedelta(days=30)
        ),
        None,
        "只有法院已准予的保护令才能延长",
    )


def violation_outside_the_order(o, c, v, a):
    order = granted(o, c, v, a, TODAY() - dt.timedelta(days=3))
    return (
        order,
        lambda: dv.violation_record(
            actor=o, order=order, occurred_on=TODAY() - dt.timedelta(days=4), description="又到单位纠缠"
        ),
        "occurred_on",
        "不在有效期内",
    )


def violation_of_a_pending_order(o, c, v, a):
    order = apply(o, c, v, a)
    return (
        order,
        lambda: dv.violation_record(actor=o, order=order, occurred_on=TODAY(), description="x"),
        None,
        "只有法院已准予的保护令才能记录违反情况",
    )


def on_behalf_without_a_statutory_reason(o, c, v, a):
    return None, lambda: apply(o, c, v, a, on_behalf=True), "behalf_reason", "第二十三条"


def the_abuser_as_applicant(o, c, v, a):
    return None, lambda: apply(o, c, a, a), "applicant", "不能是身份为“加害人”"


def a_respondent_who_is_not_the_abuser(o, c, v, a):
    family = party_add(actor=o, case=c, role=PartyRole.FAMILY, name="王小明", relationship="儿子")
    return None, lambda: apply(o, c, v, family), "respondent", "加害人"


def a_party_of_another_case(o, c, v, a):
    other = make_case(c.organisation, o, helped={"name": "李某"})
    stranger = party_add(actor=o, case=other, role=PartyRole.ALLEGED, name="张某")
    return None, lambda: apply(o, c, v, stranger), "respondent", "本个案的当事人"


def application_in_the_future(o, c, v, a):
    return (
        None,
        lambda: apply(o, c, v, a, applied_at=timezone.now() + dt.timedelta(hours=2)),
        "applied_at",
        ("不能晚于现在"),
    )


def other_measure_without_its_content(o, c, v, a):
    return None, lambda: apply(o, c, v, a, measures_requested=["other"]), "other_requested", "写明具体内容"


def letter_delivered_to_the_abuser_before_it_was_issued(o, c, v, a):
    issued = TODAY() - dt.timedelta(days=3)
    data = _letter_data(v, a, issued_on=issued, delivered_to_abuser_on=issued - dt.timedelta(days=1))
    return (
        None,
        lambda: dv.letter_record(actor=o, case=c, **data),
        "delivered_to_abuser_on",
        ("送交日期不能早于告诫书出具日期"),
    )


def letter_delivered_to_the_victim_before_it_was_issued(o, c, v, a):
    issued = TODAY() - dt.timedelta(days=3)
    data = _letter_data(v, a, issued_on=issued, delivered_to_victim_on=issued - dt.timedelta(days=2))
    return (
        None,
        lambda: dv.letter_record(actor=o, case=c, **data),
        "delivered_to_victim_on",
        ("送交日期不能早于告诫书出具日期"),
    )


def committee_notified_before_the_letter(o, c, v, a):
    issued = TODAY() - dt.timedelta(days=3)
    data = _letter_data(v, a, issued_on=issued, committee_notified_on=issued - dt.timedelta(days=1))
    return None, lambda: dv.letter_record(actor=o, case=c, **data), "committee_notified_on", "不能早于告诫书出具日期"


def letter_issued_in_the_future(o, c, v, a):
    data = _letter_data(v, a, issued_on=TODAY() + dt.timedelta(days=1), delivered_to_abuser_on=None,
                        delivered_to_victim_on=None, committee_notified_on=None)  # fmt: skip
    return None, lambda: dv.letter_record(actor=o, case=c, **data), "issued_on", "不能晚于今天"


def visit_before_the_letter(o, c, v, a):
    letter = dv.letter_record(actor=o, case=c, **_letter_data(v, a))
    return (
        letter,
        lambda: dv.visit_record(
            actor=o,
            letter=letter,
            visited_on=letter.issued_on - dt.timedelta(days=1),
            visited_by="派出所",
            findings="x",
        ),
        "visited_on",
        "查访日期不能早于告诫书出具日期",
    )


def letter_moved_after_its_visit(o, c, v, a):
    letter = dv.letter_record(actor=o, case=c, **_letter_data(v, a))
    dv.visit_record(actor=o, letter=letter, visited_on=letter.issued_on, visited_by="派出所", findings="已查访")
    data = _letter_data(v, a, issued_on=letter.issued_on + dt.timedelta(days=1))
    return letter, lambda: dv.letter_update(actor=o, letter=letter, **data), "issued_on", "不能晚于查访日期"


def the_same_letter_twice(o, c, v, a):
    dv.letter_record(actor=o, case=c, **_letter_data(v, a))
    return None, lambda: dv.letter_record(actor=o, case=c, **_letter_data(v, a)), "number", "已登记这份告诫书"


def anything_on_a_closed_case(o, c, v, a):
    Case.objects.filter(pk=c.pk).update(status="closed")
    c.refresh_from_db()
    return None, lambda: apply(o, c, v, a), None, "已结案的个案不能再记录反家暴措施"


SCENARIOS = [
    ruling_before_the_application, ruling_in_the_future, order_valid_longer_than_six_months,
    valid_until_before_the_ruling, measures_on_a_refused_order, granted_without_measures, second_ruling,
    extension_beyond_six_months, revoking_a_pending_order, revoking_a_refused_order, revoking_a_lapsed_order,
    extending_a_refused_order, violation_outside_the_order, violation_of_a_pending_order,
    on_behalf_without_a_statutory_reason, the_abuser_as_applicant, a_respondent_who_is_not_the_abuser,
    a_party_of_another_case, application_in_the_future, other_measure_without_its_content,
    letter_delivered_to_the_abuser_before_it_was_issued, letter_delivered_to_the_victim_before_it_was_issued,
    committee_notified_before_the_letter, letter_issued_in_the_future, visit_before_the_letter,
    letter_moved_after_its_visit, the_same_letter_twice, anything_on_a_closed_case,
]  # fmt: skip


def _snapshot(row):
    counts = [m.objects.count() for m in (WarningLetter, WarningVisit, ProtectionOrder, OrderExtension, OrderViolation,
                                          CaseEvent, AuditEvent)]  # fmt: skip
    return counts, (type(row).objects.filter(pk=row.pk).values().get() if row is not None else None)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(owner, case, victim, abuser, scenario):
    row, call, field, message = scenario(owner, case, victim, abuser)
    before = _snapshot(row)
    with pytest.raises(ValidationError) as raised:
        call()
    messages = raised.value.message_dict[field] if field else raised.value.messages
    assert message in " ".join(messages)
    assert _snapshot(row) == before


def test_only_who_may_edit_the_case_records_measures(owner, colleague, outsider, reader, case, victim, abuser):
    for user in (outsider, reader):
        with pytest.raises(PermissionDenied):
            dv.letter_record(actor=user, case=case, **_letter_data(victim, abuser))
        with pytest.raises(PermissionDenied):
            apply(user, case, victim, abuser)
    order = apply(owner, case, victim, abuser, applied_at=timezone.now() - dt.timedelta(hours=2))
    with pytest.raises(PermissionDenied):
        dv.order_rule(actor=outsider, order=order, ruled_at=timezone.now(), outcome="refused")
    assert not WarningLetter.objects.exists()
    # The supervisor above the county may.
    dv.order_rule(actor=colleague, order=order, ruled_at=timezone.now(), outcome="refused")
    dv.letter_record(actor=colleague, case=case, **_letter_data(victim, abuser))


# --- the whole record, on the timeline and in the audit trail, without personal data --------------------


def test_every_step_is_on_the_timeline_and_audited_without_personal_data(owner, case, victim, abuser):
    letter = dv.letter_record(
        actor=owner, case=case, **_letter_data(victim, abuser, delivered_to_victim_on=None, committee_notified_on=None)
    )
    dv.letter_update(
        actor=owner, letter=letter,
        **_letter_data(victim, abuser, delivered_to_victim_on=letter.issued_on, committee_notified_on=letter.issued_on),
    )  # fmt: skip
    dv.visit_record(
        actor=owner, letter=letter, visited_on=TODAY() - dt.timedelta(days=2), visited_by="天井湖派出所",
        findings="加害人仍有威胁。", abuse_stopped=False,
    )  # fmt: skip
    pending = apply(owner, case, victim, abuser, on_behalf=True, behalf_reason="coercion", urgent=True)
    assert pending.on_behalf
    order = granted(owner, case, victim, abuser, TODAY() - dt.timedelta(days=40))
    dv.order_extend(
        actor=owner,
        order=order,
        decided_on=TODAY(),
        decision="之一",
        valid_until=dv.latest_valid_until(order.valid_until),
    )
    dv.violation_record(
        actor=owner, order=order, occurred_on=TODAY() - dt.timedelta(days=1), description="又到单位纠缠。",
        reported_to_police=True, reported_to_court=True,
    )  # fmt: skip
    dv.order_revoke(actor=owner, order=order, revoked_on=TODAY(), reason="申请人已搬家。")
    kinds = _kinds(case)
    for kind in ("warning_letter", "warning_letter_change", "warning_visit", "order_apply", "order_ruling",
                 "order_extend", "order_violation", "order_revoke"):  # fmt: skip
        assert kind in kinds, kind
        assert AuditEvent.objects.filter(action=f"dv.{kind}", target_id=str(case.pk)).exists(), kind
    assert "妇联代为申请，紧急" in case.events.filter(kind="order_apply").first().summary
    assert "已报告公安机关、人民法院" in case.events.get(kind="order_violation").summary
    summaries = " ".join(case.events.values_list("summary", flat=True))
    for text in PERSONAL:
        assert text not in summaries, text
    # Personal texts are encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT facts FROM fulian_dv_warningletter")
        assert "酒后殴打" not in cursor.fetchone()[0]
        cursor.execute("SELECT findings FROM fulian_dv_warningvisit")
        assert "威胁" not in cursor.fetchone()[0]
        cursor.execute("SELECT description FROM fulian_dv_orderviolation")
        assert "纠缠" not in cursor.fetchone()[0]
    assert WarningVisit.objects.get().findings == "加害人仍有威胁。"


# --- the reminders: each raised exactly once ---------------------------------------------------------------


def test_an_overdue_ruling_is_raised_once(owner, colleague, case, victim, abuser):
    order = apply(owner, case, victim, abuser, urgent=True, applied_at=timezone.now() - dt.timedelta(hours=30))
    assert dv.order_alerts() == {"ruling_overdue": 1, "expiring": 0}
    assert dv.order_alerts() == {"ruling_overdue": 0, "expiring": 0}
    order.refresh_from_db()
    assert order.ruling_alerted_at is not None
    event = case.events.get(kind="order_ruling_overdue")
    assert event.actor is None
    assert "超过法定裁定期限" in event.summary
    assert AuditEvent.objects.filter(action="dv.order_ruling_overdue", target_id=str(case.pk)).count() == 1
    # Ruled (late) afterwards: nothing more to raise.
    dv.order_rule(actor=owner, order=order, ruled_at=timezone.now(), outcome="refused")
    assert dv.order_alerts(now=timezone.now() + dt.timedelta(days=1)) == {"ruling_overdue": 0, "expiring": 0}


def test_the_expiry_reminder_is_raised_once_per_expiry_and_an_extension_arms_it_again(owner, case, victim, abuser):
    order = granted(owner, case, victim, abuser, TODAY() - dt.timedelta(days=20))
    expiry = order.valid_until
    assert dv.order_alerts() == {"ruling_overdue": 0, "expiring": 0}
    # 15 days before: not yet; 14 days before: raised, once.
    assert dv.order_alerts(now=at(expiry - dt.timedelta(days=15))) == {"ruling_overdue": 0, "expiring": 0}
    assert dv.order_alerts(now=at(expiry - dt.timedelta(days=14))) == {"ruling_overdue": 0, "expiring": 1}
    assert dv.order_alerts(now=at(expiry - dt.timedelta(days=3))) == {"ruling_overdue": 0, "expiring": 0}
    order.refresh_from_db()
    assert order.expiry_alerted_for == expiry
    dv.order_extend(
        actor=owner, order=order, decided_on=TODAY(), decision="之一", valid_until=expiry + dt.timedelta(days=60)
    )
    later = expiry + dt.timedelta(days=60)
    assert dv.order_alerts(now=at(later - dt.timedelta(days=20))) == {"ruling_overdue": 0, "expiring": 0}
    assert dv.order_alerts(now=at(later - dt.timedelta(days=10))) == {"ruling_overdue": 0, "expiring": 1}
    assert dv.order_alerts(now=at(later - dt.timedelta(days=1))) == {"ruling_overdue": 0, "expiring": 0}
    summaries = list(case.events.filter(kind="order_expiring").values_list("summary", flat=True))
    assert len(summaries) == 2
    assert expiry.isoformat() in summaries[0]
    assert later.isoformat() in summaries[1]
    assert AuditEvent.objects.filter(action="dv.order_expiring").count() == 2


def test_no_expiry_reminder_for_a_revoked_or_lapsed_order(owner, case, victim, abuser):
    revoked = granted(owner, case, victim, abuser, TODAY() - dt.timedelta(days=20))
    dv.order_revoke(actor=owner, order=revoked, revoked_on=TODAY(), reason="当事人申请撤销")
    assert dv.order_alerts(now=at(revoked.valid_until - dt.timedelta(days=5))) == {"ruling_overdue": 0, "expiring": 0}
    lapsed = granted(owner, case, victim, abuser, TODAY() - dt.timedelta(days=20))
    assert dv.order_alerts(now=at(lapsed.valid_until + dt.timedelta(days=1))) == {"ruling_overdue": 0, "expiring": 0}


def test_the_worker_raises_the_reminders(owner, case, victim, abuser):
    from fulian.core import upkeep

    apply(owner, case, victim, abuser, urgent=True, applied_at=timezone.now() - dt.timedelta(hours=25))
    upkeep.escalate_casework_deadlines()
    upkeep.escalate_casework_deadlines()
    assert case.events.filter(kind="order_ruling_overdue").count() == 1


def test_the_demo_raises_both_reminders(owner, case):
    load_dv_demo(case, owner)
    letter = case.warning_letters.get()
    assert letter.delivered_to_abuser_on is not None
    assert letter.delivered_to_victim_on is not None
    assert letter.committee_notified_on is not None
    assert letter.visits.count() == 1
    urgent, earlier = case.protection_orders.order_by("-urgent")
    assert urgent.on_behalf
    assert urgent.urgent
    assert urgent.outcome == "pending"
    assert urgent.ruling_alerted_at is not None
    assert earlier.outcome == "granted"
    assert earlier.expiry_alerted_for == earlier.valid_until
    assert earlier.valid_until == dv.latest_valid_until(earlier.ruled_on)
    assert case.events.filter(kind__in=["order_ruling_overdue", "order_expiring"]).count() == 2
    assert dv.order_alerts() == {"ruling_overdue": 0, "expiring": 0}
    load_dv_demo(case, owner)  # a second run adds nothing
    assert case.protection_orders.count() == 2
