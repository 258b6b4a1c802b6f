"""A village cadre imports her ledger in a real browser: a sheet with mistakes is checked and its
errors are shown by row and column; the corrected sheet imports; the progress page follows a
running import and shows the result when it ends."""

from __future__ import annotations

import io
import os
import re

import openpyxl
import pytest
from django.conf import settings
from django.test import Client

from fulian.ledger import imports
from fulian.ledger.models import Family, ImportStatus, LedgerImport
from fulian.orgs.models import OrganisationKind
from fulian.orgs.services import organisation_create
from tests.browser.conftest import CHROMIUM
from tests.factories import login_verified, make_org_tree, make_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _log_in(page, live_server, user) -> None:
    client = login_verified(Client(), user)
    page.context.clear_cookies()
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
    page.context.add_cookies([{**cookie, "url": live_server.url}])


def _sheet(rows: list[dict[str, object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append([str(c.header) for c in imports.COLUMNS])
    for values in rows:
        sheet.append([values.get(c.key) for c in imports.COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_errors_by_row_and_column_then_the_import(live_server, browser_page):
    orgs = make_org_tree()
    village = organisation_create(name="五一社区妇联", kind=OrganisationKind.VILLAGE, parent=orgs["township"],
                                  division_code="340705001001")  # fmt: skip
    cadre = make_staff("village_cadre", village, "grassroots")
    page = browser_page
    _log_in(page, live_server, cadre)

    head: dict[str, object] = {"key": 1, "organisation": "五一社区妇联", "head_name": "刘秀英", "types": "单亲", "grade": "黄色",
            "name": "刘秀英", "relationship": "户主"}  # fmt: skip
    bad: list[dict[str, object]] = [
        {**head, "id_number": "340705198002030041"},  # wrong check digit (…049)
        {"name": "张小明", "relationship": "外甥"},
        {**head, "key": 2, "organisation": "不存在村", "head_name": "王"},
    ]
    page.goto(live_server.url + "/admin/ledger/import/")
    page.set_input_files("input[name=sheet]", files=[{"name": "台账.xlsx", "mimeType": XLSX, "buffer": _sheet(bad)}])
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url(re.compile(r"/admin/ledger/import/\d+/$"))
    assert "文件中有错误，没有导入" in page.locator("[role=alert]").inner_text()
    table = page.locator("#ledger-import-errors")
    rows = [[cell.strip() for cell in r.locator("td").all_inner_texts()] for r in table.locator("tbody tr").all()]
    assert ["第 2 行", "N · 身份证号", "身份证号校验位不正确，请核对。"] in rows
    assert any(r[:2] == ["第 3 行", "M · 与户主关系"] and "无法识别的与户主关系" in r[2] for r in rows)
    assert any(r[:2] == ["第 4 行", "B · 村（社区）"] and "找不到这个村（社区）" in r[2] for r in rows)
    assert "刘秀英" not in table.inner_text()  # a cell's value is never shown back
    assert not Family.objects.exists()

    # The corrected sheet passes, and imports.
    page.get_by_role("link", name="重新上传").click()
    good: list[dict[str, object]] = [
        {**head, "id_number": "340705198002030049"},
        {"name": "张小明", "relationship": "子女"},
    ]
    page.set_input_files("input[name=sheet]", files=[{"name": "台账.xlsx", "mimeType": XLSX, "buffer": _sheet(good)}])
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_selector("text=检查通过：共 1 户、2 人")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("text=已导入 1 户、2 人")
    assert Family.objects.get().organisation == village


def test_the_progress_page_follows_a_running_import(live_server, browser_page):
    orgs = make_org_tree()
    cadre = make_staff("township_cadre", orgs["township"], "grassroots")
    job = LedgerImport.objects.create(created_by=cadre, organisation=orgs["township"], status=ImportStatus.IMPORTING,
                                      rows=100, families=40, members=100, done=35, total=140)  # fmt: skip
    page = browser_page
    _log_in(page, live_server, cadre)
    page.goto(f"{live_server.url}/admin/ledger/import/{job.pk}/")
    assert page.locator("#ledger-import-progress").get_attribute("value") == "25"
    LedgerImport.objects.filter(pk=job.pk).update(done=105)
    page.wait_for_function("document.getElementById('ledger-import-percent').textContent === '75%'")
    LedgerImport.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, done=140)
    page.wait_for_selector("text=已导入 40 户、100 人")  # the script reloads the page when the import ends
