"""The letters and the assessment on paper: each PDF rendered to images and read back, the scores
workbook opened with openpyxl, and the downloads through the admin with their access rules."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fulian.audit.models import AuditEvent
from fulian.targets import documents
from fulian.targets.indicators import INDICATORS
from fulian.targets.models import (
    Letter,
    LetterStatus,
    Rating,
    Score,
    Scoring,
    Signatory,
    SignatorySide,
    Target,
    TargetYear,
)
from tests.factories import login_verified, make_joint_meeting
from tests.lib.test_officedoc import assert_fonts_embedded, bottom_text, metadata, pdf_pages

TITLE = "铜陵市预防性侵未成年人、维护女童人身权益工作目标管理责任书"
PREAMBLE = (
    "为深入贯彻落实《中华人民共和国未成年人保护法》《中华人民共和国妇女权益保障法》，预防性侵害未成年人违法犯罪，"
    "切实维护女童人身权益，根据市委、市政府工作部署，经联席会议研究，与各责任单位签订本责任书。\n"
    "一、工作原则\n"
    "坚持最有利于未成年人原则，坚持预防为主、标本兼治，坚持部门协作、齐抓共管。"
)
CLOSING = "责任单位应于每季度末报送目标完成情况。年度考核结果在全市通报，并作为综合考评的重要依据。"


@pytest.fixture
def jm(db):
    return make_joint_meeting()


@pytest.fixture
def year(jm):
    return TargetYear.objects.create(year=2026, title=TITLE)


def make_letter(jm, year, unit_key: str, *, targets: int = 3, signed: bool = True) -> Letter:
    unit = jm[unit_key]
    letter = Letter.objects.create(
        organisation=unit.organisation,
        unit=unit,
        year=year,
        preamble=PREAMBLE,
        closing=CLOSING,
        status=LetterStatus.SIGNED if signed else LetterStatus.DRAFT,
        signed_on=dt.date(2026, 5, 20) if signed else None,
    )
    weight = Decimal(100) / targets
    for n in range(1, targets + 1):
        Target.objects.create(
            letter=letter,
            number=n,
            text=f"第{n}项：开展预防性侵害未成年人宣传教育进校园活动，覆盖全市中小学校和幼儿园，建立工作台账。",
            measure="查阅工作台账、现场抽查",
            target_value=Decimal("95") if n % 2 else Decimal("12"),
            value_unit="%" if n % 2 else "次",
            weight=weight.quantize(Decimal("0.01")),
        )
    Signatory.objects.create(
        letter=letter, side=SignatorySide.JOINT_MEETING, name="张某某", title="联席会议主任", order=1
    )
    Signatory.objects.create(
        letter=letter, side=SignatorySide.JOINT_MEETING, name="李某某", title="联席会议副主任", order=2
    )
    Signatory.objects.create(letter=letter, side=SignatorySide.UNIT, name="王某某", title="局长", order=1)
    return letter


@pytest.fixture
def police_letter(jm, year):
    return make_letter(jm, year, "police_unit")


def score_all(letter: Letter, points: Decimal, *, leave: int = 0) -> None:
    """Score every target of the letter but the last `leave` ones."""
    targets = list(letter.targets.order_by("number"))
    for target in targets[: len(targets) - leave]:
        Score.objects.create(
            target=target,
            rating=Rating.REACHED,
            value=Decimal("96"),
            points=min(points, target.weight),
            note="资料齐全，抽查符合要求。",
        )


# --- the letter --------------------------------------------------------------------------------


def test_a_signed_letter_prints_as_an_official_document(police_letter, tmp_path):
    data = documents.letter_pdf(police_letter)
    pages = pdf_pages(data, tmp_path, "letter")
    for page in pages:
        assert page.is_a4()
        assert page.dark > 0.005, page.png
        assert "草稿" not in page.text
    text = "".join(page.flat for page in pages)
    assert TITLE in pages[0].flat
    assert "（2026年度）" in pages[0].flat
    assert "责任单位：市公安局" in pages[0].flat
    assert "预防性侵害未成年人违法犯罪" in text
    assert "一、工作原则" in text
    assert "二、目标任务" in text  # numbered after the preamble's own heading
    assert "三、考核与奖惩" in text
    for header in ("序号", "目标任务", "考核方式", "目标值", "分值"):
        assert header in text
    assert "第3项：开展预防性侵害未成年人宣传教育进校园活动" in text
    assert "95%" in text
    assert "12次" in text
    assert "合计" in text
    assert "甲方：维护妇女儿童合法权益联席会议" in text
    assert "联席会议主任：张某某" in text
    assert "联席会议副主任：李某某" in text
    assert "乙方：市公安局" in text
    assert "局长：王某某" in text
    assert text.count("2026年5月20日") == 2
    assert_fonts_embedded(data)
    info = metadata(data)
    assert info["Title"] == f"{TITLE}（市公安局）"
    assert info["Author"] == "铜陵市妇联"  # the secretariat's organisation, never a person


def test_an_unsigned_letter_is_marked_draft_with_the_date_left_to_fill(jm, year, tmp_path):
    letter = make_letter(jm, year, "education_unit", signed=False)
    letter.signatories.filter(side=SignatorySide.UNIT).delete()
    pages = pdf_pages(documents.letter_pdf(letter), tmp_path, "draft-letter")
    assert all("草稿" in page.text for page in pages)
    text = "".join(page.flat for page in pages)
    assert "乙方：市教育体育局" in text
    assert "负责人（签字）：" in text  # nobody named yet: a line to sign by hand
    assert "年月日" in text


def test_a_letter_of_twenty_targets_runs_over_pages_with_the_table_header_and_page_numbers(jm, year, tmp_path):
    letter = make_letter(jm, year, "police_unit", targets=20)
    data = documents.letter_pdf(letter)
    pages = pdf_pages(data, tmp_path, "letter-20")
    assert len(pages) >= 3
    assert "第20项" in "".join(page.flat for page in pages)
    for index, page in enumerate(pages):
        assert page.is_a4()
        left, right = bottom_text(data, index)
        number = f"— {index + 1} —"
        assert (left, right) == (("", number) if index % 2 == 0 else (number, ""))
    # The table's header row is repeated at the top of the page it continues on.
    continued = [page for page in pages[1:] if "第" in page.flat and "项：" in page.flat]
    assert continued
    assert all("目标任务考核方式目标值分值" in page.flat for page in continued)


def test_a_platform_indicator_and_proportional_scoring_are_named_in_the_letter(police_letter, tmp_path):
    code = next(iter(INDICATORS))
    Target.objects.filter(letter=police_letter, number=1).update(indicator=code, scoring=Scoring.PROPORTIONAL)
    pages = pdf_pages(documents.letter_pdf(police_letter), tmp_path, "letter-indicator")
    text = "".join(page.flat for page in pages)
    assert f"平台数据：{INDICATORS[code].label}".replace(" ", "") in text
    assert "按完成比例计分" in text


# --- the assessment ----------------------------------------------------------------------------


@pytest.fixture
def scored_year(jm, year, police_letter):
    score_all(police_letter, Decimal("30"))
    education = make_letter(jm, year, "education_unit", targets=2)
    code = next(iter(INDICATORS))
    platform = education.targets.get(number=1)
    platform.indicator = code
    platform.scoring = Scoring.PROPORTIONAL
    platform.save()
    Score.objects.create(target=platform, computed_value=Decimal("87.50"), points=Decimal("43.75"), note="")
    return year


def test_the_assessment_ranks_the_units_and_details_their_scores(scored_year, tmp_path):
    data = documents.assessment_pdf(scored_year)
    pages = pdf_pages(data, tmp_path, "assessment")
    for page in pages:
        assert page.is_a4()
        assert page.dark > 0.005, page.png
    text = "".join(page.flat for page in pages)
    assert f"2026年度{TITLE}考核结果" in pages[0].flat
    for header in ("名次", "责任单位", "得分", "已评/目标数"):
        assert header in text
    # 市公安局 is fully scored (3 × 30 = 90) and ranked; 市教育体育局 has one of two targets scored.
    assert "1市公安局903/3" in text
    assert "评分中市教育体育局43.751/2" in text
    assert "（一）市公安局：得分90分，名次1" in text
    assert "（二）市教育体育局：得分43.75分，名次评分中" in text
    assert "87.5%（平台数据）" in text
    assert "评定：达到" in text
    assert "按完成比例" in text
    assert "未评分" in text
    assert "资料齐全，抽查符合要求。" in text
    # Not every target is scored: the results are not final, and say so.
    assert all("草稿" in page.text for page in pages)
    assert "名次待评分完成后确定" in text
    assert_fonts_embedded(data)


def test_the_assessment_is_final_once_every_target_is_scored(jm, year, police_letter, tmp_path):
    score_all(police_letter, Decimal("30"))
    pages = pdf_pages(documents.assessment_pdf(year), tmp_path, "assessment-final")
    assert not any("草稿" in page.text for page in pages)
    assert "维护妇女儿童合法权益联席会议办公室" in "".join(page.flat for page in pages)


# --- the scores workbook -------------------------------------------------------------------------


def test_the_scores_workbook_has_the_ranking_and_every_score_as_numbers(scored_year, jm):
    Target.objects.filter(letter__unit=jm["police_unit"], number=1).update(text='=HYPERLINK("x")')
    book = load_workbook(io.BytesIO(documents.scores_xlsx(scored_year)))
    assert book.sheetnames == ["排名", "得分明细"]
    ranks = [list(row) for row in book["排名"].iter_rows(values_only=True)]
    assert ranks == [
        ["名次", "责任单位", "得分", "分值合计", "已评分目标", "目标数"],
        [1, "市公安局", 90, 99.99, 3, 3],
        [None, "市教育体育局", 43.75, 100, 1, 2],
    ]
    detail = book["得分明细"]
    rows = [list(row) for row in detail.iter_rows(values_only=True)]
    assert rows[0][:4] == ["责任单位", "序号", "目标任务", "平台指标"]
    assert len(rows) == 1 + 3 + 2
    police_first = rows[1]
    assert police_first[:3] == ["市公安局", 1, '=HYPERLINK("x")']
    assert detail["C2"].data_type == "s"  # shown as text, never run as a formula
    assert police_first[4:11] == [95, "%", 33.33, "达到", None, 96, 30]
    assert isinstance(police_first[12], dt.datetime)
    platform = rows[4]
    assert platform[0] == "市教育体育局"
    assert platform[3] == str(INDICATORS[next(iter(INDICATORS))].label)
    assert platform[8] == 87.5
    assert platform[10] == 43.75
    unscored = rows[5]
    assert unscored[7:13] == [None] * 6  # no rating, figures, points, note or time yet (empty cells)
    assert all(cell.font.bold for cell in detail[1])
    assert detail.freeze_panes == "A2"
    assert book["排名"].freeze_panes == "A2"
    assert detail.column_dimensions["C"].width >= 40


# --- the downloads -------------------------------------------------------------------------------


def test_a_liaison_prints_her_own_letter_and_nobody_elses(jm, year, police_letter):
    other = make_letter(jm, year, "education_unit")
    client = login_verified(Client(), jm["police_liaison"])
    response = client.get(reverse("targets_letter_pdf", kwargs={"pk": police_letter.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''2026")
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="targets.letter.pdf")
    assert (event.actor_id, event.target_id) == (jm["police_liaison"].pk, str(police_letter.pk))
    assert client.get(reverse("targets_letter_pdf", kwargs={"pk": other.pk})).status_code == 404
    assert client.get(reverse("targets_letter_pdf", kwargs={"pk": other.pk + 100})).status_code == 404
    assert AuditEvent.objects.filter(action="targets.letter.pdf").count() == 1


def test_only_the_secretariat_downloads_the_assessment_and_the_scores(scored_year, jm):
    for user in ("education_liaison", "police_liaison"):
        client = login_verified(Client(), jm[user])
        assert client.get(reverse("targets_assessment_pdf", kwargs={"year": 2026})).status_code == 404
        assert client.get(reverse("targets_scores_xlsx", kwargs={"year": 2026})).status_code == 404
    client = login_verified(Client(), jm["secretary"])
    response = client.get(reverse("targets_assessment_pdf", kwargs={"year": 2026}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    workbook = client.get(reverse("targets_scores_xlsx", kwargs={"year": 2026}))
    assert workbook.status_code == 200
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert workbook["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert load_workbook(io.BytesIO(workbook.content)).sheetnames == ["排名", "得分明细"]
    assert client.get(reverse("targets_assessment_pdf", kwargs={"year": 2031})).status_code == 404
    assert client.get(reverse("targets_scores_xlsx", kwargs={"year": 2031})).status_code == 404
    secretary = jm["secretary"].pk
    assert AuditEvent.objects.filter(action="targets.assessment.pdf", actor_id=secretary).count() == 1
    assert AuditEvent.objects.filter(action="targets.scores.xlsx", actor_id=secretary).count() == 1
    assert (
        not AuditEvent.objects.filter(action__startswith="targets.", outcome="ok").exclude(actor_id=secretary).exists()
    )
