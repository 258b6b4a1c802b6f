"""The shared layer of the printable documents: fonts, the official layout, Word, the download.

The helpers at the top (`pdf_pages`, `fonts_of`, `assert_fonts_embedded`, `bottom_text`) are also
used by the letter, assessment and chair's report tests: every PDF is rendered to PNG images
(pypdfium2, the PDF engine of Chrome) and read back as a reader would.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from docx import Document
from docx.oxml.ns import qn

from fulian.lib import officedoc
from fulian.lib.officedoc import BODY_FONT, TITLE_FONT

A4 = (595.28, 841.89)


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    text: str  # as a reader copies it, line breaks kept
    flat: str  # the same without any white space: long titles wrap over lines
    png: Path
    dark: float  # share of the pixels darker than mid-grey

    def is_a4(self) -> bool:
        return abs(self.width - A4[0]) <= 1 and abs(self.height - A4[1]) <= 1


def pdf_pages(data: bytes, out: Path, name: str) -> list[Page]:
    """Render every page to a PNG in `out` and read its text back."""
    pdf = pdfium.PdfDocument(data)
    pages = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            image = page.render(scale=1).to_pil().convert("L")
            png = out / f"{name}-{index + 1}.png"
            image.save(png)
            dark = sum(image.histogram()[:128]) / (image.width * image.height)
            pages.append(Page(index + 1, width, height, text, "".join(text.split()), png, dark))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return pages


def bottom_text(data: bytes, index: int) -> tuple[str, str]:
    """What is printed below the text area (under 35 mm), in the left and in the right half of page `index`."""
    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        textpage = page.get_textpage()
        width = page.get_width()
        strip = 35 * 72 / 25.4
        left = textpage.get_text_bounded(left=0, bottom=0, right=width / 2, top=strip)
        right = textpage.get_text_bounded(left=width / 2, bottom=0, right=width, top=strip)
        textpage.close()
        page.close()
        return left.strip(), right.strip()
    finally:
        pdf.close()


def fonts_of(data: bytes) -> dict[str, bool]:
    """Every font the text of the PDF is drawn in, and whether the PDF carries it (as PDFium sees it)."""
    pdf = pdfium.PdfDocument(data)
    fonts: dict[str, bool] = {}
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_TEXT,)):
                font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
                size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
                name = ctypes.create_string_buffer(size)
                pdfium_c.FPDFFont_GetBaseFontName(font, name, size)
                fonts[name.value.decode()] = bool(pdfium_c.FPDFFont_GetIsEmbedded(font))
            page.close()
    finally:
        pdf.close()
    return fonts


def assert_fonts_embedded(data: bytes) -> None:
    """Every font is a TrueType subset carried in the file (/FontFile2), none is only named."""
    fonts = fonts_of(data)
    assert fonts, "no text at all"
    assert all(fonts.values()), fonts
    assert all(name.startswith("Noto") for name in fonts), fonts
    # The same in the file's own words: one embedded font file per font descriptor, no Type 1 base fonts.
    assert b"/FontFile2" in data
    assert data.count(b"/Type /FontDescriptor") == data.count(b"/FontFile2")
    assert b"/Subtype /Type1" not in data
    assert b"Helvetica" not in data


def style_name(paragraph) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def metadata(data: bytes) -> dict[str, str]:
    pdf = pdfium.PdfDocument(data)
    try:
        return dict(pdf.get_metadata_dict())
    finally:
        pdf.close()


# --- text helpers ----------------------------------------------------------------------------------


def test_numbers_dates_and_figures_are_written_as_in_an_official_document():
    assert [officedoc.chinese_number(n) for n in (1, 2, 9, 10, 11, 12, 20, 21, 99)] == [
        "一", "二", "九", "十", "十一", "十二", "二十", "二十一", "九十九",
    ]  # fmt: skip
    assert officedoc.chinese_date(dt.date(2026, 5, 20)) == "2026年5月20日"
    assert officedoc.chinese_date(dt.date(2026, 12, 1)) == "2026年12月1日"
    assert (
        officedoc.chinese_date(None) == "\u3000" * 3 + "年" + "\u3000" * 2 + "月" + "\u3000" * 2 + "日"
    )  # blanks to fill by hand
    assert officedoc.plain_number(Decimal("95.00")) == "95"
    assert officedoc.plain_number(Decimal("12.50")) == "12.5"
    assert officedoc.plain_number(Decimal("100")) == "100"
    assert officedoc.plain_number(33.3) == "33.3"
    assert officedoc.plain_number(None) == "—"
    assert officedoc.cell_text(7) == "7"
    assert officedoc.cell_text(None) == "—"
    assert officedoc.cell_text("评分中") == "评分中"


def test_headings_are_numbered_once_and_recognised_in_free_text():
    assert officedoc.numbered_heading(3, "工作成效") == "三、工作成效"
    assert officedoc.numbered_heading(1, "二、已经编号的标题") == "二、已经编号的标题"
    assert officedoc.is_heading("一、总体情况")
    assert not officedoc.is_heading("一、全年共受理来电120件。其中家庭暴力类45件。")
    assert officedoc.is_heading("（二）落实强制报告制度", 2)
    assert officedoc.lead_sentence("（一）加强组织领导。各单位要明确分管领导。") == (
        "（一）加强组织领导。",
        "各单位要明确分管领导。",
    )
    assert officedoc.lead_sentence("各单位要明确分管领导。") is None
    assert officedoc.paragraphs("第一段。\n\n  第二段。\r\n第三段。\n") == ["第一段。", "第二段。", "第三段。"]


def test_a_long_title_breaks_between_words_after_a_pause_mark_or_in_the_middle():
    assert officedoc.title_lines("铜陵市预防性侵未成年人、维护女童人身权益工作目标管理责任书") == [
        "铜陵市预防性侵未成年人、",
        "维护女童人身权益工作目标管理责任书",
    ]
    assert officedoc.title_lines("关于2026年度维护妇女儿童合法权益工作情况的报告") == [
        "关于2026年度维护妇女儿童",
        "合法权益工作情况的报告",
    ]
    assert officedoc.title_lines("主要数据") == ["主要数据"]


def test_text_is_escaped_and_a_character_missing_from_a_display_face_is_set_in_the_body_face():
    officedoc.register_fonts()
    assert officedoc.markup("<b>A&B</b>", BODY_FONT) == "&lt;b&gt;A&amp;B&lt;/b&gt;"
    # 㐀 (CJK Extension A) is in the body face only; the title face has GB 2312's characters.
    assert ord("㐀") in officedoc._covered[BODY_FONT]
    assert ord("㐀") not in officedoc._covered[TITLE_FONT]
    assert officedoc.markup("关于㐀的报告", TITLE_FONT) == f'关于<font name="{BODY_FONT}">㐀</font>的报告'
    assert officedoc.markup("工作报告", TITLE_FONT) == "工作报告"


def test_the_vendored_fonts_are_the_ones_the_readme_describes():
    import hashlib

    readme = (officedoc.FONT_DIR / "README.txt").read_text(encoding="utf-8")
    assert (officedoc.FONT_DIR / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE Version 1.1")
    total = 0
    for filename in officedoc.FONT_FILES.values():
        data = (officedoc.FONT_DIR / filename).read_bytes()
        total += len(data)
        assert data[:4] == b"\x00\x01\x00\x00"  # TrueType outlines (CFF fonts start "OTTO")
        assert hashlib.sha256(data).hexdigest() in readme, filename
    assert total < 25 * 1024 * 1024


# --- the PDF ------------------------------------------------------------------------------------------


def _long_story(s: officedoc.Styles) -> list:
    story = [
        officedoc.para("关于开展维护妇女儿童合法权益工作的测试文件", s.title),
        officedoc.para("（2026年度）", s.subtitle),
    ]
    story.append(officedoc.para("一、总体情况", s.heading1))
    story += officedoc.body_text(
        "\n".join(
            f"第{n}段：各成员单位认真履行职责，扎实推进预防和制止家庭暴力、保护未成年人等各项工作。" for n in range(40)
        )
    )
    story.append(officedoc.table(["序号", "项目", "数值"], [[n, f"项目{n}", n * 1.5] for n in range(1, 6)], [2, 10, 3]))
    story.append(officedoc.signature_block(["甲方：维护妇女儿童合法权益联席会议", "主任：张某某", "2026年5月20日"], ["乙方：市公安局", "2026年5月20日"]))  # fmt: skip
    return story


def test_a_document_is_a4_with_embedded_fonts_and_page_numbers_at_the_outside_edges(tmp_path):
    data = officedoc.render_pdf(_long_story, title="测试文件", author="铜陵市妇联")
    pages = pdf_pages(data, tmp_path, "officedoc")
    assert len(pages) >= 3
    for page in pages:
        assert page.is_a4()
        assert page.dark > 0.005, page.png
        assert "草稿" not in page.text
    assert "关于开展维护妇女儿童合法权益工作的测试文件" in pages[0].flat
    assert "甲方：维护妇女儿童合法权益联席会议" in pages[-1].flat
    assert_fonts_embedded(data)
    # "— 1 —" at the right of odd pages, "— 2 —" at the left of even pages (GB/T 9704 7.5).
    assert bottom_text(data, 0) == ("", "— 1 —")
    assert bottom_text(data, 1) == ("— 2 —", "")
    assert bottom_text(data, 2) == ("", "— 3 —")
    info = metadata(data)
    assert info["Title"] == "测试文件"
    assert info["Author"] == "铜陵市妇联"
    assert info["Creator"] == "妇联综合服务平台"
    assert b"/Lang (zh-CN)" in data


def test_a_draft_is_marked_on_every_page(tmp_path):
    data = officedoc.render_pdf(_long_story, title="测试文件", author="铜陵市妇联", draft=True)
    pages = pdf_pages(data, tmp_path, "draft")
    assert len(pages) >= 3
    assert all("草稿" in page.text for page in pages)
    assert_fonts_embedded(data)


def test_staff_text_can_never_break_the_layout(tmp_path):
    """Markup-like text, a rare character and an over-long word are printed as typed."""
    text = "<para>&nbsp; 1<2 & 3>2 </font> 㐀 " + "A" * 300

    def build(s: officedoc.Styles) -> list:
        return [officedoc.para(text, s.title), *officedoc.body_text(text), officedoc.table(["标题<"], [[text]], [1])]

    data = officedoc.render_pdf(build, title="<测试>", author="铜陵市妇联")
    pages = pdf_pages(data, tmp_path, "escape")
    assert "<para>&nbsp;1<2&3>2</font>㐀" in pages[0].flat
    assert_fonts_embedded(data)


# --- Word ---------------------------------------------------------------------------------------------


def _east_asia(element) -> str | None:
    fonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_the_word_file_has_the_layout_and_names_chinese_fonts_with_fallbacks():
    word = officedoc.WordDocument(title="测试文件", author="铜陵市妇联", draft=True)
    word.title("关于开展工作的报告")
    word.subtitle("市妇联主席 徐某某")
    word.heading("一、总体情况")
    word.body_text("（一）加强组织领导。各单位要明确分管领导。\n第二段。")
    word.table(["项目", "数值"], [["来电", 12], ["占比", 33.3], ["空", None]], caption="表1　测试")
    document = Document(__import__("io").BytesIO(word.to_bytes()))

    section = document.sections[0]
    # Word keeps lengths in twentieths of a point: compare to a tenth of a millimetre.
    lengths = (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
               section.left_margin, section.right_margin)  # fmt: skip
    assert [round(length.mm, 1) if length is not None else None for length in lengths] == [210, 297, 37, 35, 28, 26]
    texts = [p.text for p in document.paragraphs]
    assert texts[:4] == [
        "关于开展工作的报告",
        "市妇联主席 徐某某",
        "一、总体情况",
        "（一）加强组织领导。各单位要明确分管领导。",
    ]
    title, _, heading, lead = document.paragraphs[:4]
    assert style_name(title) == "Title"
    assert style_name(heading) == "Heading 1"
    # East Asian font names on the runs and on the styles.
    assert _east_asia(title.runs[0]._r) == "方正小标宋简体"
    assert _east_asia(heading.runs[0]._r) == "黑体"
    assert [_east_asia(run._r) for run in lead.runs] == ["方正小标宋简体", "仿宋_GB2312"]
    assert _east_asia(document.styles["Normal"].element) == "仿宋_GB2312"
    assert _east_asia(document.styles["Heading 1"].element) == "黑体"
    assert document.styles["Normal"].font.size.pt == 16
    assert document.styles["Title"].font.size.pt == 22
    # Word falls back to the Windows fonts when the official ones are missing.
    font_table = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable")).blob
    for name, fallback in (("仿宋_GB2312", "FangSong"), ("方正小标宋简体", "SimSun"), ("黑体", "SimHei")):
        assert re.search(f'w:name="{name}">\\s*<w:altName w:val="{fallback}"/>'.encode(), font_table), name
    # Tables: header, cells, numbers as written.
    table = document.tables[0]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["项目", "数值"],
        ["来电", "12"],
        ["占比", "33.3"],
        ["空", "—"],
    ]
    # Page numbers: a PAGE field between dashes, right on odd pages, left on even ones; 草稿 in the header.
    assert document.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert 'w:instr=" PAGE "' in xml
        assert footer.paragraphs[0].text.startswith("— ")
    assert section.footer.paragraphs[0].alignment == 2  # right
    assert section.even_page_footer.paragraphs[0].alignment == 0  # left
    assert "草稿" in section.header.paragraphs[0].text
    assert document.core_properties.author == "铜陵市妇联"
    assert document.core_properties.title == "测试文件"


def test_a_download_is_never_stored_and_names_its_file_in_chinese():
    response = officedoc.download(
        b"%PDF-", content_type=officedoc.PDF_TYPE, filename="2026年度考核结果.pdf", inline=True
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "inline; filename*=utf-8''2026%E5%B9%B4%E5%BA%A6%E8%80%83%E6%A0%B8%E7%BB%93%E6%9E%9C.pdf"
    )
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    attachment = officedoc.download(b"x", content_type=officedoc.DOCX_TYPE, filename="报告.docx")
    assert attachment["Content-Disposition"].startswith("attachment; filename*=utf-8''")


@pytest.mark.parametrize("n", [1, 2])
def test_fonts_are_registered_once_per_process(n):
    officedoc.register_fonts()
    from reportlab.pdfbase import pdfmetrics

    first = pdfmetrics.getFont(BODY_FONT)
    officedoc.register_fonts()
    assert pdfmetrics.getFont(BODY_FONT) is first
