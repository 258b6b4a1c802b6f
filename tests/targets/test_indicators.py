"""Platform indicators: every figure computed from the platform's data, exactly, with the edges of
the year (Beijing time), the deadline and the windows; and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fulian.cases import services as cases
from fulian.cases.models import Referral
from fulian.jointmeeting.models import MemberRole, MemberUnit
from fulian.ledger.models import Family, FamilyType, RiskGrade
from fulian.ledger.services import family_create, visit_record
from fulian.orgs.models import OrganisationKind as K
from fulian.orgs.services import organisation_create
from fulian.protection.models import OneStopSite
from fulian.protection.services import report_record, session_record
from fulian.targets.indicators import INDICATORS, compute, indicator_choices
from tests.factories import make_case, make_contact, make_org_tree

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHILD = {"name": "小雨", "sex": "F", "age": 12}


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A moment in Beijing time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def year() -> int:
    """Last year: over, so its reference day is 31 December and every deadline has passed."""
    return timezone.localdate().year - 1


@pytest.fixture
def world(db):
    tree = make_org_tree()
    tree["village"] = organisation_create(
        name="五一社区妇联", kind=K.VILLAGE, parent=tree["township"], division_code="340705001001"
    )
    education = organisation_create(name="市教育体育局", kind=K.MEMBER_UNIT)
    health = organisation_create(name="市卫生健康委", kind=K.MEMBER_UNIT)
    tree["education"], tree["health"] = education, health
    tree["units"] = {
        "police": MemberUnit.objects.create(organisation=tree["police"], order=1),
        "education": MemberUnit.objects.create(
            organisation=education, order=2, report_sectors=["school", "kindergarten", "training"]
        ),
        "health": MemberUnit.objects.create(organisation=health, order=3, report_sectors=["medical"]),
    }
    return tree


def _values(values, unit, *codes):
    return tuple(values[unit.pk, code] for code in codes)


# --- the registry ----------------------------------------------------------------------------------


def test_every_indicator_is_described_in_chinese_with_its_unit_and_level():
    assert len(INDICATORS) == 8
    for code, indicator in INDICATORS.items():
        assert code == indicator.code
        assert len(code) <= 40  # Target.indicator's length
        assert re.search(r"[\u4e00-\u9fff]", str(indicator.label))
        assert re.search(r"[\u4e00-\u9fff]", str(indicator.description))
        assert indicator.value_unit in {"%", "件", "次"}
        assert indicator.level in {"unit", "city"}
    choices = indicator_choices()
    assert choices[0][0] == ""
    assert [c for c, _label in choices[1:]] == list(INDICATORS)


# --- referrals ----------------------------------------------------------------------------------------


def _referral(case, unit, *, sent, deadline, answer=None, answered=None):
    """Sent and answered through the services; then placed in time (the services stamp 'now')."""
    referral = cases.referral_send(
        actor=None, case=case, member_unit=unit, request="请依法处理", override_reason="情况紧急",
        deadline=timezone.localdate() + dt.timedelta(days=7),
    )  # fmt: skip
    if answer in ("accept", "done", "withdraw_after_accept"):
        referral = cases.referral_accept(actor=None, referral=referral, version=referral.version)
    if answer == "done":
        cases.referral_complete(actor=None, referral=referral, version=referral.version, result="已依法处理")
    if answer == "reject":
        cases.referral_reject(actor=None, referral=referral, version=referral.version, reason="不属本单位职责")
    if answer in ("withdraw", "withdraw_after_accept"):
        cases.referral_withdraw(actor=None, referral=referral, reason="当事人撤回同意")
    Referral.objects.filter(pk=referral.pk).update(sent_at=sent, deadline=deadline, answered_at=answered)
    return referral


def test_referrals_counted_in_the_year_and_answered_by_the_deadline_in_beijing_time(world, year):
    case = make_case(world["county"])
    police, education = world["units"]["police"], world["units"]["education"]
    deadline = dt.date(year, 6, 10)
    sent = at(year, 6, 1)
    # Answered at 23:30 on the deadline: in time.
    _referral(
        case, police.organisation, sent=sent, deadline=deadline, answer="accept", answered=at(year, 6, 10, 23, 30)
    )
    # Returned at 00:10 the day after (still the deadline's day in UTC): late.
    _referral(case, police.organisation, sent=sent, deadline=deadline, answer="reject", answered=at(year, 6, 11, 0, 10))
    # Sent at 23:30 on 31 December: this year's; done early next year, within its deadline.
    _referral(case, police.organisation, sent=at(year, 12, 31, 23, 30), deadline=dt.date(year + 1, 1, 10),
              answer="done", answered=at(year + 1, 1, 5))  # fmt: skip
    # Never answered, the deadline long past: late, and not done.
    _referral(case, police.organisation, sent=sent, deadline=deadline)
    # Withdrawn before the unit answered: received, but neither late nor to be done.
    _referral(case, police.organisation, sent=sent, deadline=deadline, answer="withdraw")
    # Other years: sent at 23:59 on the previous 31 December, and at 00:10 on the next 1 January
    # (which is still 31 December in UTC).
    _referral(case, police.organisation, sent=at(year - 1, 12, 31, 23, 59), deadline=dt.date(year, 1, 5),
              answer="done", answered=at(year, 1, 2))  # fmt: skip
    _referral(case, police.organisation, sent=at(year + 1, 1, 1, 0, 10), deadline=dt.date(year + 1, 1, 9),
              answer="done", answered=at(year + 1, 1, 2))  # fmt: skip
    # Education: one referral, answered late and then withdrawn: late (0 %, not "nothing to measure").
    _referral(case, education.organisation, sent=sent, deadline=deadline, answer="withdraw_after_accept",
              answered=at(year, 6, 12))  # fmt: skip

    values = compute(year)
    codes = ("referrals_received", "referrals_answered_in_time", "referrals_done")
    # Received 5; answers measured 4 (the withdrawn one left out), 2 in time; to be done 3
    # (accepted, done, never answered: the returned and the withdrawn left out), 1 done.
    assert _values(values, police, *codes) == (Decimal(5), Decimal("50.00"), Decimal("33.33"))
    assert _values(values, education, *codes) == (Decimal(1), Decimal("0.00"), None)
    # A unit sent nothing: received 0, and no rate at all.
    assert _values(values, world["units"]["health"], *codes) == (Decimal(0), None, None)
    # The next year holds the one sent at 00:10 on its 1 January, answered in time and done.
    assert _values(compute(year + 1), police, *codes) == (Decimal(1), Decimal("100.00"), Decimal("100.00"))


def test_a_referral_still_within_its_deadline_is_not_yet_measured(world):
    police = world["units"]["police"]
    case = make_case(world["county"])
    today = timezone.localdate()
    pending = cases.referral_send(
        actor=None, case=case, member_unit=police.organisation, request="请协查", override_reason="情况紧急",
        deadline=today,
    )  # fmt: skip
    values = compute(today.year)
    assert _values(values, police, "referrals_received", "referrals_answered_in_time", "referrals_done") == (
        Decimal(1), None, Decimal("0.00"),
    )  # fmt: skip
    # The day after its deadline it is late.
    Referral.objects.filter(pk=pending.pk).update(deadline=today - dt.timedelta(days=1))
    assert compute(today.year)[police.pk, "referrals_answered_in_time"] == Decimal("0.00")


# --- mandatory reports ------------------------------------------------------------------------------


def _report(world, sector, discovered, reported):
    return report_record(
        actor=None, organisation=world["county"], sector=sector, reporting_unit="某单位", situation="2",
        child_age=12, child_sex="F", discovered_at=discovered, reported_at=reported, police_unit="铜官分局",
    )  # fmt: skip


def test_mandatory_reports_of_the_units_sectors_and_those_within_24_hours(world, year):
    _report(world, "school", at(year, 3, 1, 8), at(year, 3, 2, 8))  # exactly 24 hours: within
    _report(world, "kindergarten", at(year, 3, 1, 8), at(year, 3, 2, 8, 1))  # 24 hours and a minute: not
    _report(world, "school", at(year, 12, 31, 20), at(year, 12, 31, 23, 30))  # 23:30 on 31 December: this year
    _report(world, "school", at(year, 12, 31, 22), at(year + 1, 1, 1, 0, 30))  # reported next year: not this
    _report(world, "medical", at(year, 5, 1, 9), at(year, 5, 1, 10))
    _report(world, "hotel", at(year, 5, 1, 9), at(year, 5, 1, 10))  # no unit answers for hotels

    values = compute(year)
    codes = ("mandatory_reports", "mandatory_reports_within_24h")
    units = world["units"]
    assert _values(values, units["education"], *codes) == (Decimal(3), Decimal("66.67"))
    assert _values(values, units["health"], *codes) == (Decimal(1), Decimal("100.00"))
    # The police answer for no sector: nothing to measure.
    assert _values(values, units["police"], *codes) == (None, None)
    # A year without reports: none counted, no share.
    assert _values(compute(year - 1), units["education"], *codes) == (Decimal(0), None)


# --- the hotline ---------------------------------------------------------------------------------------


def test_minor_sexual_abuse_contacts_that_became_cases(world, year):
    county = world["county"]
    both = {"risk_minor": True, "risk_sexual_abuse": True}
    make_contact(county, received_at=at(year, 2, 1), outcome="case", **both)
    linked = make_contact(county, received_at=at(year, 2, 2), outcome="callback", **both)
    cases.case_link_contact(actor=None, case=make_case(county), contact=linked)
    make_contact(county, received_at=at(year, 2, 3), outcome="transferred", **both)
    make_contact(county, received_at=at(year, 12, 31, 23, 30), outcome="advised", **both)
    # Not counted: only one of the two flags; the previous year (23:30 on its 31 December).
    make_contact(county, received_at=at(year, 2, 4), outcome="case", risk_minor=True)
    make_contact(county, received_at=at(year, 2, 4), outcome="case", risk_sexual_abuse=True)
    make_contact(county, received_at=at(year - 1, 12, 31, 23, 30), outcome="case", **both)

    values = compute(year)
    assert {values[u.pk, "minor_abuse_contacts_to_case"] for u in world["units"].values()} == {Decimal("50.00")}
    assert compute(year - 2)[world["units"]["police"].pk, "minor_abuse_contacts_to_case"] is None


# --- one-stop sessions --------------------------------------------------------------------------------


def test_one_stop_sessions_held_in_the_year(world, year):
    site = OneStopSite.objects.create(organisation=world["city"], name="市一站式询问救助中心", address="铜陵市某路")
    for held in (at(year, 4, 1), at(year, 12, 31, 23, 30), at(year - 1, 12, 31, 23, 30)):
        session_record(
            actor=None, case=make_case(world["county"], helped=CHILD), site=site, held_at=held,
            participants=["police", "guardian", "federation"], female_officer=True,
        )  # fmt: skip
    values = compute(year)
    assert {values[u.pk, "one_stop_sessions"] for u in world["units"].values()} == {Decimal(2)}
    assert compute(year - 2)[world["units"]["police"].pk, "one_stop_sessions"] == Decimal(0)


# --- the ledger -------------------------------------------------------------------------------------------


def _family(world, grade, registered, *visits):
    family = family_create(
        actor=None, organisation=world["village"], head_name="陈桂兰", grade=RiskGrade.objects.get(code=grade),
        types=[FamilyType.objects.order_by("pk").first()],
    )  # fmt: skip
    Family.objects.filter(pk=family.pk).update(created_at=registered)
    for day in visits:
        visit_record(actor=None, family=Family.objects.get(pk=family.pk), visited_on=day, visitors="李干部")
    return family


def test_families_visited_on_time_on_31_december(world, year):
    long_ago = at(year - 1, 6, 1)
    _family(world, "red", long_ago, dt.date(year, 12, 1))  # 30 days before: kept up
    _family(world, "red", long_ago, dt.date(year, 11, 30), dt.date(year + 1, 1, 5))  # 31 days: overdue on the day
    _family(world, "orange", long_ago, dt.date(year, 11, 1))  # 60 days before: kept up
    _family(world, "yellow", at(year, 10, 2, 0, 0))  # registered 90 days before, first visit not yet due
    _family(world, "yellow", at(year, 10, 1, 23, 30))  # registered 90 days and 30 minutes before: overdue
    _family(world, "orange", at(year + 1, 1, 1, 0, 10))  # registered after the day: not counted

    values = compute(year)
    assert {values[u.pk, "families_visited_on_time"] for u in world["units"].values()} == {Decimal("60.00")}
    # Before any family was registered: nothing to measure.
    assert compute(year - 2)[world["units"]["police"].pk, "families_visited_on_time"] is None


def test_this_years_families_are_read_on_today(world):
    today = timezone.localdate()
    long_ago = at(today.year - 2, 6, 1)
    _family(world, "red", long_ago, today - dt.timedelta(days=30))
    _family(world, "red", long_ago, today - dt.timedelta(days=31))
    police = world["units"]["police"]
    assert compute(today.year)[police.pk, "families_visited_on_time"] == Decimal("50.00")
    # A year that has not begun has no reference day.
    assert compute(today.year + 1)[police.pk, "families_visited_on_time"] is None


# --- compute() as a whole ---------------------------------------------------------------------------------


def test_every_unit_gets_every_indicator_and_the_default_is_the_active_units(world, year):
    retired = MemberUnit.objects.create(
        organisation=organisation_create(name="市妇儿工委办", kind=K.MEMBER_UNIT), active=False
    )
    secretariat = MemberUnit.objects.create(organisation=world["city"], role=MemberRole.SECRETARIAT)
    values = compute(year)
    active = [*world["units"].values(), secretariat]
    assert set(values) == {(u.pk, code) for u in active for code in INDICATORS}
    assert not any(pk == retired.pk for pk, _code in values)
    # Units given: only those; none given: nothing to compute.
    assert {pk for pk, _code in compute(year, [retired])} == {retired.pk}
    assert compute(year, []) == {}


def test_the_number_of_queries_does_not_grow_with_the_units(world, year):
    more = [
        MemberUnit.objects.create(
            organisation=organisation_create(name=f"成员单位{n}", kind=K.MEMBER_UNIT),
            report_sectors=["welfare", "residents"] if n % 2 else [],
            order=10 + n,
        )
        for n in range(8)
    ]
    _referral(make_case(world["county"]), world["police"], sent=at(year, 6, 1), deadline=dt.date(year, 6, 10))
    _family(world, "red", at(year - 1, 6, 1), dt.date(year, 12, 1))
    one = [world["units"]["police"]]
    many = [*world["units"].values(), *more]
    with CaptureQueriesContext(connection) as few_units:
        compute(year, one)
    with CaptureQueriesContext(connection) as many_units:
        compute(year, many)
    with CaptureQueriesContext(connection) as all_units:
        compute(year)
    # Referrals, reports, contacts, sessions, the grades' periods, families; plus the units when not given.
    assert len(few_units) == len(many_units) == 6
    assert len(all_units) == 7


def test_the_figures_read_no_personal_data(world, year):
    """Aggregates over codes, dates and flags: no encrypted column is read (so nothing is decrypted)."""
    from django.apps import apps

    from fulian.security.fields import EncryptedTextField

    case = make_case(world["county"], helped=CHILD)
    _referral(case, world["police"], sent=at(year, 6, 1), deadline=dt.date(year, 6, 10))
    _report(world, "school", at(year, 3, 1, 8), at(year, 3, 1, 9))
    make_contact(world["county"], received_at=at(year, 2, 1), outcome="case", risk_minor=True, risk_sexual_abuse=True)
    _family(world, "red", at(year - 1, 6, 1), dt.date(year, 12, 1))
    # Every column is read qualified by its table ("table"."column"); the visits' subquery, the
    # only one under an alias, reads the family and the date.
    encrypted = {
        f'"{model._meta.db_table}"."{field.column}"'
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    }
    with CaptureQueriesContext(connection) as captured:
        values = compute(year)
    assert values[world["units"]["police"].pk, "referrals_received"] == Decimal(1)
    read = " ".join(query["sql"] for query in captured)
    assert '"fulian_hotline_contact"."outcome"' in read  # the form the check looks for
    assert not [column for column in encrypted if column in read]
    assert set(re.findall(r'U\d+\."(\w+)"', read)) == {"family_id", "visited_on"}


def test_a_caller_needing_a_few_indicators_reads_only_their_sources(world, year):
    _referral(make_case(world["county"]), world["police"], sent=at(year, 6, 1), deadline=dt.date(year, 6, 10))
    police = world["units"]["police"]
    everything = compute(year, [police])
    with CaptureQueriesContext(connection) as one_source:
        some = compute(year, [police], codes=["referrals_received", "referrals_answered_in_time"])
    assert len(one_source) == 1
    assert some[(police.pk, "referrals_received")] == everything[(police.pk, "referrals_received")] == 1
    assert (police.pk, "families_visited_on_time") not in some
