"""The report's figures, asserted exactly on a year of known data: the year's edges in Shanghai
time, the referral deadline's edge, the ledger's coverage, the letters; the appendix tables' shape;
no personal data anywhere; a constant number of queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fulian.chairreport.assemble import draft_sections, report_figures, year_bounds
from fulian.ledger.models import Family
from tests.chairreport.conftest import PERSONAL, YEAR, _case, _referral, local
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def test_the_year_runs_from_midnight_to_midnight_in_shanghai():
    start, end = year_bounds(2025)
    assert start.isoformat() == "2025-01-01T00:00:00+08:00"
    assert end.isoformat() == "2026-01-01T00:00:00+08:00"


def test_contacts_by_category_and_channel_on_the_years_edges(year_data):
    contacts = report_figures(YEAR)["contacts"]
    # 1 January 00:30 and 31 December 23:30 count; 31 December 23:59 before and 1 January 07:00 after
    # (still 31 December in UTC) do not.
    assert contacts["total"] == 6
    assert contacts["with_matter"] == 5  # the silent call is not a matter
    assert contacts["by_category"] == [
        {"name": "婚姻家庭", "count": 4, "share": 80.0},
        {"name": "人身权益", "count": 1, "share": 20.0},
    ]
    assert [(c["name"], c["count"], c["share"]) for c in contacts["by_channel"]] == [
        ("来电", 4, 66.7), ("来访", 1, 16.7), ("网上", 1, 16.7)
    ]  # fmt: skip
    assert contacts["risks"]["domestic_violence"] == 2
    assert contacts["risks"]["minor"] == 1


def test_cases_opened_closed_and_open_at_the_years_end(year_data):
    cases = report_figures(YEAR)["cases"]
    by_name = {row["name"]: row for row in cases["by_category"]}
    assert by_name["婚姻家庭"] == {"name": "婚姻家庭", "opened": 2, "closed": 1, "open_at_end": 1}
    # Opened the year before, closed half an hour into the next year: open at the year's end only.
    assert by_name["人身权益"] == {"name": "人身权益", "opened": 0, "closed": 0, "open_at_end": 1}
    # The minor-protection case of the year before is still open: open at the end, not opened.
    assert by_name["未成年人保护"] == {"name": "未成年人保护", "opened": 1, "closed": 0, "open_at_end": 2}
    assert (cases["opened"], cases["closed"], cases["open_at_end"]) == (3, 1, 4)


def test_referrals_by_unit_answered_on_time_by_the_local_date(year_data):
    referrals = report_figures(YEAR)["referrals"]
    police, education = referrals["by_unit"]
    # 23:00 on the deadline is on time; 07:00 the next morning is late (in UTC it is still the
    # deadline's date: the local date decides).
    assert police == {
        "unit": "市公安局", "sent": 3, "answered": 2, "on_time": 1, "on_time_rate": 50.0,
        "avg_hours": 234.0, "median_hours": 234.0, "overdue": 1,
    }  # fmt: skip
    assert education == {
        "unit": "市教育体育局", "sent": 1, "answered": 1, "on_time": 1, "on_time_rate": 100.0,
        "avg_hours": 12.0, "median_hours": 12.0, "overdue": 0,
    }  # fmt: skip
    assert {k: referrals[k] for k in ("sent", "answered", "on_time", "on_time_rate", "avg_hours", "median_hours",
                                      "overdue")} == {
        "sent": 4, "answered": 3, "on_time": 2, "on_time_rate": 66.7, "avg_hours": 160.0, "median_hours": 230.0,
        "overdue": 1,
    }  # fmt: skip


def test_an_answer_at_the_last_minute_of_the_deadline_is_on_time(jm, cat):
    case = _case(jm["county"], cat["婚姻家庭"], local(YEAR, 2, 1))
    _referral(case, jm["police"], local(YEAR, 5, 1, 9), dt.date(YEAR, 5, 3), local(YEAR, 5, 3, 23, 59))
    _referral(case, jm["police"], local(YEAR, 5, 1, 9), dt.date(YEAR, 5, 3), local(YEAR, 5, 4, 0, 0))
    (police,) = report_figures(YEAR)["referrals"]["by_unit"]
    assert (police["answered"], police["on_time"]) == (2, 1)


def test_minor_protection_figures_are_the_citys_with_ages_in_bands(year_data):
    minors = report_figures(YEAR)["minors"]
    assert minors["cases"] == 1  # the report of the year before is not counted
    assert minors["reports"] == 1
    assert minors["report_delay_hours"] == 2.0
    assert minors["children_by_sex"] == [{"name": "女", "count": 1}]
    assert minors["children_by_age"] == [{"band": "12至13周岁", "count": 1}]
    assert minors["reports_by_sector"] == [{"sector": "学校", "count": 1}]
    assert minors["assistance"] == [{"kind": "司法救助", "count": 1, "amount": 3000.5}]
    assert "children_by_age" in minors
    assert all(set(row) == {"band", "count"} for row in minors["children_by_age"])  # never the age itself


def test_ledger_coverage_by_grade_and_district(year_data):
    ledger = report_figures(YEAR)["ledger"]
    assert ledger["families"] == 3  # the family registered the year after is not counted
    assert [(g["grade"], g["count"]) for g in ledger["by_grade"]] == [("红色", 1), ("橙色", 1), ("黄色", 1)]
    # Due: the yellow family (registered the year before) and the orange one (January); the red one
    # registered on 15 December was not yet due (a month's period). Visited: the yellow one.
    assert (ledger["due"], ledger["visited"], ledger["not_visited"], ledger["visits"]) == (2, 1, 1, 3)
    assert ledger["coverage"] == 50.0
    assert [(d["name"], d["families"], d["due"], d["visited"], d["visits"], d["coverage"]) for d in ledger["by_district"]] == [
        ("铜官区妇联", 1, 1, 1, 2, 100.0),
        ("义安区妇联", 2, 1, 0, 1, 0.0),
    ]  # fmt: skip


def test_a_family_is_due_when_registered_one_period_before_the_years_end(jm):
    from fulian.ledger.models import FamilyType, RiskGrade
    from fulian.ledger.services import family_create

    red = RiskGrade.objects.get(code="red")  # every 30 days: registered before 2 December, due by 31 December
    poor = FamilyType.objects.get(code="poor")
    for created in (local(YEAR, 12, 1, 23, 59), local(YEAR, 12, 2, 0, 0)):
        family = family_create(actor=None, organisation=jm["county"], head_name="某户", types=[poor], grade=red)
        Family.objects.filter(pk=family.pk).update(created_at=created)
    ledger = report_figures(YEAR)["ledger"]
    assert (ledger["families"], ledger["due"]) == (2, 1)


def test_letter_scores_ranked(year_data):
    letters = report_figures(YEAR)["letters"]
    assert letters["rows"] == [
        {"rank": 1, "unit": "市公安局", "points": 95.5, "complete": True},
        {"rank": 2, "unit": "市教育体育局", "points": 88.0, "complete": True},
    ]


def test_no_letters_without_a_target_year(jm):
    figures = report_figures(YEAR)
    assert figures["letters"] is None
    assert not any(t["title"].startswith("表11") for t in figures["tables"])


def test_the_tables_have_the_documents_shape(year_data):
    figures = report_figures(YEAR)
    tables = figures["tables"]
    assert len(tables) == 11
    for table in tables:
        assert set(table) == {"title", "columns", "rows"}
        assert isinstance(table["title"], str)
        assert all(isinstance(c, str) for c in table["columns"])
        for row in table["rows"]:
            assert len(row) == len(table["columns"])
            assert all(isinstance(cell, str | int | float) for cell in row)
    assert json.loads(json.dumps(figures)) == figures  # JSON through and through
    referrals = next(t for t in tables if t["title"].startswith("表4"))
    assert referrals["columns"][0] == "成员单位"
    assert referrals["rows"][0] == ["市公安局", 3, 2, 1, 50.0, 234.0, 234.0, 1]
    assert referrals["rows"][-1][:5] == ["合计", 4, 3, 2, 66.7]
    categories = next(t for t in tables if t["title"].startswith("表1"))
    assert categories["rows"][-1] == ["合计", 5, 100.0]


def test_no_personal_data_in_the_figures_or_the_text(year_data):
    figures = report_figures(YEAR)
    sections = draft_sections(figures)
    text = json.dumps(figures, ensure_ascii=False) + json.dumps(sections, ensure_ascii=False)
    numbers = year_data["cases"] + list(Family.objects.values_list("number", flat=True))
    for value in PERSONAL + numbers:
        assert value not in text, value


def test_the_draft_quotes_the_figures_in_four_sections(year_data):
    sections = draft_sections(report_figures(YEAR, today=dt.date(YEAR + 1, 1, 10)))
    assert [s["heading"][:2] for s in sections] == ["一、", "二、", "三、", "四、"]
    assert "全年12338妇女维权公益服务热线共受理来电来访6件，其中咨询求助5件" in sections[0]["body"]
    assert "新立维权个案3件，办结1件，年末在办4件" in sections[0]["body"]
    assert "转介维权事项4件" in sections[1]["body"]
    assert "按期答复率66.7%" in sections[1]["body"]
    assert "市公安局（95.5分）" in sections[1]["body"]
    assert "收到强制报告1件" in sections[2]["body"]
    assert "走访覆盖率50.0%" in sections[3]["body"]
    assert all(len(s["heading"]) <= 60 and s["body"] for s in sections)


def test_an_empty_year_still_reads(jm):
    sections = draft_sections(report_figures(YEAR))
    assert "暂无受理记录" in sections[0]["body"]
    assert "未向成员单位转介" in sections[1]["body"]
    assert "未受理涉未成年人保护个案" in sections[2]["body"]


def test_a_constant_number_of_queries(year_data, jm, cat):
    with CaptureQueriesContext(connection) as before:
        report_figures(YEAR)
    for day in range(1, 6):
        make_contact(jm["sibling"], received_at=local(YEAR, 10, day, 9), category=cat["财产权益"], channel="letter")
        case = _case(jm["sibling"], cat["财产权益"], local(YEAR, 10, day))
        _referral(case, jm["education"], local(YEAR, 10, day, 9), dt.date(YEAR, 10, 20), local(YEAR, 10, 21, 9))
    with CaptureQueriesContext(connection) as after:
        figures = report_figures(YEAR)
    assert figures["contacts"]["total"] == 11
    assert len(after.captured_queries) == len(before.captured_queries)
    assert len(after.captured_queries) <= 30


def test_a_year_in_progress_says_so(jm):
    today = timezone.localdate()
    figures = report_figures(today.year)
    assert figures["complete"] is False
    assert "今年以来" in draft_sections(figures)[0]["body"]
