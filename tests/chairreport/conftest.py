"""The chair's report: the joint meeting (secretariat, member units, liaisons), a city supervisor,
and one year of known data whose records sit on the year's edges in Shanghai time."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import make_case, make_contact, make_joint_meeting, make_staff

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = timezone.localdate().year - 1
# What the test data holds that points at a person: none of it may reach the figures or the text.
PERSONAL = ["陈晓梅", "13905621234", "李老师", "13605620003", "铜官区某小学", "张桂英", "13905620001", "张小明",
            "340705198501012347", "340705201503050018", "五一路8号", "王主任"]  # fmt: skip


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# Three standing users: the secretary (owner: the secretariat, who writes the report), a supervisor
# of the city federation (colleague: reads cases, not the report), the police liaison (outsider).
@pytest.fixture
def jm(db) -> dict[str, Any]:
    return make_joint_meeting()


@pytest.fixture
def owner(jm):
    return jm["secretary"]


@pytest.fixture
def colleague(jm):
    return make_staff("city_supervisor", jm["city"], "supervisor")


@pytest.fixture
def outsider(jm):
    return jm["police_liaison"]


@pytest.fixture
def cat(db) -> dict[str, Any]:
    from fulian.hotline.models import Category
    from fulian.protection.services import minor_protection_category

    minor_protection_category()
    return {c.name: c for c in Category.objects.filter(parent=None)}


def _case(org: Any, category: Any, opened: dt.datetime, closed: dt.datetime | None = None) -> Any:
    from fulian.cases.models import Case, Status

    case = make_case(org, category=category)
    Case.objects.filter(pk=case.pk).update(
        opened_at=opened, closed_at=closed, status=Status.CLOSED if closed else Status.IN_SERVICE
    )
    case.refresh_from_db()
    return case


def _referral(case: Any, unit: Any, sent: dt.datetime, deadline: dt.date, answered: dt.datetime | None = None,
              status: str | None = None) -> Any:  # fmt: skip
    from fulian.cases.models import Referral, ReferralStatus

    return Referral.objects.create(
        organisation=unit, case=case, request="请协助", deadline=deadline, sent_at=sent, answered_at=answered,
        status=status or (ReferralStatus.ACCEPTED if answered else ReferralStatus.SENT),
    )  # fmt: skip


@pytest.fixture
def year_data(jm, cat) -> dict[str, Any]:
    """One year of data (YEAR), with records just outside it on both sides."""
    from fulian.cases.models import Case
    from fulian.ledger.models import Family, FamilyType, RiskGrade, Visit
    from fulian.ledger.services import family_create
    from fulian.protection.services import assistance_record, report_record
    from fulian.targets.models import Letter, LetterStatus, Score, Target, TargetYear

    county, sibling, township = jm["county"], jm["sibling"], jm["township"]
    marriage, person = cat["婚姻家庭"], cat["人身权益"]
    # Contacts: 4 婚姻家庭 (one on 1 January 00:30 and one on 31 December 23:30, Shanghai time),
    # 1 人身权益 by visit, 1 silent call; outside: 31 December 23:59 the year before, and 1 January
    # 07:00 the year after (still 31 December in UTC).
    for received, category, channel, extra in (
        (local(YEAR, 1, 1, 0, 30), marriage, "phone", {"risk_domestic_violence": True}),
        (local(YEAR, 3, 1, 10), marriage, "phone", {"risk_domestic_violence": True, "risk_minor": True}),
        (local(YEAR, 6, 1, 10), person, "visit", {}),
        (local(YEAR, 12, 31, 23, 30), marriage, "online", {}),
        (local(YEAR, 8, 1, 9), marriage, "phone", {}),
        (local(YEAR, 7, 1, 9), None, "phone", {"call_type": "silent"}),
        (local(YEAR - 1, 12, 31, 23, 59), marriage, "phone", {}),
        (local(YEAR + 1, 1, 1, 7, 0), marriage, "phone", {}),
    ):
        make_contact(county, received_at=received, category=category, channel=channel, **extra)
    # Cases: 婚姻家庭 opened and closed in the year, 婚姻家庭 opened and still open, 人身权益 open
    # across the year's end (closed 1 January 00:30 after), 人身权益 wholly the year before.
    c1 = _case(county, marriage, local(YEAR, 2, 1), local(YEAR, 5, 1))
    _case(county, marriage, local(YEAR, 11, 1))
    _case(county, person, local(YEAR - 1, 12, 1), local(YEAR + 1, 1, 1, 0, 30))
    _case(county, person, local(YEAR - 1, 6, 1), local(YEAR - 1, 7, 1))
    # Referrals: police — answered 23:00 on the deadline (on time), answered 07:00 the day after
    # the deadline (late in Shanghai, though still the deadline's date in UTC), one unanswered past
    # its deadline; education — answered in 12 hours; a withdrawn one never answered (not counted).
    police, education = jm["police"], jm["education"]
    _referral(c1, police, local(YEAR, 3, 1, 9), dt.date(YEAR, 3, 10), local(YEAR, 3, 10, 23, 0))
    _referral(c1, police, local(YEAR, 3, 1, 9), dt.date(YEAR, 3, 10), local(YEAR, 3, 11, 7, 0))
    _referral(c1, police, local(YEAR, 12, 1, 9), dt.date(YEAR, 12, 10))
    _referral(c1, education, local(YEAR, 4, 1, 9), dt.date(YEAR, 4, 5), local(YEAR, 4, 1, 21))
    _referral(c1, education, local(YEAR, 4, 2, 9), dt.date(YEAR, 4, 5), status="withdrawn")
    _referral(c1, education, local(YEAR - 1, 4, 2, 9), dt.date(YEAR - 1, 4, 5))
    # Minor protection: one mandatory report (a 12-year-old girl, from a school) with one relief
    # item, in the year; one the year before.
    now = timezone.now()
    report_data: dict[str, Any] = {
        "sector": "school", "reporting_unit": "铜官区某小学", "reporter_name": "李老师", "reporter_phone": "13605620003",
        "situation": "2", "child_age": 12, "child_sex": "F", "discovered_at": now - dt.timedelta(hours=5),
        "reported_at": now - dt.timedelta(hours=3), "police_unit": "铜官分局某派出所", "receipt_number": "JJ2026001",
    }  # fmt: skip
    minor = report_record(actor=None, organisation=county, **report_data).case
    assistance_record(actor=None, case=minor, kind="judicial", provider="市检察院", provided_on=timezone.localdate(),
                      amount=Decimal("3000.50"))  # fmt: skip
    Case.objects.filter(pk=minor.pk).update(opened_at=local(YEAR, 9, 1))
    old = report_record(actor=None, organisation=county, **{**report_data, "child_age": 9}).case
    Case.objects.filter(pk=old.pk).update(opened_at=local(YEAR - 1, 9, 1))
    # The ledger: yellow in 铜官区 registered the year before (due; visited twice), red in 义安区
    # registered 15 December (not yet due; visited once), orange in 义安区 registered in January
    # (due; never visited), and one registered the year after (not counted).
    grades = {g.code: g for g in RiskGrade.objects.all()}
    poor = FamilyType.objects.get(code="poor")

    def family(org: Any, grade: str, created: dt.datetime, *visits: dt.date) -> Any:
        made = family_create(
            actor=None, organisation=org, head_name="张桂英", address="五一路8号", types=[poor], grade=grades[grade],
            grade_reason="困难", members=[
                {"name": "张桂英", "id_number": "340705198501012347", "relationship": "head", "phone": "13905620001"},
                {"name": "张小明", "id_number": "340705201503050018", "relationship": "child"},
            ] if grade == "yellow" else [],
        )  # fmt: skip
        Family.objects.filter(pk=made.pk).update(created_at=created)
        for day in visits:
            Visit.objects.create(family=made, visited_on=day, visitors="王主任")
        return made

    family(township, "yellow", local(YEAR - 1, 6, 1), dt.date(YEAR, 3, 1), dt.date(YEAR, 6, 1))
    family(sibling, "red", local(YEAR, 12, 15), dt.date(YEAR, 12, 20))
    family(sibling, "orange", local(YEAR, 1, 10))
    family(sibling, "red", local(YEAR + 1, 1, 2), dt.date(YEAR + 1, 1, 5))
    # The letters: police 95.5, education 88.
    target_year = TargetYear.objects.create(year=YEAR, title="目标管理责任书")
    for unit, points in ((jm["police_unit"], "95.5"), (jm["education_unit"], "88")):
        letter = Letter.objects.create(year=target_year, unit=unit, organisation=unit.organisation,
                                       status=LetterStatus.SIGNED)  # fmt: skip
        target = Target.objects.create(letter=letter, number=1, text="落实强制报告", weight=Decimal(100))
        Score.objects.create(target=target, points=Decimal(points))
    return {"c1": c1, "minor": minor, "cases": list(Case.objects.values_list("number", flat=True))}
