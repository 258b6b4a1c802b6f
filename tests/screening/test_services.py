"""Staff screening rules (《未成年人保护法》第62条): authorisation, 有/无 only, annual re-check, no role with a record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from fulian.audit.models import AuditEvent
from fulian.screening.models import ChildrenRole, ChildrenWorker, Screening, next_check_date
from fulian.screening.services import recheck_reminders, role_assign, worker_register
from fulian.security.access import may
from tests.factories import make_staff
from tests.screening.helpers import check

pytestmark = pytest.mark.django_db

DETAILS = "查询结果只记录“有”或“无”相关违法犯罪记录，不得记录其他细节。"


# --- workers -------------------------------------------------------------------------------------------


def test_a_worker_is_stored_encrypted_and_found_by_id_number(orgs, owner, worker):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, id_number, phone FROM {ChildrenWorker._meta.db_table}")  # noqa: S608
        raw = " ".join(cursor.fetchone())
    for plain in ("周慧敏", "340705198803120028", "13605621001"):
        assert plain not in raw
    assert str(worker) == "周**"
    assert worker.masked() == {"name": "周**", "id_number": "340705********0028", "phone": "136****1001"}
    assert AuditEvent.objects.filter(action="childrenworker.create", target_id=str(worker.pk)).exists()
    with pytest.raises(ValidationError) as raised:
        worker_register(
            actor=owner, organisation=orgs["county"], name="周 慧敏", id_number="340705 1988 0312 0028",
            kind="staff", centre="天井湖社区儿童之家",
        )  # fmt: skip
    assert "已登记此身份证号" in raised.value.message_dict["id_number"][0]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "340705198803120029"}, "id_number", "校验位"),
        ({"id_number": "12345"}, "id_number", "18 位"),
        ({"name": "  "}, "name", "姓名"),
        ({"kind": "boss"}, "kind", "人员类别"),
        ({"centre": ""}, "centre", "儿童之家"),
        ({"phone": "12"}, "phone", "电话"),
    ],
)
def test_bad_workers_are_refused_in_chinese(orgs, owner, changes, field, message):
    data = {"name": "吴晓燕", "id_number": "340705199207150049", "kind": "volunteer", "centre": "某儿童之家", **changes}
    with pytest.raises(ValidationError) as raised:
        worker_register(actor=owner, organisation=orgs["county"], **data)
    assert message in " ".join(raised.value.message_dict[field])
    assert not ChildrenWorker.objects.exists()


def test_only_the_three_roles_act_on_screening_records(orgs, owner, colleague, outsider):
    from fulian.screening.models import ChildrenRole as Role

    grassroots = make_staff("ms_village", orgs["township"], "grassroots")
    for user in (owner, colleague, grassroots):
        for model in (ChildrenWorker, Screening, Role):
            assert all(may(user, action, model) for action in ("view", "create", "edit")), (user, model)
    for role in ("liaison", "hotline_operator", "counsellor"):
        user = make_staff(f"ms_{role}", orgs["county"], role)
        for model in (ChildrenWorker, Screening, Role):
            assert not any(may(user, a, model) for a in ("view", "create", "edit", "close", "export", "reveal"))
    with pytest.raises(PermissionDenied):
        worker_register(
            actor=outsider, organisation=orgs["county"], name="吴晓燕", id_number="340705199207150049",
            kind="volunteer", centre="某儿童之家",
        )  # fmt: skip


# --- screenings ----------------------------------------------------------------------------------------


def test_a_check_needs_written_authorisation(owner, worker, today):
    with pytest.raises(ValidationError) as raised:
        check(owner, worker, authorised=False)
    assert "书面授权" in raised.value.message_dict["authorised"][0]
    with pytest.raises(ValidationError) as raised:
        check(owner, worker, authorised_on=None)
    assert "授权的日期" in raised.value.message_dict["authorised_on"][0]
    with pytest.raises(ValidationError) as raised:
        check(owner, worker, days_ago=10, authorised_on=today - dt.timedelta(days=5))
    assert "先取得书面授权" in raised.value.message_dict["authorised_on"][0]
    assert not Screening.objects.exists()
    # The database refuses one without authorisation too, whatever path writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.create(
            organisation=worker.organisation, worker=worker, authorised=False, authorised_on=dt.date(2025, 1, 1),
            checked_on=dt.date(2025, 1, 2), channel="police", result="no_record", decision="hire",
        )  # fmt: skip


@pytest.mark.parametrize("key", ["details", "offence", "notes", "record_date", "court"])
def test_any_detail_beyond_the_result_is_refused_and_nothing_saved(owner, worker, key):
    with pytest.raises(ValidationError) as raised:
        check(owner, worker, result="record", decision="not_hire", **{key: "2019年因故意伤害被判处有期徒刑"})
    assert raised.value.messages == [DETAILS]
    assert not Screening.objects.exists()
    assert not AuditEvent.objects.filter(action="screening.create").exists()


@pytest.mark.parametrize("result", ["record: 盗窃罪", "unknown", "", None, "有"])
def test_the_result_is_one_of_two_values(owner, worker, result):
    with pytest.raises(ValidationError) as raised:
        check(owner, worker, result=result)
    assert raised.value.message_dict["result"] == [DETAILS]
    assert not Screening.objects.exists()


def test_the_database_holds_only_the_two_values(worker):
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.create(
            organisation=worker.organisation, worker=worker, authorised=True, authorised_on=dt.date(2025, 1, 1),
            checked_on=dt.date(2025, 1, 2), channel="police", result="record: 盗窃罪", decision="not_hire",
        )  # fmt: skip


def test_dates_in_the_future_are_refused(owner, worker, today):
    with pytest.raises(ValidationError) as raised:
        check(owner, worker, days_ago=-1, authorised_on=today)
    assert "不能晚于今天" in raised.value.message_dict["checked_on"][0]
    with pytest.raises(ValidationError) as raised:
        check(owner, worker, authorised_on=today + dt.timedelta(days=1))
    assert "不能晚于今天" in raised.value.message_dict["authorised_on"][0]
    assert not Screening.objects.exists()


def test_a_person_with_a_record_is_never_hired(owner, worker):
    with pytest.raises(ValidationError) as raised:
        check(owner, worker, result="record", decision="hire")
    assert "不得录用" in raised.value.message_dict["decision"][0]
    assert not Screening.objects.exists()


@pytest.mark.parametrize(
    ("checked_on", "next_on"),
    [
        # 29 February: due on 28 February the next year, so two checks are never more than a year apart.
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 28), dt.date(2025, 2, 28)),
        (dt.date(2024, 3, 1), dt.date(2025, 3, 1)),
        (dt.date(2023, 3, 1), dt.date(2024, 3, 1)),
        (dt.date(2024, 12, 31), dt.date(2025, 12, 31)),
        (dt.date(2025, 1, 1), dt.date(2026, 1, 1)),
    ],
)
def test_the_next_check_is_a_year_later_at_the_edges(owner, worker, checked_on, next_on):
    assert next_check_date(checked_on) == next_on
    screening = check(
        owner, worker, authorised_on=checked_on, checked_on=checked_on, today=checked_on + dt.timedelta(days=3)
    )
    screening.refresh_from_db()
    assert screening.next_check_on == next_on


def test_the_audit_trail_never_tells_the_result(owner, worker):
    screening = check(owner, worker, result="record", decision="not_hire")
    event = AuditEvent.objects.get(action="screening.create", target_id=str(screening.pk))
    assert "record" not in str(event.detail)
    assert "not_hire" not in str(event.detail)


def test_an_older_check_entered_later_does_not_replace_the_latest(owner, worker):
    recent = check(owner, worker, days_ago=5)
    older = check(owner, worker, days_ago=400, result="record", decision="not_hire")
    recent.refresh_from_db()
    older.refresh_from_db()
    assert recent.current
    assert not older.current
    newer = check(owner, worker, days_ago=1)
    recent.refresh_from_db()
    assert newer.current
    assert not recent.current
    assert Screening.objects.filter(worker=worker, current=True).count() == 1


# --- children's roles ----------------------------------------------------------------------------------


def test_without_a_check_no_role(owner, worker):
    with pytest.raises(ValidationError) as raised:
        role_assign(actor=owner, worker=worker, role="manager")
    assert "尚未进行入职查询" in raised.value.messages[0]
    assert not ChildrenRole.objects.exists()


def test_a_record_blocks_the_role_and_ends_the_roles_held(owner, worker, today):
    check(owner, worker, days_ago=30)
    manager = role_assign(actor=owner, worker=worker, role="manager", assigned_on=today - dt.timedelta(days=20))
    tutor = role_assign(actor=owner, worker=worker, role="tutor")
    recheck = check(owner, worker, days_ago=0, result="record", decision="not_hire")
    for role in (manager, tutor):
        role.refresh_from_db()
        assert role.ended_on == today
        assert role.end_reason == "screening"
        event = AuditEvent.objects.get(action="childrenrole.end", target_id=str(role.pk))
        assert event.detail["screening"] == recheck.pk
    with pytest.raises(ValidationError) as raised:
        role_assign(actor=owner, worker=worker, role="volunteer")
    assert "有相关违法犯罪记录" in raised.value.messages[0]
    assert "不得安排" in raised.value.messages[0]
    assert not ChildrenRole.objects.filter(ended_on__isnull=True).exists()


def test_a_suspension_also_ends_the_roles_and_blocks_new_ones(owner, worker):
    check(owner, worker, days_ago=30)
    role = role_assign(actor=owner, worker=worker, role="volunteer")
    check(owner, worker, days_ago=0, decision="suspend")
    role.refresh_from_db()
    assert role.ended_on is not None
    with pytest.raises(ValidationError, match="暂停从事儿童相关工作"):
        role_assign(actor=owner, worker=worker, role="volunteer")


def test_an_expired_check_blocks_assignment(owner, worker):
    checked_on = dt.date(2024, 1, 10)
    check(owner, worker, checked_on=checked_on, authorised_on=checked_on, today=dt.date(2024, 1, 10))
    with pytest.raises(ValidationError) as raised:
        role_assign(
            actor=owner, worker=worker, role="manager", assigned_on=dt.date(2025, 1, 11), today=dt.date(2025, 1, 11)
        )
    assert "超过复查日期（2025-01-10）" in raised.value.messages[0]
    # The last day of the year's validity is still valid.
    role = role_assign(
        actor=owner, worker=worker, role="manager", assigned_on=dt.date(2025, 1, 10), today=dt.date(2025, 1, 10)
    )
    assert role.pk


def test_the_role_starts_after_the_check(owner, worker, today):
    check(owner, worker, days_ago=5)
    with pytest.raises(ValidationError) as raised:
        role_assign(actor=owner, worker=worker, role="manager", assigned_on=today - dt.timedelta(days=6))
    assert "先查询、后上岗" in raised.value.message_dict["assigned_on"][0]
    role_assign(actor=owner, worker=worker, role="manager")
    with pytest.raises(ValidationError) as raised:
        role_assign(actor=owner, worker=worker, role="manager")
    assert "已在此岗位" in raised.value.message_dict["role"][0]


def test_outsiders_cannot_record_or_assign(owner, outsider, worker):
    with pytest.raises(PermissionDenied):
        check(outsider, worker)
    check(owner, worker)
    with pytest.raises(PermissionDenied):
        role_assign(actor=outsider, worker=worker, role="manager")


# --- re-check reminders --------------------------------------------------------------------------------


def _worker(orgs, owner, number, organisation="county"):
    return worker_register(
        actor=None,
        organisation=orgs[organisation],
        name="测试人员",
        id_number=number,
        kind="volunteer",
        centre="某儿童之家",
    )


def test_reminders_are_raised_once_for_what_falls_due(orgs, owner, worker, today):
    due_soon = check(owner, worker, days_ago=350)  # re-check in about 15 days
    overdue_worker = _worker(orgs, owner, "340705199207150049")
    overdue = check(owner, overdue_worker, days_ago=400)
    later_worker = _worker(orgs, owner, "340706199509230032")
    later = check(owner, later_worker, days_ago=300)  # more than 30 days ahead
    barred_worker = _worker(orgs, owner, "340702199001011239")
    barred = check(owner, barred_worker, days_ago=360, result="record", decision="not_hire")
    renewed_worker = _worker(orgs, owner, "340705198803120028", "township")
    superseded = check(owner, renewed_worker, days_ago=360)
    check(owner, renewed_worker, days_ago=2)

    assert recheck_reminders(today) == {"reminded": 2, "overdue": 1}
    assert recheck_reminders(today) == {"reminded": 0, "overdue": 0}
    reminded = set(Screening.objects.filter(reminded_at__isnull=False).values_list("pk", flat=True))
    assert reminded == {due_soon.pk, overdue.pk}
    assert {later.pk, barred.pk, superseded.pk}.isdisjoint(reminded)
    assert AuditEvent.objects.filter(action="screening.remind").count() == 2
    # A month on, the next one falls due, and only it is reminded.
    assert recheck_reminders(today + dt.timedelta(days=40)) == {"reminded": 1, "overdue": 0}


def test_the_reminder_window_is_a_setting(owner, worker, today, settings):
    check(owner, worker, days_ago=350)  # due in about 15 days
    settings.SCREENING_REMIND_DAYS = 10
    assert recheck_reminders(today) == {"reminded": 0, "overdue": 0}
    settings.SCREENING_REMIND_DAYS = 20
    assert recheck_reminders(today) == {"reminded": 1, "overdue": 0}


def test_the_worker_process_runs_the_reminders():
    from fulian.core.upkeep import periodic_jobs, remind_screening_rechecks

    assert remind_screening_rechecks in [job for _every, job in periodic_jobs()]
