"""The case export: a reason, fresh login, audited; minor-protection cases de-identified unless the
exporter holds the dedicated permission and asks for it; ordinary cases masked."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from fulian.audit.models import AuditEvent
from fulian.cases.exports import age_band
from fulian.protection.services import minor_protection_category
from tests.factories import login_verified, make_case, make_staff, mark_fresh_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(orgs, owner):
    child = make_case(
        orgs["county"], owner, category=minor_protection_category(), minor_involved=True,
        helped={"name": "林小雨", "phone": "13905620101", "sex": "F", "age": 12},
    )  # fmt: skip
    adult = make_case(orgs["county"], owner, helped={"name": "陈晓梅", "phone": "13905621234", "sex": "F", "age": 34})
    return child, adult


def _fresh(user):
    return mark_fresh_login(login_verified(Client(), user))


def _rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_export_is_de_identified_and_audited(cases, colleague):
    child, adult = cases
    client = _fresh(colleague)
    response = client.post("/admin/cases/export/", {"reason": "向市检察院报送年度统计"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    rows = {row[0]: row for row in _rows(response)[1:]}
    child_row, adult_row = rows[child.number], rows[adult.number]
    assert "林" not in "".join(child_row)
    assert "13905620101" not in "".join(child_row)
    assert child_row[11] == "12-13"
    assert child_row[13] == "已去标识"
    assert adult_row[9] == "陈**"
    assert adult_row[12] == "139****1234"
    event = AuditEvent.objects.get(action="case.export")
    assert event.detail["reason"] == "向市检察院报送年度统计"
    assert event.detail["identified"] is False
    assert event.detail["rows"] == 2


def test_the_dedicated_permission_may_ask_for_identities(orgs, cases):
    child, _adult = cases
    officer = make_staff("minor_officer", orgs["city"], "supervisor", "minor_data_officer")
    client = _fresh(officer)
    plain = {row[0]: row for row in _rows(client.post("/admin/cases/export/", {"reason": "日常统计报送"}))[1:]}
    assert plain[child.number][13] == "已去标识"
    full = {
        row[0]: row
        for row in _rows(client.post("/admin/cases/export/", {"reason": "向法院提交名单", "identified": "on"}))[1:]
    }
    assert full[child.number][9] == "林小雨"
    assert full[child.number][12] == "13905620101"
    assert AuditEvent.objects.filter(action="case.export", detail__identified=True).count() == 1


def test_asking_for_identities_without_the_permission_changes_nothing(cases, colleague):
    rows = _rows(_fresh(colleague).post("/admin/cases/export/", {"reason": "向法院提交名单", "identified": "on"}))
    assert "林小雨" not in "".join(",".join(r) for r in rows)


def test_the_export_asks_for_a_reason(cases, colleague):
    client = _fresh(colleague)
    response = client.post("/admin/cases/export/", {"reason": " "})
    assert response.status_code == 200
    assert "必需字段" in response.content.decode()
    assert "请具体写明导出用途" in client.post("/admin/cases/export/", {"reason": "统计"}).content.decode()
    assert not AuditEvent.objects.filter(action="case.export").exists()


def test_the_export_needs_fresh_login_and_the_right(cases, owner, colleague):
    assert login_verified(Client(), colleague).post("/admin/cases/export/", {"reason": "年度统计"}).status_code == 302
    refused = _fresh(owner).post("/admin/cases/export/", {"reason": "年度统计"})  # caseworkers do not export
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    assert not AuditEvent.objects.filter(action="case.export").exists()


def test_the_export_keeps_to_the_scope_and_the_filters(orgs, cases, colleague):
    other = make_staff("sibling_worker", orgs["sibling"], "caseworker")
    far = make_case(orgs["sibling"], other, helped={"name": "王芳", "sex": "F", "age": 40})
    county_supervisor = make_staff("county_supervisor", orgs["county"], "supervisor")
    numbers = [r[0] for r in _rows(_fresh(county_supervisor).post("/admin/cases/export/", {"reason": "年度统计"}))[1:]]
    assert far.number not in numbers
    assert len(numbers) == 2
    filtered = _fresh(colleague).post(
        f"/admin/cases/export/?category={minor_protection_category().pk}", {"reason": "年度统计"}
    )
    assert [r[0] for r in _rows(filtered)[1:]] == [cases[0].number]


@pytest.mark.parametrize(("age", "band"), [(None, ""), (0, "0-5"), (5, "0-5"), (6, "6-11"), (13, "12-13"), (14, "14-15"), (17, "16-17"), (18, "18+")])  # fmt: skip
def test_age_bands_at_the_edges(age, band):
    assert age_band(age) == band


def test_a_formula_in_a_cell_is_neutralised(orgs, owner, colleague):
    make_case(orgs["county"], owner, helped={"name": "=HYPERLINK(1)", "sex": "F", "age": 30})
    text = "".join(",".join(r) for r in _rows(_fresh(colleague).post("/admin/cases/export/", {"reason": "年度统计"})))
    assert "'=" in text
