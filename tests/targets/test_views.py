"""The letters over HTTP: the secretariat sees every unit, a liaison only its own (404 for the
rest); drafting with the formsets and the running total; signing refused in Chinese; the
phone-sized return form; bad values never a 500; version conflicts; the assessment page; 我的工作;
the menu items."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from fulian.targets import services as s
from fulian.targets import views
from fulian.targets.models import Letter, Return, ReturnRound, Score, TargetYear
from fulian.targets.wagtail_hooks import LetterMenuItem, ReturnMenuItem, YearMenuItem
from tests.factories import login_verified
from tests.targets.conftest import INDICATOR_TARGET, PROPORTIONAL, RATED, draft, signed

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
BASE = "/admin/targets"


def _as(user):
    return login_verified(Client(), user)


def text(response) -> str:
    return response.content.decode()


def refused(response) -> bool:
    """A role without the permission: Wagtail turns the PermissionDenied into a way back to the dashboard."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


# --- years and letters --------------------------------------------------------------------------


def test_the_secretariat_opens_a_year_once_however_often_the_form_is_sent(owner):
    client = _as(owner)
    assert client.get(f"{BASE}/").status_code == 302
    post = {"year": "2031", "title": "2031 年责任书", "once": str(uuid.uuid4())}
    assert client.post(f"{BASE}/years/", post)["Location"] == f"{BASE}/years/2031/"
    assert client.post(f"{BASE}/years/", post).status_code == 302  # the double click
    assert TargetYear.objects.filter(year=2031).count() == 1
    page = text(client.post(f"{BASE}/years/", {"year": "abc", "title": "x", "once": str(uuid.uuid4())}))
    assert "年度应为四位数字" in page
    page = text(client.post(f"{BASE}/years/", {"year": "2031", "title": "again", "once": str(uuid.uuid4())}))
    assert "2031 年度已经存在" in page


def test_the_year_page_lists_every_signing_unit_and_drafts_the_missing_letters(owner, year, jm):
    client = _as(owner)
    template = draft(owner, year, jm["police_unit"])
    page = text(client.get(f"{BASE}/years/{year.year}/"))
    assert "市公安局" in page
    assert "市教育体育局" in page
    assert "尚未起草" in page
    assert "市民政局" not in page  # not a member unit
    response = client.post(f"{BASE}/years/{year.year}/letters/new/", {"template": template.pk})
    assert response.status_code == 302
    education = Letter.objects.get(year=year, unit=jm["education_unit"])
    assert education.targets.count() == 2
    assert client.post(f"{BASE}/years/{year.year}/letters/new/", {"template": "nonsense"}).status_code == 302


def test_a_liaison_sees_only_its_own_letter_read_only(colleague, outsider, police_letter, education_letter):
    client = _as(colleague)
    listing = text(client.get(f"{BASE}/letters/"))
    assert "市公安局" in listing
    assert "市教育体育局" not in listing
    page = text(client.get(f"{BASE}/letters/{police_letter.pk}/"))
    assert "建立强制报告工作机制" in page
    assert f"/letters/{police_letter.pk}/edit/" not in page
    assert client.get(f"{BASE}/letters/{education_letter.pk}/").status_code == 404
    for path in ("edit", "sign", "reopen"):
        assert client.get(f"{BASE}/letters/{police_letter.pk}/{path}/").status_code == 404
    assert client.get(f"{BASE}/letters/999999/").status_code == 404
    assert refused(client.get(f"{BASE}/years/"))


def test_the_secretariat_sees_every_letter(owner, police_letter, education_letter):
    client = _as(owner)
    listing = text(client.get(f"{BASE}/letters/"))
    assert "市公安局" in listing
    assert "市教育体育局" in listing
    for letter in (police_letter, education_letter):
        assert client.get(f"{BASE}/letters/{letter.pk}/").status_code == 200


def _letter_post(letter, targets, signatories, version=None):
    data = {"version": str(letter.version if version is None else version), "preamble": "正文", "closing": "条款",
            "targets-TOTAL_FORMS": str(len(targets)), "targets-INITIAL_FORMS": "0",
            "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "50",
            "signatories-TOTAL_FORMS": str(len(signatories)), "signatories-INITIAL_FORMS": "0",
            "signatories-MIN_NUM_FORMS": "0", "signatories-MAX_NUM_FORMS": "20"}  # fmt: skip
    for n, row in enumerate(targets):
        data.update({f"targets-{n}-{k}": str(v) for k, v in row.items()})
    for n, row in enumerate(signatories):
        data.update({f"signatories-{n}-{k}": str(v) for k, v in row.items()})
    return data


def test_drafting_shows_the_running_total_and_signing_refuses_other_than_100(owner, year, jm):
    client = _as(owner)
    letter = s.letter_create(actor=owner, year=year, unit=jm["police_unit"])
    assert "已保存的目标分值合计 0 分" in text(client.get(f"{BASE}/letters/{letter.pk}/edit/"))
    post = _letter_post(letter, [{**RATED, "weight": "30"}, {**PROPORTIONAL, "weight": "30"}],
                        [{"side": "issuer", "name": "张主任", "title": "副市长"},
                         {"side": "unit", "name": "李局长", "title": "局长"}])  # fmt: skip
    response = client.post(f"{BASE}/letters/{letter.pk}/edit/", post, follow=True)
    assert "各项目标分值合计为 60 分，签订前应调整为 100 分" in text(response)
    assert letter.targets.count() == 2
    letter.refresh_from_db()
    response = client.post(
        f"{BASE}/letters/{letter.pk}/sign/", {"version": letter.version, "signed_on": TODAY().isoformat()}
    )
    assert response.status_code == 200
    assert "各项目标分值合计应为 100 分，现为 60 分。" in text(response)
    assert Letter.objects.get(pk=letter.pk).status == "draft"


def test_a_stale_letter_form_says_so(owner, year, jm):
    client = _as(owner)
    letter = draft(owner, year, jm["police_unit"])
    post = _letter_post(letter, [RATED], [], version=letter.version - 1)
    response = client.post(f"{BASE}/letters/{letter.pk}/edit/", post)
    assert response.status_code == 200
    assert "已被他人修改" in text(response)


@pytest.mark.parametrize(
    "change",
    [
        {"targets-0-weight": "很多"},
        {"targets-0-number": "abc"},
        {"targets-0-target_value": "1e999999"},
        {"targets-0-indicator": "no_such_thing"},
        {"targets-TOTAL_FORMS": "many"},
        {"targets-TOTAL_FORMS": "100000"},
        {"version": "x"},
        {"signatories-0-side": "nobody"},
    ],
)
def test_bad_letter_posts_never_500(owner, year, jm, change):
    letter = s.letter_create(actor=owner, year=year, unit=jm["police_unit"])
    post = _letter_post(letter, [RATED], [{"side": "unit", "name": "李局长", "title": "局长"}])
    post.update(change)
    response = _as(owner).post(f"{BASE}/letters/{letter.pk}/edit/", post)
    assert response.status_code == 200
    assert not letter.targets.exists()


def test_a_signed_letter_cannot_be_edited_until_reopened(owner, police_letter):
    client = _as(owner)
    response = client.get(f"{BASE}/letters/{police_letter.pk}/edit/", follow=True)
    assert "目标已锁定" in text(response)
    response = client.post(
        f"{BASE}/letters/{police_letter.pk}/reopen/", {"version": police_letter.version, "reason": ""}
    )
    assert response.status_code == 200
    response = client.post(f"{BASE}/letters/{police_letter.pk}/reopen/",
                           {"version": police_letter.version, "reason": "增加目标"})  # fmt: skip
    assert response.status_code == 302
    assert client.get(f"{BASE}/letters/{police_letter.pk}/edit/").status_code == 200


# --- rounds and returns -------------------------------------------------------------------------


def test_a_bad_round_comes_back_in_chinese(owner, year):
    post = {"title": "全年", "period_end": f"{year.year}-12-31", "due_on": f"{year.year}-06-30", "remind_days": "5",
            "once": str(uuid.uuid4())}  # fmt: skip
    response = _as(owner).post(f"{BASE}/years/{year.year}/rounds/new/", post)
    assert "报送期限不能早于统计截止日期" in text(response)
    post.update({"due_on": "not a date", "once": str(uuid.uuid4())})
    assert _as(owner).post(f"{BASE}/years/{year.year}/rounds/new/", post).status_code == 200
    assert not ReturnRound.objects.exists()


def _lines(letter, values):
    data = {}
    for target, (value, explanation) in zip(letter.targets.order_by("number"), values, strict=True):
        data[f"t{target.pk}-value_reached"] = value
        data[f"t{target.pk}-explanation"] = explanation
    return data


def test_the_liaison_fills_and_submits_on_a_phone(colleague, police_letter, round):
    client = _as(colleague)
    listing = text(client.get(f"{BASE}/returns/"))
    assert "上半年" in listing
    assert "开始填报" in listing
    response = client.post(f"{BASE}/rounds/{round.pk}/start/")
    record = Return.objects.get()
    assert response["Location"] == f"{BASE}/returns/{record.pk}/edit/"
    form = text(client.get(f"{BASE}/returns/{record.pk}/edit/", HTTP_USER_AGENT="Mozilla/5.0 (iPhone)"))
    assert "fulian-visit" in form
    assert 'inputmode="decimal"' in form
    post = {"version": record.version, **_lines(police_letter, [("", "已建立"), ("6", "开展 6 次")]), "save": "1"}
    assert client.post(f"{BASE}/returns/{record.pk}/edit/", post).status_code == 302
    record.refresh_from_db()
    assert record.status == "draft"
    post = {"version": record.version, **_lines(police_letter, [("", "已建立"), ("7", "开展 7 次")]), "submit": "1"}
    assert client.post(f"{BASE}/returns/{record.pk}/edit/", post)["Location"] == f"{BASE}/returns/{record.pk}/"
    record.refresh_from_db()
    assert record.status == "submitted"
    assert record.lines.get(target__number=2).value_reached == Decimal(7)
    page = text(client.get(f"{BASE}/returns/{record.pk}/"))
    assert "已报送" in page
    assert "开展 7 次" in page
    assert "填报 / 修改" not in page


def test_submitting_an_incomplete_return_keeps_the_draft(colleague, police_letter, round):
    client = _as(colleague)
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    post = {"version": record.version, **_lines(police_letter, [("", ""), ("3", "")]), "submit": "1"}
    response = client.post(f"{BASE}/returns/{record.pk}/edit/", post, follow=True)
    assert "已保存草稿，但未报送：请填写第 1 项目标的完成情况后再报送。" in text(response)
    record.refresh_from_db()
    assert record.status == "draft"
    assert record.lines.get(target__number=2).value_reached == Decimal(3)


@pytest.mark.parametrize(("value", "message"), [("-5", "完成值不能为负数"), ("abc", "完成值应为数字"),
                                                ("1.234", "两位小数"), ("1e30", "完成值过大")])  # fmt: skip
def test_bad_values_come_back_beside_the_target(colleague, police_letter, round, value, message):
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    post = {"version": record.version, **_lines(police_letter, [("", "说明"), (value, "说明")])}
    response = _as(colleague).post(f"{BASE}/returns/{record.pk}/edit/", post)
    assert response.status_code == 200
    assert message in text(response)
    assert record.lines.get(target__number=2).value_reached is None


def test_a_stale_return_form_says_so(colleague, police_letter, round):
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    s.return_save(actor=colleague, return_record=record, expected_version=record.version, lines={})
    post = {"version": "1", **_lines(police_letter, [("", "a"), ("1", "b")])}
    assert "已被他人修改" in text(_as(colleague).post(f"{BASE}/returns/{record.pk}/edit/", post))


def test_another_units_liaison_gets_404_everywhere(colleague, outsider, police_letter, education_letter, round):
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    client = _as(outsider)
    assert client.get(f"{BASE}/returns/{record.pk}/").status_code == 404
    assert client.get(f"{BASE}/returns/{record.pk}/edit/").status_code == 404
    post = {"version": record.version, **_lines(police_letter, [("", "x"), ("1", "y")])}
    assert client.post(f"{BASE}/returns/{record.pk}/edit/", post).status_code == 404
    assert client.get(f"{BASE}/returns/{record.pk}/send-back/").status_code == 404
    assert refused(client.get(f"{BASE}/rounds/{round.pk}/"))  # the matrix is the secretariat's
    assert "市公安局" not in text(client.get(f"{BASE}/returns/"))
    client.post(f"{BASE}/rounds/{round.pk}/start/")  # opens the education bureau's own return, nothing else
    assert list(Return.objects.filter(organisation=outsider.staff_profile.organisation)) == list(
        Return.objects.exclude(pk=record.pk)
    )


def test_a_liaison_without_a_letter_cannot_open_a_return(owner, year, jm, round, colleague):
    draft(owner, year, jm["police_unit"])  # not signed
    response = _as(colleague).post(f"{BASE}/rounds/{round.pk}/start/", follow=True)
    assert "尚未签订" in text(response)
    assert not Return.objects.exists()


def test_the_secretariat_sees_the_matrix_and_sends_a_return_back(owner, colleague, police_letter, education_letter,
                                                                 round):  # fmt: skip
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    record = s.return_save(actor=colleague, return_record=record, expected_version=record.version,
                           lines={t.pk: {"value_reached": "5", "explanation": "说明"} for t in police_letter.targets.all()})  # fmt: skip
    s.return_submit(actor=colleague, return_record=record, expected_version=record.version)
    client = _as(owner)
    matrix = text(client.get(f"{BASE}/rounds/{round.pk}/"))
    assert "市公安局" in matrix
    assert "已报送" in matrix
    assert "市教育体育局" in matrix
    assert "未开始填报" in matrix
    assert client.get(f"{BASE}/returns/{record.pk}/").status_code == 200
    assert client.get(f"{BASE}/returns/{record.pk}/edit/", follow=True).status_code == 200  # told: only the unit fills
    record.refresh_from_db()
    response = client.post(f"{BASE}/returns/{record.pk}/send-back/", {"version": record.version, "reason": "缺佐证"})
    assert response.status_code == 302
    page = text(_as(colleague).get(f"{BASE}/returns/{record.pk}/"))
    assert "办公室退回修改意见" in page
    assert "缺佐证" in page


def test_a_closed_year_refuses_returns_with_a_message(owner, year, colleague, police_letter, round):
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    s.year_close(actor=owner, year=year)
    response = _as(colleague).get(f"{BASE}/returns/{record.pk}/edit/", follow=True)
    assert f"{year.year} 年度已关闭，不能再填报或修改。" in text(response)


def test_closing_the_year_asks_for_confirmation(owner, year):
    client = _as(owner)
    assert client.post(f"{BASE}/years/{year.year}/close/", {}).status_code == 200
    assert client.post(f"{BASE}/years/{year.year}/close/", {"confirm": "on"}).status_code == 302
    year.refresh_from_db()
    assert year.closed


# --- assessment ---------------------------------------------------------------------------------


def test_the_assessment_page_computes_the_figures_once_and_scores(owner, year, jm, stub_indicator):
    targets = [RATED, {**PROPORTIONAL, "weight": Decimal(40)}, INDICATOR_TARGET]
    police = signed(owner, year, jm["police_unit"], targets=targets)
    signed(owner, year, jm["education_unit"], targets=targets)
    client = _as(owner)
    page = text(client.get(f"{BASE}/years/{year.year}/assessment/"))
    assert "尚未关闭" in page
    assert len(stub_indicator["calls"]) == 1  # one computation for both units' indicator targets
    s.year_close(actor=owner, year=year)
    assert client.post(f"{BASE}/years/{year.year}/assessment/compute/").status_code == 302
    assert Score.objects.filter(target__indicator="stub_rate").count() == 2
    target = police.targets.get(number=1)
    response = client.post(f"{BASE}/scores/{target.pk}/", {"version": "0", "rating": "partly", "points": "50"})
    assert "得分应在 0 到 40 分之间。" in text(response)
    assert client.post(f"{BASE}/scores/{target.pk}/", {"version": "0", "rating": "reached"}).status_code == 302
    response = client.post(f"{BASE}/scores/{target.pk}/", {"version": "0", "rating": "not"})
    assert "已被他人修改" in text(response)
    page = text(client.get(f"{BASE}/years/{year.year}/assessment/"))
    assert "排名" in page
    assert "市公安局" in page


@pytest.mark.parametrize("points", ["abc", "1e999999", "NaN", "-1", "0.001"])
def test_bad_points_never_500(owner, year, police_letter, points):
    s.year_close(actor=owner, year=year)
    target = police_letter.targets.get(number=1)
    response = _as(owner).post(f"{BASE}/scores/{target.pk}/", {"version": "0", "rating": "partly", "points": points})
    assert response.status_code == 200
    assert not Score.objects.exists()


def test_liaisons_never_reach_the_assessment_and_see_their_scores_after_closing(owner, year, colleague, outsider,
                                                                                police_letter, education_letter):  # fmt: skip
    client = _as(colleague)
    target = police_letter.targets.get(number=1)
    assert refused(client.get(f"{BASE}/years/{year.year}/assessment/"))
    assert client.get(f"{BASE}/scores/{target.pk}/").status_code == 404
    s.year_close(actor=owner, year=year)
    s.score_target(actor=owner, target=target, rating="partly", points=Decimal("33.5"))
    s.score_target(actor=owner, target=education_letter.targets.get(number=1), rating="partly", points=Decimal("12.25"))
    page = text(client.get(f"{BASE}/letters/{police_letter.pk}/"))
    assert "33.50" in page
    assert "12.25" not in page
    assert client.get(f"{BASE}/letters/{education_letter.pk}/").status_code == 404


def test_a_liaison_sees_no_scores_while_the_year_is_open(colleague, police_letter):
    page = text(_as(colleague).get(f"{BASE}/letters/{police_letter.pk}/"))
    assert "得分" not in page


# --- 我的工作 and the menu -------------------------------------------------------------------------


def _request(user):
    request = RequestFactory().get("/admin/mywork/")
    request.user = user
    return request


def test_my_work_shows_due_rounds_to_the_liaison_and_late_units_to_the_secretariat(owner, year, colleague, outsider,
                                                                                  police_letter, education_letter):  # fmt: skip
    due = dt.date(year.year, 6, 30)
    round = s.round_create(actor=owner, year=year, title="上半年", period_end=due, due_on=due, remind_days=5)
    assert views.my_work_section(_request(colleague), due - dt.timedelta(days=10)) is None
    html = views.my_work_section(_request(colleague), due - dt.timedelta(days=2))
    assert html is not None
    assert "上半年" in html
    assert "未开始填报" in html
    assert views.my_work_section(_request(owner), due) is None
    late = views.my_work_section(_request(owner), due + dt.timedelta(days=1))
    assert late is not None
    assert "市公安局" in late
    assert "市教育体育局" in late
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    record = s.return_save(actor=colleague, return_record=record, expected_version=record.version,
                           lines={t.pk: {"value_reached": "1", "explanation": "x"} for t in police_letter.targets.all()})  # fmt: skip
    s.return_submit(actor=colleague, return_record=record, expected_version=record.version)
    late = views.my_work_section(_request(owner), due + dt.timedelta(days=1))
    assert late is not None
    assert "市公安局" not in late
    assert "市教育体育局" in late
    assert views.my_work_section(_request(colleague), due - dt.timedelta(days=2)) is None


def test_menu_items_follow_the_roles(owner, colleague, jm):
    from tests.factories import make_staff

    nobody = make_staff("caseworker_x", jm["city"], "caseworker")
    year_item = YearMenuItem("年度", "/admin/targets/years/")
    letter_item = LetterMenuItem("责任书", "/admin/targets/letters/")
    return_item = ReturnMenuItem("报送", "/admin/targets/returns/")
    assert [year_item.is_shown(_request(owner)), letter_item.is_shown(_request(owner)),
            return_item.is_shown(_request(owner))] == [True, True, True]  # fmt: skip
    assert [year_item.is_shown(_request(colleague)), letter_item.is_shown(_request(colleague)),
            return_item.is_shown(_request(colleague))] == [False, True, True]  # fmt: skip
    assert not any(item.is_shown(_request(nobody)) for item in (year_item, letter_item, return_item))


def test_every_secretariat_page_renders(owner, year, colleague, police_letter, round):
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    client = _as(owner)
    for path in (
        "/years/",
        f"/years/{year.year}/",
        f"/years/{year.year}/close/",
        f"/years/{year.year}/rounds/new/",
        f"/rounds/{round.pk}/",
        f"/rounds/{round.pk}/edit/",
        "/letters/",
        f"/letters/{police_letter.pk}/",
        f"/letters/{police_letter.pk}/sign/",
        f"/letters/{police_letter.pk}/reopen/",
        "/returns/",
        f"/returns/{record.pk}/",
        f"/returns/{record.pk}/send-back/",
    ):
        assert client.get(f"{BASE}{path}").status_code == 200, path
    page = text(client.get(f"{BASE}/years/{year.year}/assessment/"))
    assert f"{BASE}/years/{year.year}/assessment.pdf" in page
    assert f"{BASE}/years/{year.year}/scores.xlsx" in page
    assert f"{BASE}/letters/{police_letter.pk}/pdf/" in page


def test_the_scan_is_attached_by_the_secretariat_and_evidence_by_the_unit(owner, colleague, police_letter, round):
    assert upload_form(_as(owner).get(f"{BASE}/letters/{police_letter.pk}/"))
    assert not upload_form(_as(colleague).get(f"{BASE}/letters/{police_letter.pk}/"))
    record = s.return_open(actor=colleague, round=round, letter=police_letter)
    assert upload_form(_as(colleague).get(f"{BASE}/returns/{record.pk}/"))
    assert not upload_form(_as(owner).get(f"{BASE}/returns/{record.pk}/"))


def upload_form(response) -> bool:
    return "/admin/files/upload/" in text(response)
