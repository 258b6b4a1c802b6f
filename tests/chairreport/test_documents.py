"""The chair's work report as PDF (rendered to images and read back) and as Word (opened with
python-docx), and the two downloads with their access rule."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from fulian.audit.models import AuditEvent
from fulian.chairreport import documents
from fulian.chairreport.models import ChairReport, ReportStatus
from tests.factories import login_verified, make_joint_meeting
from tests.lib.test_officedoc import assert_fonts_embedded, metadata, pdf_pages, style_name

TITLE = "关于2026年度维护妇女儿童合法权益工作情况的报告"
SECTIONS = [
    {
        "heading": "主要工作和成效",
        "body": "一年来，在市委、市政府的坚强领导下，联席会议各成员单位认真履行职责。\n\n"
        "（一）强化组织领导。联席会议召开全体会议2次，印发工作要点，明确任务分工。\n\n"
        "全年12338热线受理来电来访1,234件，同比增长5.2%。",
    },
    {"heading": "二、存在的问题", "body": "部门之间信息共享还不够及时。"},
    {"heading": "下一步工作打算", "body": "进一步健全强制报告、一站式询问救助等工作机制。"},
]
TABLES = [
    {
        "title": "表1　12338热线受理情况（按问题类别）",
        "columns": ["问题类别", "件数", "占比（%）"],
        "rows": [["婚姻家庭", 620, 50.2], ["家庭暴力", 310, 25.1], ["合计", 1234, 100.0]],
    },
    {
        "title": "表4　向成员单位转介及答复情况",
        "columns": [
            "成员单位",
            "转介",
            "已答复",
            "按期答复",
            "按期答复率（%）",
            "平均答复用时（小时）",
            "答复用时中位数（小时）",
            "逾期未答复",
        ],
        "rows": [["市公安局", 12, 11, 10, 83.3, 20.5, 18.0, 1], ["合计", 12, 11, 10, 83.3, 20.5, 18.0, "—"]],
    },
]


@pytest.fixture
def jm(db):
    return make_joint_meeting()


@pytest.fixture
def report(jm):
    return ChairReport.objects.create(
        organisation=jm["city"],
        year=2026,
        title=TITLE,
        speaker="市妇联主席 徐某某",
        sections=SECTIONS,
        figures={"contacts": {"total": 1234}, "tables": TABLES},
        assembled_at=timezone.now(),
    )


def finalise(report: ChairReport) -> ChairReport:
    report.status = ReportStatus.FINAL
    report.finalised_at = dt.datetime(2026, 12, 20, 9, 30, tzinfo=dt.UTC)
    report.save()
    return report


# --- PDF ---------------------------------------------------------------------------------------------


def test_the_report_prints_with_numbered_sections_and_the_data_attached(report, tmp_path):
    data = documents.report_pdf(report)
    pages = pdf_pages(data, tmp_path, "chairreport")
    assert len(pages) >= 2
    for page in pages:
        assert page.is_a4()
        assert page.dark > 0.005, page.png
        assert "草稿" in page.text  # a draft, on every page
    text = "".join(page.flat for page in pages)
    assert TITLE in pages[0].flat
    assert "市妇联主席徐某某" in pages[0].flat
    # Headings numbered in order; one the secretariat numbered herself is kept as written.
    assert "一、主要工作和成效" in text
    assert "二、存在的问题" in text
    assert "二、二、" not in text
    assert "三、下一步工作打算" in text
    assert text.index("一、主要工作和成效") < text.index("二、存在的问题") < text.index("三、下一步工作打算")
    assert "（一）强化组织领导。联席会议召开全体会议2次" in text
    assert "1,234件，同比增长5.2%" in text
    # The attachment starts on a page of its own, after the note that announces it.
    assert "附件：主要数据" in text
    attachment = next(page for page in pages if "附件主要数据表1" in page.flat)
    assert attachment.number > 1
    assert "表1　12338热线受理情况（按问题类别）".replace("　", "") in attachment.flat
    assert "婚姻家庭62050.2" in attachment.flat
    assert "合计1234100" in attachment.flat
    assert "答复用时中位数（小时）" in text
    assert "市公安局1211108" in text
    assert_fonts_embedded(data)
    info = metadata(data)
    assert info["Title"] == TITLE
    assert info["Author"] == "铜陵市妇联"


def test_a_final_report_carries_its_date_and_no_draft_mark(report, tmp_path):
    pages = pdf_pages(documents.report_pdf(finalise(report)), tmp_path, "chairreport-final")
    assert not any("草稿" in page.text for page in pages)
    assert "（2026年12月20日）" in pages[0].flat


@pytest.mark.parametrize(
    "figures",
    [{}, {"tables": None}, {"tables": []}, {"tables": "bad"}, {"tables": [{"title": "无列"}, "x", {"columns": []}]}],
)
def test_a_report_without_tables_has_no_attachment(report, figures, tmp_path):
    report.figures = figures
    report.sections = [*SECTIONS, "not a section", {"heading": "", "body": ""}]
    pdf = pdf_pages(documents.report_pdf(report), tmp_path, "no-tables")
    assert "附件" not in "".join(page.flat for page in pdf)
    word = Document(io.BytesIO(documents.report_docx(report)))
    assert not word.tables
    assert "附件" not in "".join(p.text for p in word.paragraphs)


def test_ragged_rows_are_filled_and_cut_to_the_columns(report, tmp_path):
    report.figures = {"tables": [{"title": "表", "columns": ["a", "b"], "rows": [["x"], ["y", 1, 2], "bad"]}]}
    tables = documents.figure_tables(report)
    assert tables[0].rows == [["x", ""], ["y", 1]]
    assert pdf_pages(documents.report_pdf(report), tmp_path, "ragged")


# --- Word ---------------------------------------------------------------------------------------------


def _east_asia(run) -> str | None:
    fonts = run._r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_the_word_file_has_the_same_text_styles_and_chinese_font_names(report):
    document = Document(io.BytesIO(documents.report_docx(finalise(report))))
    paragraphs = [p for p in document.paragraphs if p.text]
    assert [p.text for p in paragraphs[:4]] == [TITLE, "市妇联主席 徐某某", "（2026年12月20日）", "一、主要工作和成效"]
    assert style_name(paragraphs[0]) == "Title"
    headings = [p.text for p in paragraphs if style_name(p) == "Heading 1"]
    assert headings == ["一、主要工作和成效", "二、存在的问题", "三、下一步工作打算", "附件"]
    body = next(p for p in paragraphs if p.text.startswith("一年来"))
    assert style_name(body) == "Normal"
    lead = next(p for p in paragraphs if p.text.startswith("（一）"))
    assert [run.text for run in lead.runs] == [
        "（一）强化组织领导。",
        "联席会议召开全体会议2次，印发工作要点，明确任务分工。",
    ]
    assert _east_asia(paragraphs[0].runs[0]) == "方正小标宋简体"
    assert _east_asia(next(p for p in paragraphs if style_name(p) == "Heading 1").runs[0]) == "黑体"
    assert _east_asia(body.runs[0]) == "仿宋_GB2312"
    assert "附件：主要数据" in [p.text for p in paragraphs]
    # The tables, header first, numbers as written.
    assert len(document.tables) == 2
    first = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert first == [["问题类别", "件数", "占比（%）"], ["婚姻家庭", "620", "50.2"], ["家庭暴力", "310", "25.1"], ["合计", "1234", "100"]]  # fmt: skip
    assert len(document.tables[1].columns) == 8
    # Numbered pages; a final report has no draft mark; the author is the organisation.
    section = document.sections[0]
    assert 'w:instr=" PAGE "' in section.footer._element.xml
    assert not any("草稿" in p.text for p in section.header.paragraphs)
    assert document.core_properties.author == "铜陵市妇联"
    assert document.core_properties.title == TITLE


def test_a_draft_word_file_is_marked_in_its_header(report):
    document = Document(io.BytesIO(documents.report_docx(report)))
    assert "草稿" in document.sections[0].header.paragraphs[0].text


# --- the downloads ---------------------------------------------------------------------------------


def test_the_secretariat_downloads_the_report_and_nobody_else_does(report, jm):
    client = login_verified(Client(), jm["secretary"])
    pdf = client.get(reverse("chairreport_pdf", kwargs={"pk": report.pk}))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"].startswith("inline; filename*=utf-8''")
    assert "no-store" in pdf["Cache-Control"]
    word = client.get(reverse("chairreport_docx", kwargs={"pk": report.pk}))
    assert word.status_code == 200
    assert word["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert word["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "no-store" in word["Cache-Control"]
    assert Document(io.BytesIO(word.content)).paragraphs[0].text == TITLE
    for action in ("chairreport.pdf", "chairreport.docx"):
        event = AuditEvent.objects.get(action=action)
        assert (event.actor_id, event.target_id) == (jm["secretary"].pk, str(report.pk))

    for user in ("police_liaison", "education_liaison"):
        outsider = login_verified(Client(), jm[user])
        assert outsider.get(reverse("chairreport_pdf", kwargs={"pk": report.pk})).status_code == 404
        assert outsider.get(reverse("chairreport_docx", kwargs={"pk": report.pk})).status_code == 404
    assert client.get(reverse("chairreport_pdf", kwargs={"pk": report.pk + 100})).status_code == 404
    assert AuditEvent.objects.filter(action__startswith="chairreport.").count() == 2
