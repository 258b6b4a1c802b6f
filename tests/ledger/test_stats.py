"""The picture for the city: every figure asserted exactly on a small tree whose families sit at the
month's edges, the scope (a county supervisor sees her county), the refusal, the page with its
charts' data and self-hosted script, and the download's cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.ledger import stats
from fulian.ledger import stats_views as sv
from fulian.ledger.models import Family, FamilyType, GradeChange, RiskGrade
from fulian.ledger.services import family_create, grade_change, visit_record
from tests.browser.conftest import CHROMIUM, browser_page  # noqa: F401 - the fixture, for the browser test
from tests.factories import login_verified, make_org_tree, make_staff

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FIRST, LAST = stats.month_bounds(TODAY)
MONTHS = stats.months_back(TODAY)


@pytest.fixture
def tree(db):
    """City → 铜官区 (天井湖 with 五一社区; 东郊街道 with 幸福村) and 义安区 (钟鸣镇 with 钟鸣村)."""
    from fulian.orgs.models import OrganisationKind as K
    from fulian.orgs.services import organisation_create as make

    t = make_org_tree()
    t["township2"] = make(name="东郊街道妇联", kind=K.TOWNSHIP, parent=t["county"], division_code="340705002")
    t["far_township"] = make(name="钟鸣镇妇联", kind=K.TOWNSHIP, parent=t["sibling"], division_code="340706101")
    t["village"] = make(name="五一社区妇联", kind=K.VILLAGE, parent=t["township"], division_code="340705001001")
    t["village2"] = make(name="幸福村妇联", kind=K.VILLAGE, parent=t["township2"], division_code="340705002001")
    t["far_village"] = make(name="钟鸣村妇联", kind=K.VILLAGE, parent=t["far_township"], division_code="340706101001")
    return t


@pytest.fixture
def g(db):
    return {grade.code: grade for grade in RiskGrade.objects.all()}


@pytest.fixture
def ty(db):
    return {kind.code: kind for kind in FamilyType.objects.all()}


@pytest.fixture
def city(tree):
    return make_staff("city_supervisor", tree["city"], "supervisor")


@pytest.fixture
def county(tree):
    return make_staff("county_supervisor", tree["county"], "supervisor")


def _family(org, grade, *types, name="户主"):
    return family_create(actor=None, organisation=org, head_name=name, types=list(types), grade=grade)


def _regrade(family, grade, at=None):
    family.refresh_from_db()
    grade_change(actor=None, family=family, version=family.version, grade=grade, reason="情况变化")
    if at is not None:
        GradeChange.objects.filter(family=family, to_grade=grade).update(at=at)


def _visit(family, day):
    visit_record(actor=None, family=family, visited_on=day, visitors="李干部")


def _dates(family, next_on, last_on):
    Family.objects.filter(pk=family.pk).update(next_visit_on=next_on, last_visit_on=last_on)


def _local(day, *time):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(*time)))


@pytest.fixture
def ledger(tree, g, ty):
    """Eight families, each at an edge of one figure (see the comments)."""
    f = {}
    # F1: visited twice this month (and once the day before it began): done, not due.
    f[1] = _family(tree["village"], g["red"], ty["poor"], ty["single_parent"])
    for day in (FIRST - dt.timedelta(days=1), FIRST, FIRST):
        _visit(f[1], day)
    _dates(f[1], LAST + dt.timedelta(days=1), FIRST)
    # F2: next visit on the month's last day, last visited the day before the month: due. Raised this month.
    f[2] = _family(tree["village"], g["yellow"], ty["poor"])
    _regrade(f[2], g["orange"])
    _visit(f[2], FIRST - dt.timedelta(days=1))
    _dates(f[2], LAST, FIRST - dt.timedelta(days=1))
    # F3: next visit on the next month's first day: not due; never visited. Lowered at the very
    # first instant (local time) of the month two months back.
    f[3] = _family(tree["village"], g["orange"], ty["left_children"])
    _regrade(f[3], g["yellow"], at=_local(MONTHS[-3]))
    _dates(f[3], LAST + dt.timedelta(days=1), None)
    # F4: next visit yesterday: overdue and due; never visited.
    f[4] = _family(tree["village2"], g["red"], ty["conflict"])
    _dates(f[4], TODAY - dt.timedelta(days=1), None)
    # F5: next visit today: due, not overdue; never visited. Lowered one second before the window.
    f[5] = _family(tree["village2"], g["red"], ty["poor"])
    _regrade(f[5], g["yellow"], at=_local(MONTHS[0]) - dt.timedelta(seconds=1))
    _dates(f[5], TODAY, None)
    # F6: the sibling county's, visited this month; lowered this month.
    f[6] = _family(tree["far_village"], g["red"], ty["poor"], ty["left_children"])
    _regrade(f[6], g["orange"])
    _visit(f[6], FIRST)
    _dates(f[6], TODAY + dt.timedelta(days=200), FIRST)
    # F7: kept by the county office itself, registered last month, visited before this month.
    f[7] = _family(tree["county"], g["yellow"], ty["illness"])
    GradeChange.objects.filter(family=f[7]).update(at=_local(MONTHS[-2], 12))
    _visit(f[7], FIRST - dt.timedelta(days=1))
    _dates(f[7], TODAY + dt.timedelta(days=200), FIRST - dt.timedelta(days=1))
    # F8: kept by the city office itself, never visited, not yet due.
    f[8] = _family(tree["city"], g["red"], ty["poor"])
    _dates(f[8], TODAY + dt.timedelta(days=200), None)
    return f


def _area(row, g):
    """An area's figures as a comparable tuple: name, total, (red, orange, yellow), due, visited,
    visits, overdue, never."""
    fig = row.figures
    return (row.name, fig.total, tuple(fig.by_grade.get(g[c].pk, 0) for c in ("red", "orange", "yellow")),
            fig.due, fig.visited, fig.visits, fig.overdue, fig.never)  # fmt: skip


def test_the_city_sees_every_figure_exactly(ledger, city, tree, g):
    assert [_area(row, g) for row in stats.counts_by_district(city)] == [
        ("铜官区妇联", 6, (2, 1, 3), 3, 1, 2, 1, 3),
        ("义安区妇联", 1, (0, 1, 0), 0, 1, 1, 0, 0),
        ("本级直管", 1, (1, 0, 0), 0, 0, 0, 0, 1),
    ]
    assert [_area(row, g) for row in stats.counts_by_township(city, tree["county"])] == [
        ("天井湖社区妇联", 3, (1, 1, 1), 1, 1, 2, 0, 1),
        ("东郊街道妇联", 2, (1, 0, 1), 2, 0, 0, 1, 2),
        ("本级直管", 1, (0, 0, 1), 0, 0, 0, 0, 0),
    ]
    assert [_area(row, g) for row in stats.counts_by_township(city, tree["sibling"])] == [
        ("钟鸣镇妇联", 1, (0, 1, 0), 0, 1, 1, 0, 0),
    ]
    by_grade = stats.counts_by_grade(city)
    assert [(row.item.code, row.count, row.item.colour) for row in by_grade] == [
        ("red", 3, "#d32f2f"), ("orange", 2, "#f57c00"), ("yellow", 3, "#fbc02d")
    ]  # fmt: skip
    types = {row.item.code: row.count for row in stats.counts_by_type(city)}
    assert types == {"poor": 5, "single_parent": 1, "bereaved": 0, "conflict": 1, "left_children": 2,
                     "left_women": 0, "disability": 0, "illness": 1}  # fmt: skip
    month = stats.visits_this_month(city)
    assert (month.first, month.last) == (FIRST, LAST)
    assert (month.due, month.visits, month.visited, month.overdue, month.never) == (3, 3, 2, 1, 4)
    assert stats.families_without_visit(city) == 4


def test_grade_changes_per_month_for_the_last_twelve_months(ledger, city, county, g):
    changes = stats.grade_changes_by_month(city)
    assert [c.month for c in changes] == MONTHS
    assert len(MONTHS) == 12
    assert MONTHS[-1] == FIRST
    rows = {c.month: (c.registered, c.raised, c.lowered, c.to_counts([g["red"], g["orange"], g["yellow"]]))
            for c in changes}  # fmt: skip
    assert rows[MONTHS[-1]] == (7, 1, 1, [0, 2, 0])  # F2 raised and F6 lowered, both to orange
    assert rows[MONTHS[-2]] == (1, 0, 0, [0, 0, 0])  # F7 registered last month
    assert rows[MONTHS[-3]] == (0, 0, 1, [0, 0, 1])  # F3 at the month's first instant, local time
    assert all(rows[m] == (0, 0, 0, [0, 0, 0]) for m in MONTHS[:-3])  # F5's change was a second too early
    mine = {c.month: (c.registered, c.raised, c.lowered) for c in stats.grade_changes_by_month(county)}
    assert mine[MONTHS[-1]] == (5, 1, 0)


def test_a_county_supervisor_sees_only_her_county(ledger, county, tree, g):
    assert [_area(row, g) for row in stats.counts_by_district(county)] == [("铜官区妇联", 6, (2, 1, 3), 3, 1, 2, 1, 3)]
    assert stats.counts_by_township(county, tree["sibling"]) == []
    picture = stats.picture(county)
    assert picture.district is not None
    assert picture.district.pk == tree["county"].pk
    assert [row.name for row in picture.townships] == ["天井湖社区妇联", "东郊街道妇联", "本级直管"]
    assert picture.total.total == 6
    assert picture.month.visited == 1
    assert picture.month.never == 3
    assert {row.item.code: row.count for row in picture.by_type}["left_children"] == 1
    # Another county asked for by id is ignored, not shown.
    assert stats.picture(county, district=tree["sibling"].pk).townships == picture.townships


def test_a_village_cadre_sees_her_village_under_her_own_county_and_township(ledger, tree, g):
    cadre = make_staff("cadre", tree["far_village"], "grassroots")
    assert [_area(row, g) for row in stats.counts_by_district(cadre)] == [("义安区妇联", 1, (0, 1, 0), 0, 1, 1, 0, 0)]
    assert [row.name for row in stats.picture(cadre).townships] == ["钟鸣镇妇联"]


def test_a_family_shared_from_elsewhere_is_counted_only_where_it_belongs(ledger, county, tree):
    from fulian.security.access import share, visible

    share(actor=None, record=ledger[6], organisation=tree["county"], reason="转介")
    assert visible(county, Family).filter(pk=ledger[6].pk).exists()
    assert stats.picture(county).total.total == 6


def test_the_figures_of_a_second_root_stay_out_of_the_citys(ledger, city, g, ty):
    """With every family in her subtree the queries skip the scope's joins; a family under another
    root makes them apply it again."""
    from fulian.orgs.models import OrganisationKind as K
    from fulian.orgs.services import organisation_create

    before = stats.picture(city)
    other = organisation_create(name="池州市妇联", kind=K.CITY, division_code="341700")
    stranger = _family(other, g["red"], ty["bereaved"])
    _visit(stranger, FIRST)
    _regrade(stranger, g["orange"])
    after = stats.picture(city)
    assert after.total == before.total
    assert after.month == before.month
    assert [(r.item.pk, r.count) for r in after.by_type] == [(r.item.pk, r.count) for r in before.by_type]
    assert after.changes == before.changes
    assert [row.name for row in after.districts] == [row.name for row in before.districts]


def test_without_the_right_to_view_families_there_are_no_figures_and_no_page(ledger, tree):
    operator = make_staff("operator", tree["city"], "hotline_operator")
    assert stats.families(operator).count() == 0
    assert stats.counts_by_district(operator) == []
    assert stats.picture(operator).total.total == 0
    client = login_verified(Client(), operator)
    for url in ("/admin/ledger/stats/", "/admin/ledger/stats/download/?format=xlsx"):
        refused = client.get(url)  # Wagtail answers a refusal by sending her to the dashboard, with a message
        assert (refused.status_code, refused["Location"]) == (302, "/admin/"), url
    assert not AuditEvent.objects.filter(action="family.stats_export").exists()
    assert Client().get("/admin/ledger/stats/")["Location"].startswith("/admin/login/")


def test_the_page_shows_tables_and_chart_data_with_the_self_hosted_script(ledger, city, tree):
    client = login_verified(Client(), city)
    response = client.get(f"/admin/ledger/stats/?district={tree['county'].pk}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert re.search(r'<script src="/static/fulian/vendor/chartjs/chart\.umd\.min\.js" defer>', html)
    assert re.search(r'<script src="/static/fulian/js/ledger_stats\.js" defer>', html)
    found = re.search(r'<script id="ledger-stats-data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert [grade["name"] for grade in data["grades"]] == ["红色", "橙色", "黄色"]
    assert data["districts"] == {"labels": ["铜官区妇联", "义安区妇联", "本级直管"],
                                 "byGrade": [[2, 1, 3], [0, 1, 0], [1, 0, 0]]}  # fmt: skip
    assert data["townships"]["labels"] == ["天井湖社区妇联", "东郊街道妇联", "本级直管"]
    assert data["byGrade"] == {"labels": ["红色", "橙色", "黄色"], "values": [3, 2, 3],
                               "colours": ["#d32f2f", "#f57c00", "#fbc02d"]}  # fmt: skip
    assert data["month"]["values"] == [3, 2, 1, 4]
    assert data["changes"]["raised"][-1] == 1
    assert data["changes"]["lowered"][-3] == 1
    for chart in ("byGrade", "month", "districts", "townships", "types", "changes"):
        assert f'data-chart="{chart}"' in html, chart
    # The tables are there for who cannot see the charts.
    assert '<th scope="row">本级直管</th>' in html
    assert "东郊街道妇联" in html
    assert "留守儿童" in html
    # The page's data never holds a family's number or name.
    assert ledger[1].number not in html
    # Showing aggregates reads no record: no audit row for the page.
    assert not AuditEvent.objects.filter(action__startswith="family.", actor_id=city.pk).exists()


def test_the_page_costs_the_same_few_queries_whatever_the_number_of_families(ledger, city, tree, g, ty):
    client = login_verified(Client(), city)
    url = f"/admin/ledger/stats/?district={tree['county'].pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(5):
        _family(tree["village2"], g["red"], ty["poor"], name=f"新户{n}")
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before)


def test_the_download_holds_the_same_figures_and_is_audited(ledger, city, tree):
    client = login_verified(Client(), city)
    response = client.get(f"/admin/ledger/stats/download/?format=xlsx&district={tree['county'].pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["概况", "按区县", "按乡镇（街道）", "按风险等级", "按家庭类型", "等级变化（近12个月）"]
    cells = {name: [list(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}
    summary = dict(row for row in cells["概况"][1:])
    assert summary == {"统计范围": "铜陵市妇联", "统计日期": TODAY.isoformat(), "家庭总数": 8, "本月应访（户）": 3,
                       "本月已访（户）": 2, "本月走访（次）": 3, "逾期未访（户）": 1, "从未走访（户）": 4}  # fmt: skip
    assert cells["按区县"] == [
        ["区县", "家庭数", "红色", "橙色", "黄色", "本月应访（户）", "本月已访（户）", "本月走访（次）", "逾期未访（户）", "从未走访（户）"],
        ["铜官区妇联", 6, 2, 1, 3, 3, 1, 2, 1, 3],
        ["义安区妇联", 1, 0, 1, 0, 0, 1, 1, 0, 0],
        ["本级直管", 1, 1, 0, 0, 0, 0, 0, 0, 1],
        ["合计", 8, 3, 2, 3, 3, 2, 3, 1, 4],
    ]  # fmt: skip
    # The townships of every district, not only the one on the page.
    assert [row[:3] for row in cells["按乡镇（街道）"][1:]] == [
        ["铜官区妇联", "天井湖社区妇联", 3], ["铜官区妇联", "东郊街道妇联", 2], ["铜官区妇联", "本级直管", 1],
        ["义安区妇联", "钟鸣镇妇联", 1],
    ]  # fmt: skip
    assert cells["按风险等级"][1:] == [["红色", 3, 30], ["橙色", 2, 60], ["黄色", 3, 90]]
    assert ["留守儿童", 2] in cells["按家庭类型"]
    changes = cells["等级变化（近12个月）"]
    assert changes[0] == ["月份", "新建档", "升级", "降级", "调至红色", "调至橙色", "调至黄色"]
    assert changes[-1] == [f"{FIRST:%Y-%m}", 7, 1, 1, 0, 2, 0]
    assert len(changes) == 13
    # The page's own tables agree with the download's cells.
    picture = stats.picture(city, district=tree["county"].pk)
    assert [[*t.header] for t in sv.tables(picture)] == [row[0] for row in cells.values()]
    event = AuditEvent.objects.get(action="family.stats_export")
    assert event.actor_id == city.pk
    assert event.detail == {"format": "xlsx", "district": tree["county"].pk, "families": 8}


def test_the_csv_download_holds_the_same_tables(ledger, county):
    response = login_verified(Client(), county).get("/admin/ledger/stats/download/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert ["按区县"] in rows
    at = rows.index(["按区县"])
    assert rows[at + 2] == ["铜官区妇联", "6", "2", "1", "3", "3", "1", "2", "1", "3"]
    assert ["义安区妇联"] not in [row[:1] for row in rows]
    assert login_verified(Client(), county).get("/admin/ledger/stats/download/?format=pdf").status_code == 404


def test_a_name_that_looks_like_a_formula_is_written_as_text(ledger, city, tree):
    from openpyxl import load_workbook

    FamilyType.objects.filter(code="poor").update(name="=1+1")
    book = load_workbook(io.BytesIO(sv.xlsx_bytes(sv.tables(stats.picture(city)))))
    names = [row[0].value for row in book["按家庭类型"].iter_rows(min_row=2)]
    assert "=1+1" in names
    assert all(row[0].data_type == "s" for row in book["按家庭类型"].iter_rows(min_row=2))
    text = "".join(sv.csv_lines(sv.tables(stats.picture(city))))
    assert "'=1+1" in text


def test_month_bounds_and_the_twelve_months():
    assert stats.month_bounds(dt.date(2028, 2, 10)) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert stats.month_bounds(dt.date(2026, 12, 31)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert stats.months_back(dt.date(2026, 3, 31), 4) == [dt.date(2025, 12, 1), dt.date(2026, 1, 1),
                                                          dt.date(2026, 2, 1), dt.date(2026, 3, 1)]  # fmt: skip


@pytest.mark.browser
@pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_charts_draw_in_a_browser_from_the_self_hosted_library(live_server, browser_page, tree, g, ty):  # noqa: F811
    from django.conf import settings

    for n, org in enumerate((tree["village"], tree["village2"], tree["far_village"])):
        _family(org, (g["red"], g["orange"], g["yellow"])[n], ty["poor"])
    city = make_staff("city_browser", tree["city"], "supervisor")
    client = login_verified(Client(), city)
    page = browser_page
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])  # fmt: skip
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    outside: list[str] = []  # scripts, styles and fonts from anywhere but the site itself

    def loaded(request):
        if request.resource_type in ("script", "stylesheet", "font") and not request.url.startswith(live_server.url):
            outside.append(request.url)

    page.on("request", loaded)
    page.goto(f"{live_server.url}/admin/ledger/stats/?district={tree['county'].pk}")
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]:not([hidden])').length === 6")
    assert page.evaluate("typeof window.Chart") == "function"
    drawn = page.evaluate("[...document.querySelectorAll('canvas[data-chart]')].map(c => !!window.Chart.getChart(c))")
    assert drawn == [True] * 6
    assert errors == []
    assert outside == []
