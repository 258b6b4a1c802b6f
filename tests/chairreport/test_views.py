"""The report over HTTP: the secretariat's alone (everyone else 404), the list and its create form,
the page as the document will read, the edit formset (add, remove, reorder without JavaScript),
refresh, finalise, reopen — and bad input answered in Chinese, never with a 500."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from fulian.chairreport import services as s
from fulian.chairreport.models import ChairReport, ReportStatus
from tests.chairreport.conftest import PERSONAL, YEAR
from tests.factories import login_verified

pytestmark = pytest.mark.django_db


def _as(user):
    return login_verified(Client(raise_request_exception=False), user)


@pytest.fixture
def report(owner):
    return s.report_create(actor=owner, year=YEAR)


def _edit_post(report, sections, **extra):
    data = {
        "title": report.title, "speaker": "市妇联主席 徐某某", "version": report.version,
        "sections-TOTAL_FORMS": len(sections), "sections-INITIAL_FORMS": len(report.sections),
        "sections-MIN_NUM_FORMS": 0, "sections-MAX_NUM_FORMS": 12,
    }  # fmt: skip
    for n, section in enumerate(sections):
        for key, value in section.items():
            data[f"sections-{n}-{key}"] = value
    data.update(extra)
    return data


def test_the_secretary_sees_the_list_and_the_report(year_data, owner, report):
    client = _as(owner)
    listing = client.get("/admin/chairreport/")
    assert listing.status_code == 200
    assert report.title in listing.content.decode()
    page = client.get(f"/admin/chairreport/{report.pk}/").content.decode()
    assert "一、勇于担当，积极履职" in page
    assert "表4　向成员单位转介及答复情况" in page
    assert "市公安局" in page
    assert "定稿" in page
    for value in PERSONAL:
        assert value not in page


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_everyone_else_gets_404(request, report, who):
    client = _as(request.getfixturevalue(who))
    for url in ("", f"{report.pk}/", f"{report.pk}/edit/"):
        assert client.get(f"/admin/chairreport/{url}").status_code == 404
    for url in ("", f"{report.pk}/refresh/", f"{report.pk}/finalise/", f"{report.pk}/reopen/", f"{report.pk}/edit/"):
        assert client.post(f"/admin/chairreport/{url}", {"year": YEAR - 1, "version": 1}).status_code == 404
    assert ChairReport.objects.count() == 1


def test_a_missing_report_is_404(owner):
    assert _as(owner).get("/admin/chairreport/999999/").status_code == 404


def test_the_menu_shows_the_report_to_the_secretariat_only(owner, colleague):
    # The sidebar's items are in its JSON props: the address is what the page holds as written.
    assert "/admin/chairreport/" in _as(owner).get("/admin/").content.decode()
    assert "/admin/chairreport/" not in _as(colleague).get("/admin/").content.decode()


def test_create_from_the_list_once(owner):
    client = _as(owner)
    post = {"year": str(YEAR), "once": str(uuid.uuid4())}
    response = client.post("/admin/chairreport/", post)
    report = ChairReport.objects.get()
    assert response["Location"] == f"/admin/chairreport/{report.pk}/"
    assert client.post("/admin/chairreport/", post).status_code == 302  # the double click
    assert ChairReport.objects.count() == 1
    again = client.post("/admin/chairreport/", {"year": str(YEAR), "once": str(uuid.uuid4())})
    assert again.status_code == 200
    assert "该年度的工作报告已存在。" in again.content.decode()


@pytest.mark.parametrize(
    ("year", "message"),
    [("abc", "请填写年度"), ("", "请填写年度"), ("1900", "年度应在 2000 年及以后"), ("3000", "不能为将来的年度"),
     (str(timezone.localdate().year + 1), "不能为将来的年度"), ("99999999", "不能为将来的年度")],
)  # fmt: skip
def test_bad_years_answer_in_chinese(owner, year, message):
    response = _as(owner).post("/admin/chairreport/", {"year": year, "once": str(uuid.uuid4())})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ChairReport.objects.exists()


def test_the_edit_formset_adds_removes_and_reorders(owner, report):
    client = _as(owner)
    form = client.get(f"/admin/chairreport/{report.pk}/edit/").content.decode()
    assert "sections-4-heading" in form  # the blank section at the end
    sections = [
        {"heading": h["heading"], "body": h["body"], "ORDER": n} for n, h in enumerate(report.sections, start=1)
    ]
    sections[0]["ORDER"] = 9  # the first goes last
    sections[1]["DELETE"] = "on"  # the second goes
    sections.append({"heading": "五、下一步工作打算", "body": "一是……\n\n二是……", "ORDER": ""})
    response = client.post(f"/admin/chairreport/{report.pk}/edit/", _edit_post(report, sections))
    assert response.status_code == 302
    report.refresh_from_db()
    assert [x["heading"][:2] for x in report.sections] == ["三、", "四、", "一、", "五、"]
    assert report.sections[-1]["body"] == "一是……\n\n二是……"
    assert report.speaker == "市妇联主席 徐某某"
    page = client.get(f"/admin/chairreport/{report.pk}/").content.decode()
    assert "<p>一是……</p>" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": "999"}, "已被他人修改"),
        ({"version": "abc"}, "页面已过期"),
        ({"version": ""}, "页面已过期"),
        ({"title": ""}, "请填写报告标题"),
        ({"sections-0-heading": ""}, "请填写本节标题"),
        ({"sections-0-heading": "一" * 61}, "不超过 60 字符"),
        ({"sections-0-body": ""}, "请填写本节内容"),
        ({"sections-0-ORDER": "abc"}, "序号应为整数"),
        ({"sections-TOTAL_FORMS": "abc"}, "页面数据不完整，请刷新后重新填写。"),
        ({"sections-TOTAL_FORMS": "50"}, "报告最多 12 节。"),
    ],
)
def test_bad_edits_answer_in_chinese_and_change_nothing(owner, report, change, message):
    sections = [{"heading": x["heading"], "body": x["body"], "ORDER": n} for n, x in enumerate(report.sections, 1)]
    data = _edit_post(report, sections)
    data.update(change)
    response = _as(owner).post(f"/admin/chairreport/{report.pk}/edit/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ChairReport.objects.get(pk=report.pk).version == report.version


def test_deleting_every_section_is_refused(owner, report):
    sections = [{"heading": x["heading"], "body": x["body"], "DELETE": "on"} for x in report.sections]
    response = _as(owner).post(f"/admin/chairreport/{report.pk}/edit/", _edit_post(report, sections))
    assert response.status_code == 200
    assert "报告至少应有一节正文" in response.content.decode()


def test_refresh_finalise_and_reopen_from_the_page(owner, report):
    client = _as(owner)
    response = client.post(f"/admin/chairreport/{report.pk}/refresh/", {"version": report.version}, follow=True)
    assert "已按最新数据重新生成统计数据" in response.content.decode()
    report.refresh_from_db()
    assert report.version == 2
    stale = client.post(f"/admin/chairreport/{report.pk}/finalise/", {"version": 1}, follow=True)
    assert "已被他人修改" in stale.content.decode()
    tampered = client.post(f"/admin/chairreport/{report.pk}/finalise/", {"version": "x"}, follow=True)
    assert "页面已过期" in tampered.content.decode()
    assert client.post(f"/admin/chairreport/{report.pk}/finalise/", {"version": 2}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.FINAL
    # A final report: no editing; the edit page sends back with the reason.
    edit = client.get(f"/admin/chairreport/{report.pk}/edit/", follow=True).content.decode()
    assert "报告已定稿，不能再修改。" in edit
    refused = client.post(f"/admin/chairreport/{report.pk}/refresh/", {"version": 3}, follow=True)
    assert "报告已定稿，不能再修改。" in refused.content.decode()
    no_reason = client.post(f"/admin/chairreport/{report.pk}/reopen/", {"reason": "", "version": 3}, follow=True)
    assert "请填写重新打开的理由" in no_reason.content.decode()
    client.post(f"/admin/chairreport/{report.pk}/reopen/", {"reason": "数字有误", "version": 3})
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_the_download_links_appear_once_the_documents_exist(owner, report):
    from django.urls import NoReverseMatch, reverse

    page = _as(owner).get(f"/admin/chairreport/{report.pk}/").content.decode()
    try:
        url = reverse("chairreport_pdf", kwargs={"pk": report.pk})
    except NoReverseMatch:
        assert "下载 PDF" not in page  # the documents are not there yet: the page still works
    else:
        assert url in page


def test_get_on_post_only_addresses_is_refused_politely(owner, report):
    client = _as(owner)
    for url in ("refresh", "finalise", "reopen"):
        assert client.get(f"/admin/chairreport/{report.pk}/{url}/").status_code == 405
