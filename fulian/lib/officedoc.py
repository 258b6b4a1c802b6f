"""Print-ready documents in the party-and-government layout (GB/T 9704-2012), as PDF and as Word.

The PDF side is a thin layer over ReportLab's platypus: the vendored CJK fonts (fonts/README.txt)
registered once per process, paragraph styles for the standard's layout, tables and the
signature block, and `render_pdf`, which lays out a story on A4 with the standard's margins,
page numbers and, for drafts, a "草稿" marking. ReportLab embeds a subset of every font it uses,
so a PDF prints the same on a machine with no Chinese fonts at all.

The Word side (`WordDocument`, python-docx) gives the same structure in an editable file. Word
does not embed fonts: the file names the fonts a government office has (东亚 names below), with
the font table naming the Windows fonts to fall back on when they are missing:

    body      仿宋_GB2312       falls back to FangSong (仿宋)
    title     方正小标宋简体     falls back to SimSun (宋体)
    heading   黑体              falls back to SimHei
    numbers   Times New Roman   (Latin letters and digits in body text)
    page no.  宋体              (GB/T 9704 7.5: 4号半角宋体阿拉伯数字)

What the standard fixes and how it is done here (GB/T 9704-2012, 5 and 7):
  A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (text area 156 × 225 mm);
  title 2号 (22 pt) 小标宋, centred; body 3号 (16 pt) 仿宋, first line indented two characters,
  22 lines to the page (28.95 pt); level-1 headings "一、" in 黑体, level-2 "（一）" in 楷体 (here
  the bold serif: no 楷体 is vendored); page numbers "— 1 —" in 4号 (14 pt) 7 mm below the text
  area, odd pages at the right and even pages at the left, one character in from the edge.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.run import Run
from lxml import etree
from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Paragraph, Spacer, Table
from reportlab.platypus import TableStyle as RLTableStyle
from reportlab.platypus import paragraph as rl_paragraph

FONT_DIR = Path(__file__).resolve().parent / "fonts"

# Registered names of the three faces (fonts/README.txt says which file is which and why).
BODY_FONT = "FulianSerif"  # Noto Serif SC Regular, every CJK character: the 仿宋/宋体 look
TITLE_FONT = "FulianSerifBold"  # Noto Serif SC Bold, GB 2312 characters: the 小标宋 look
HEADING_FONT = "FulianSans"  # Noto Sans SC Bold, GB 2312 characters: the 黑体 look
FONT_FILES = {
    BODY_FONT: "NotoSerifSC-Regular-subset.ttf",
    TITLE_FONT: "NotoSerifSC-Bold-gb2312.ttf",
    HEADING_FONT: "NotoSansSC-Bold-gb2312.ttf",
}
# The two display faces hold only GB 2312's hanzi; a rarer character in a title is set in the body face.
DISPLAY_FONTS = (TITLE_FONT, HEADING_FONT)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37 * mm, 35 * mm, 28 * mm, 26 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 225 mm

TITLE_SIZE = 22.0  # 2号
BODY_SIZE = 16.0  # 3号
PAGE_NUMBER_SIZE = 14.0  # 4号
TABLE_SIZE = 12.0  # 小四: tables of several columns would not fit in 3号
LINE = TEXT_HEIGHT / 22  # 22 lines to the page: 28.95 pt

EM_DASH = "\u2014"  # 一字线
FULL_SPACE = "\u3000"
NBSP_EM = "\u00a0" * 4  # about one character of blank that the layout keeps
CN_DIGITS = "零一二三四五六七八九"

# Chinese punctuation that must not begin a line (GB/T 15834). ReportLab's list is Japanese: it
# lacks the full-width comma, semicolon, colon, marks, closing book-title marks and quotes, so a
# line could begin "，". Such a character now stays on the line above, as ReportLab does with the
# characters it knows; a justified line is then set a little tighter. ReportLab reads the list
# from two module globals (one paragraph of one font, and mixed fonts), so both are extended.
CANNOT_START = "，；：！？》〉”’％）…—·、。"

_lock = threading.Lock()
_registered = False
_covered: dict[str, frozenset[int]] = {}


def register_fonts() -> None:
    """Register the vendored faces with ReportLab, once per process.

    ReportLab keeps each parsed TTFont in its registry for the life of the process, so only the
    first document pays for reading the files: 0.36–0.47 s on the 2-core benchmark machine, and
    the parsed faces add about 35 MB to the process (bench/letter_pdf.py, docs/PERFORMANCE.md).
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for module in (rl_paragraph, rl_textsplit):
            module.ALL_CANNOT_START += "".join(c for c in CANNOT_START if c not in module.ALL_CANNOT_START)
        for name, filename in FONT_FILES.items():
            font = TTFont(name, str(FONT_DIR / filename))
            pdfmetrics.registerFont(font)
            _covered[name] = frozenset(font.face.charToGlyph)
        _registered = True


# --- text helpers ------------------------------------------------------------------------------


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (for headings "一、"; 1 ≤ n < 100)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[units] if units else "")


def chinese_date(day: dt.date | None) -> str:
    """ "2026年5月20日" (GB/T 9704 7.3.5.3: Arabic numerals, no leading zeros); blanks to fill by hand for None."""
    if day is None:
        return f"{FULL_SPACE * 3}年{FULL_SPACE * 2}月{FULL_SPACE * 2}日"
    return _("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


def plain_number(value: Decimal | float | int | None) -> str:
    """A figure as written in a document: 95.00 → "95", 12.50 → "12.5"; None → "—"."""
    if value is None:
        return EM_DASH
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def cell_text(value: Any) -> str:
    """What a table cell shows for a value of a report's figures."""
    if value is None:
        return EM_DASH
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return plain_number(value)
    return str(value)


HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")
# A paragraph that starts "（一）加强组织领导。" carries its heading as its first sentence.
LEAD_SENTENCE = re.compile(r"^(（[一二三四五六七八九十]+）[^。！？；]{1,40}[。！？；])(.*)$", re.S)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a text typed into a form: every line is a paragraph, blank lines are dropped."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def is_heading(text: str, level: int = 1) -> bool:
    """A line "一、总体情况" (or "（一）…" for level 2) on its own, short and holding no sentence, is a heading."""
    pattern = HEADING1 if level == 1 else HEADING2
    return bool(pattern.match(text)) and len(text) <= 40 and not any(mark in text[:-1] for mark in "。！？；")


def lead_sentence(text: str) -> tuple[str, str] | None:
    """ "（一）加强组织领导。各单位要……" → ("（一）加强组织领导。", "各单位要……"); None for other paragraphs."""
    found = LEAD_SENTENCE.match(text)
    return (found.group(1), found.group(2)) if found is not None else None


def numbered_heading(number: int, text: str) -> str:
    """ "总体情况" → "一、总体情况"; a heading already numbered is kept as it is."""
    text = text.strip()
    return text if HEADING1.match(text) else f"{chinese_number(number)}、{text}"


def markup(text: str, font: str) -> str:
    """Escape text for a Paragraph; in a display face, set the characters it lacks in the body face."""
    register_fonts()
    if font not in DISPLAY_FONTS:
        return escape(text)
    covered = _covered[font]
    out: list[str] = []
    missing: list[str] = []
    for char in text:
        if ord(char) in covered or char in "\n\t":
            if missing:
                out.append(f'<font name="{BODY_FONT}">{escape("".join(missing))}</font>')
                missing = []
            out.append(escape(char))
        else:
            missing.append(char)
    if missing:
        out.append(f'<font name="{BODY_FONT}">{escape("".join(missing))}</font>')
    return "".join(out)


# --- styles --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle  # 2号小标宋, centred
    subtitle: ParagraphStyle  # 3号, centred: the line under a title (year, speaker, date)
    body: ParagraphStyle  # 3号仿宋, first line indented two characters, justified
    flush: ParagraphStyle  # 3号, no indent: 主送机关
    label: ParagraphStyle  # 3号黑体, no indent: "附件" on the attachment's first page
    right: ParagraphStyle  # 3号, right-aligned: 落款
    heading1: ParagraphStyle  # 3号黑体 "一、"
    heading2: ParagraphStyle  # 3号 bold serif "（一）"
    caption: ParagraphStyle  # a table's title: 4号 bold serif, centred
    cell: ParagraphStyle  # 小四 in tables
    cell_centre: ParagraphStyle
    cell_head: ParagraphStyle  # 小四黑体, centred: table headers
    note: ParagraphStyle  # 小四, for remarks under a table


@cache
def styles() -> Styles:
    register_fonts()
    base = ParagraphStyle(
        "fulian-base", fontName=BODY_FONT, fontSize=BODY_SIZE, leading=LINE, wordWrap="CJK", alignment=TA_JUSTIFY
    )

    def style(name: str, **kwargs: Any) -> ParagraphStyle:
        return ParagraphStyle(f"fulian-{name}", parent=base, **kwargs)

    cell = style("cell", fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.35, alignment=TA_LEFT)
    return Styles(
        title=style(
            "title",
            fontName=TITLE_FONT,
            fontSize=TITLE_SIZE,
            leading=TITLE_SIZE * 1.5,
            alignment=TA_CENTER,
            spaceAfter=LINE / 2,
        ),
        subtitle=style("subtitle", alignment=TA_CENTER),
        body=style("body", firstLineIndent=2 * BODY_SIZE),
        flush=style("flush", alignment=TA_LEFT),
        label=style("label", fontName=HEADING_FONT, alignment=TA_LEFT, keepWithNext=1),
        right=style("right", alignment=TA_RIGHT),
        heading1=style(
            "heading1", fontName=HEADING_FONT, firstLineIndent=2 * BODY_SIZE, alignment=TA_LEFT, keepWithNext=1
        ),
        heading2=style(
            "heading2", fontName=TITLE_FONT, firstLineIndent=2 * BODY_SIZE, alignment=TA_LEFT, keepWithNext=1
        ),
        caption=style(
            "caption",
            fontName=TITLE_FONT,
            fontSize=14,
            leading=22,
            alignment=TA_CENTER,
            spaceBefore=8,
            spaceAfter=6,
            keepWithNext=1,
        ),
        cell=cell,
        cell_centre=ParagraphStyle("fulian-cell-centre", parent=cell, alignment=TA_CENTER),
        cell_head=ParagraphStyle("fulian-cell-head", parent=cell, fontName=HEADING_FONT, alignment=TA_CENTER),
        note=style("note", fontSize=TABLE_SIZE, leading=TABLE_SIZE * 1.6, alignment=TA_LEFT),
    )


# --- flowables ------------------------------------------------------------------------------------


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (never markup: whatever staff typed is escaped)."""
    return Paragraph(markup(text, style.fontName), style)


BREAK_AFTER = "、，：；）》"


def title_lines(text: str, font: str = TITLE_FONT, size: float = TITLE_SIZE, width: float = TEXT_WIDTH) -> list[str]:
    """A title of two lines broken where it reads well (GB/T 9704 7.3.3: 回行时词意完整、排列对称):
    between words (rjieba, the search's segmenter), after a pause mark ("、") if the lines then fit,
    otherwise where the two lines are closest in length. A title that fits stays one line; one of
    three or more lines is left to the paragraph's own wrapping."""
    import rjieba  # here, not at the top: its dictionary holds 33 MB (the search loads it the same way)

    register_fonts()
    text = text.strip()
    total = pdfmetrics.stringWidth(text, font, size)
    if total <= width or total > 2 * width * 0.95:
        return [text]
    cuts, position = [], 0
    for word in rjieba.cut(text)[:-1]:
        position += len(word)
        cuts.append(position)
    best: tuple[float, int] | None = None
    for cut in cuts:
        head, tail = text[:cut], text[cut:]
        first, second = pdfmetrics.stringWidth(head, font, size), pdfmetrics.stringWidth(tail, font, size)
        if first > width or second > width or tail[0] in BREAK_AFTER or head[-1] in "（《“":
            continue
        cost = abs(first - second) - (width if head[-1] in BREAK_AFTER else 0)
        if best is None or cost < best[0]:
            best = (cost, cut)
    return [text] if best is None else [text[: best[1]], text[best[1] :]]


def title(text: str, s: Styles | None = None) -> Paragraph:
    """The document's title (2号小标宋, centred), broken into balanced lines."""
    s = s or styles()
    return Paragraph("<br/>".join(markup(line, TITLE_FONT) for line in title_lines(text)), s.title)


def body_text(text: str, s: Styles | None = None) -> list[Flowable]:
    """Free text as the body of a document: one paragraph per line; a line "一、…" on its own is a
    level-1 heading; a paragraph opening "（一）…。" has that sentence in the level-2 face."""
    s = s or styles()
    story: list[Flowable] = []
    for line in paragraphs(text):
        if is_heading(line):
            story.append(para(line, s.heading1))
            continue
        if is_heading(line, 2):
            story.append(para(line, s.heading2))
            continue
        lead = lead_sentence(line)
        if lead is not None:
            head, rest = lead
            story.append(
                Paragraph(
                    f'<font name="{TITLE_FONT}">{markup(head, TITLE_FONT)}</font>{markup(rest, BODY_FONT)}', s.body
                )
            )
            continue
        story.append(para(line, s.body))
    return story


def blank_line(lines: float = 1) -> Spacer:
    return Spacer(1, LINE * lines)


Cell = str | int | float | Decimal | None
# A table's cells default to Helvetica, which would then be listed (not embedded) in the PDF.
_NO_HELVETICA: list[tuple[Any, ...]] = [("FONTNAME", (0, 0), (-1, -1), BODY_FONT)]


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    widths: Sequence[float],
    *,
    centre: Iterable[int] = (),
    font_size: float = TABLE_SIZE,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A ruled table in the body font, header in the heading face repeated on every page.

    `widths` are shares of the text width (they are scaled to fill it); the columns in `centre`
    are centred (numbers, ranks); `extra` adds ReportLab table style commands (spans). Every cell
    wraps as CJK text, so long targets never overflow.
    """
    s = styles()
    cell = ParagraphStyle("fulian-cell-x", parent=s.cell, fontSize=font_size, leading=font_size * 1.35)
    cell_centre = ParagraphStyle("fulian-cell-centre-x", parent=cell, alignment=TA_CENTER)
    head = ParagraphStyle("fulian-cell-head-x", parent=s.cell_head, fontSize=font_size, leading=font_size * 1.35)
    centred = set(centre)
    data: list[list[Flowable]] = [[para(text, head) for text in header]]
    for row in rows:
        data.append([para(cell_text(v), cell_centre if n in centred else cell) for n, v in enumerate(row)])
    scale = TEXT_WIDTH / sum(widths)
    commands: list[tuple[Any, ...]] = [
        *_NO_HELVETICA,
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        *extra,
    ]
    grid = Table(
        data, colWidths=[w * scale for w in widths], repeatRows=1, style=RLTableStyle(commands), hAlign="CENTER"
    )
    grid.spaceBefore, grid.spaceAfter = LINE * 0.2, LINE * 0.5
    return grid


def signature_block(left: Sequence[str], right: Sequence[str], *, lead: Sequence[Flowable] = ()) -> Flowable:
    """Two columns side by side (甲方 | 乙方), line against line, kept together on one page with
    the flowables in `lead` (the text's last paragraph: signatures never stand alone on a page).

    The shorter side is padded before its last line, so both dates stand on the same line. A line
    "甲方：……" that wraps continues under its text, not under "甲方".
    """
    s = styles()
    height = max(len(left), len(right))

    def padded(lines: Sequence[str]) -> list[str]:
        lines = list(lines)
        if not lines:
            return [""] * height
        return lines[:-1] + [""] * (height - len(lines)) + lines[-1:]

    def cell(line: str) -> Paragraph:
        label = line.find("：")
        hang = (label + 1) * BODY_SIZE if 0 < label <= 6 else 0
        # Leading blanks (a date to fill in by hand, "　　年　月　日") would be dropped by the layout: indent instead.
        text = line.lstrip(FULL_SPACE)
        pad = (len(line) - len(text)) * BODY_SIZE
        style = ParagraphStyle(
            f"fulian-signature-{hang}-{pad}", parent=s.flush, leftIndent=hang + pad, firstLineIndent=-hang, leading=LINE
        )
        # Blanks inside (between 年, 月 and 日) would collapse to one space: no-break spaces keep their width.
        return para(text.replace(FULL_SPACE, NBSP_EM), style)

    rows = [[cell(a), cell(b)] for a, b in zip(padded(left), padded(right), strict=True)]
    grid = Table(
        rows,
        colWidths=[TEXT_WIDTH * 0.54, TEXT_WIDTH * 0.46],
        style=RLTableStyle(
            [
                *_NO_HELVETICA,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), BODY_SIZE),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), LINE * 0.25),
            ]
        ),
        hAlign="LEFT",
    )
    return KeepTogether([*lead, blank_line(), grid])


def take_last_paragraph(story: list[Flowable]) -> list[Flowable]:
    """Remove and return the story's last paragraph with the headings that must stay with it
    (nothing if the story ends with a table: a table may run over pages)."""
    if not story or not isinstance(story[-1], Paragraph):
        return []
    taken = [story.pop()]
    while story and isinstance(story[-1], Paragraph) and story[-1].getKeepWithNext():
        taken.insert(0, story.pop())
    return taken


def issuer_and_date(issuer: str, day: dt.date | None) -> Flowable:
    """署名 and 成文日期 under the text (GB/T 9704 7.3.5.2, without a seal): the issuer two characters
    in from the right; the date under it starting two characters further right, or, if that
    would not fit, two characters in from the right with the issuer moved left to match."""
    s = styles()
    date = chinese_date(day)
    em = BODY_SIZE
    issuer_width = pdfmetrics.stringWidth(issuer, BODY_FONT, BODY_SIZE)
    date_width = pdfmetrics.stringWidth(date, BODY_FONT, BODY_SIZE)
    issuer_start = TEXT_WIDTH - 2 * em - issuer_width
    date_start = issuer_start + 2 * em
    if date_start + date_width > TEXT_WIDTH - 2 * em:
        date_start = TEXT_WIDTH - 2 * em - date_width
        issuer_start = date_start - 2 * em
    lines = []
    for n, (text, start) in enumerate(((issuer, issuer_start), (date, date_start))):
        style = ParagraphStyle(f"fulian-issuer-{n}", parent=s.flush, leftIndent=max(start, 0))
        lines.append(para(text, style))
    return KeepTogether([blank_line(), *lines])


# --- the document ---------------------------------------------------------------------------------


class _Decorations:
    """What every page carries besides its text: the page number and, for a draft, the marking."""

    def __init__(self, draft: bool) -> None:
        self.draft = draft

    def __call__(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        if self.draft:
            self._draft_mark(canvas)
        number = canvas.getPageNumber()
        text = f"{EM_DASH} {number} {EM_DASH}"
        canvas.setFont(BODY_FONT, PAGE_NUMBER_SIZE)
        canvas.setFillColor(colors.black)
        # The dashes' top 7 mm below the text area; odd pages right, even pages left, one character in.
        y = MARGIN_BOTTOM - 7 * mm - PAGE_NUMBER_SIZE * 0.45
        if number % 2:
            canvas.drawRightString(PAGE_WIDTH - MARGIN_RIGHT - PAGE_NUMBER_SIZE, y, text)
        else:
            canvas.drawString(MARGIN_LEFT + PAGE_NUMBER_SIZE, y, text)
        canvas.restoreState()

    @staticmethod
    def _draft_mark(canvas: Any) -> None:
        # Under the text (pages are decorated before their frame is drawn), light enough to read
        # through, and also a plain label at the top right that survives a bad photocopy.
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.25))
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(35)
        canvas.setFont(TITLE_FONT, 120)
        canvas.drawCentredString(0, -40, _("草稿"))
        canvas.restoreState()
        canvas.setFont(HEADING_FONT, BODY_SIZE)
        canvas.setFillColor(colors.Color(0.75, 0.1, 0.1))
        canvas.drawRightString(PAGE_WIDTH - MARGIN_RIGHT, PAGE_HEIGHT - MARGIN_TOP + LINE, _("草稿"))


def render_pdf(
    build: Callable[[Styles], Iterable[Flowable]],
    *,
    title: str,
    author: str,
    subject: str = "",
    draft: bool = False,
) -> bytes:
    """Lay out the story `build(styles())` returns on A4 pages in the official layout.

    The metadata carry the document's title and the issuing organisation as author — never the
    name of whoever downloads it (the audit trail records that, not the file).
    """
    register_fonts()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        creator=_("妇联综合服务平台"),
        producer="ReportLab",
        lang="zh-CN",
        displayDocTitle=True,
        # Without this the canvas starts in Helvetica, which would be listed (unembedded) on every page.
        initialFontName=BODY_FONT,
        initialFontSize=BODY_SIZE,
        initialLeading=LINE,
    )
    frame = Frame(
        MARGIN_LEFT,
        MARGIN_BOTTOM,
        TEXT_WIDTH,
        TEXT_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="text",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_Decorations(draft))])
    doc.build(list(build(styles())))
    return out.getvalue()


# --- Word --------------------------------------------------------------------------------------------

WORD_BODY_FONT = "仿宋_GB2312"
WORD_TITLE_FONT = "方正小标宋简体"
WORD_HEADING_FONT = "黑体"
WORD_LATIN_FONT = "Times New Roman"
WORD_PAGE_NUMBER_FONT = "宋体"
# The font table's fall-backs: what Word uses when the named font is not installed.
WORD_FALLBACKS = {WORD_BODY_FONT: "FangSong", WORD_TITLE_FONT: "SimSun", WORD_HEADING_FONT: "SimHei", "宋体": "SimSun"}

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _set_fonts(element: Any, east_asia: str, latin: str = WORD_LATIN_FONT) -> None:
    """Name the fonts of a run or a style: East Asian text in `east_asia`, Latin and digits in `latin`.

    Theme font attributes win over named fonts, so they are removed.
    """
    r_pr = element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


class WordDocument:
    """An editable copy of a document in the same layout: A4, the standard's margins, numbered pages."""

    def __init__(self, *, title: str, author: str, draft: bool = False) -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance, section.footer_distance = Mm(15), Mm(18)
        properties = self.document.core_properties
        properties.title = title
        properties.author = author
        properties.last_modified_by = author
        properties.comments = ""
        properties.language = "zh-CN"
        self._styles()
        self._font_table()
        self._page_numbers()
        if draft:
            self._draft_mark()

    # styles and fonts

    def _styles(self) -> None:
        styles_element = self.document.styles.element
        defaults = styles_element.find(qn("w:docDefaults"))
        if defaults is not None:
            fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
            if fonts is not None:
                for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                    fonts.attrib.pop(qn(attribute), None)
                fonts.set(qn("w:ascii"), WORD_LATIN_FONT)
                fonts.set(qn("w:hAnsi"), WORD_LATIN_FONT)
                fonts.set(qn("w:eastAsia"), WORD_BODY_FONT)

        def shape(name: str, east_asia: str, size: float, align: Any, indent: bool, bold: bool = False) -> None:
            style = self.document.styles[name]
            _set_fonts(style.element, east_asia)
            font = style.font
            font.size = Pt(size)
            font.bold = bold
            font.italic = False
            font.color.rgb = RGBColor(0, 0, 0)
            fmt = style.paragraph_format
            fmt.alignment = align
            fmt.first_line_indent = Pt(2 * BODY_SIZE) if indent else Pt(0)
            fmt.space_before = Pt(0)
            fmt.space_after = Pt(0)
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(29 if size <= BODY_SIZE else TITLE_SIZE * 1.5)

        shape("Normal", WORD_BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)
        shape("Title", WORD_TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        shape("Subtitle", WORD_BODY_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        shape("Heading 1", WORD_HEADING_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, indent=True)
        shape("Heading 2", WORD_TITLE_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, indent=True)
        # The template's Title has a rule under it, and its heading styles a colour: both go.
        for name in ("Title", "Subtitle", "Heading 1", "Heading 2"):
            p_pr = self.document.styles[name].element.pPr
            if p_pr is not None:
                for border in p_pr.findall(qn("w:pBdr")):
                    p_pr.remove(border)
            r_pr = self.document.styles[name].element.rPr
            if r_pr is not None:
                for child in list(r_pr):
                    if child.tag in (qn("w:spacing"), qn("w:kern")):
                        r_pr.remove(child)
        title_format = self.document.styles["Title"].paragraph_format
        title_format.space_after = Pt(29)
        self.document.styles["Heading 2"].font.bold = False

    def _font_table(self) -> None:
        """Add the fall-back names to the font table (python-docx keeps it as raw XML)."""
        part = next(rel.target_part for rel in self.document.part.rels.values() if rel.reltype.endswith("/fontTable"))
        root = etree.fromstring(part.blob)
        w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        for name, fallback in WORD_FALLBACKS.items():
            font = etree.SubElement(root, f"{{{w}}}font")
            font.set(f"{{{w}}}name", name)
            etree.SubElement(font, f"{{{w}}}altName").set(f"{{{w}}}val", fallback)
            etree.SubElement(font, f"{{{w}}}charset").set(f"{{{w}}}val", "86")  # GB2312
            etree.SubElement(font, f"{{{w}}}family").set(f"{{{w}}}val", "modern" if name != "宋体" else "auto")
            etree.SubElement(font, f"{{{w}}}pitch").set(f"{{{w}}}val", "fixed")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_numbers(self) -> None:
        """ "— 1 —" in 4号宋体: odd pages at the right, even pages at the left, one character in."""
        self.document.settings.odd_and_even_pages_header_footer = True
        section = self.document.sections[0]
        footers = ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT))
        for footer, align in footers:
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.alignment = align
            fmt = paragraph.paragraph_format
            fmt.first_line_indent = Pt(0)
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                fmt.right_indent = Pt(PAGE_NUMBER_SIZE)
            else:
                fmt.left_indent = Pt(PAGE_NUMBER_SIZE)
            for text in (f"{EM_DASH} ", None, f" {EM_DASH}"):
                if text is not None:
                    run = paragraph.add_run(text)
                    self._run_format(run, WORD_PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, latin=WORD_PAGE_NUMBER_FONT)
                    continue
                field = OxmlElement("w:fldSimple")
                field.set(qn("w:instr"), " PAGE ")
                inner = OxmlElement("w:r")
                text_element = OxmlElement("w:t")
                text_element.text = "1"
                inner.append(text_element)
                field.append(inner)
                paragraph._p.append(field)
                self._run_format(
                    Run(inner, paragraph), WORD_PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, latin=WORD_PAGE_NUMBER_FONT
                )

    def _draft_mark(self) -> None:
        section = self.document.sections[0]
        for header in (section.header, section.even_page_header):
            header.is_linked_to_previous = False
            paragraph = header.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.first_line_indent = Pt(0)
            run = paragraph.add_run(_("草稿"))
            self._run_format(run, WORD_HEADING_FONT, BODY_SIZE)
            run.font.color.rgb = RGBColor(0xBF, 0x1A, 0x1A)

    @staticmethod
    def _run_format(run: Any, east_asia: str, size: float, *, latin: str = WORD_LATIN_FONT) -> None:
        _set_fonts(run._r, east_asia, latin)
        run.font.size = Pt(size)

    # content

    def title(self, text: str) -> None:
        paragraph = self.document.add_paragraph(style="Title")
        self._run_format(paragraph.add_run(text), WORD_TITLE_FONT, TITLE_SIZE)

    def subtitle(self, text: str) -> None:
        paragraph = self.document.add_paragraph(style="Subtitle")
        self._run_format(paragraph.add_run(text), WORD_BODY_FONT, BODY_SIZE)

    def heading(self, text: str, level: int = 1, *, indent: bool = True) -> None:
        paragraph = self.document.add_paragraph(style="Heading 1" if level == 1 else "Heading 2")
        if not indent:
            paragraph.paragraph_format.first_line_indent = Pt(0)
        self._run_format(paragraph.add_run(text), WORD_HEADING_FONT if level == 1 else WORD_TITLE_FONT, BODY_SIZE)

    def paragraph(self, text: str, *, indent: bool = True, align: str = "") -> None:
        paragraph = self.document.add_paragraph(style="Normal")
        if not indent:
            paragraph.paragraph_format.first_line_indent = Pt(0)
        if align:
            paragraph.alignment = {"centre": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
        self._run_format(paragraph.add_run(text), WORD_BODY_FONT, BODY_SIZE)

    def body_text(self, text: str) -> None:
        """As `body_text` for the PDF: a line "一、…" alone is a heading, "（一）…。" opens in the level-2 face."""
        for line in paragraphs(text):
            if is_heading(line) or is_heading(line, 2):
                self.heading(line, 1 if is_heading(line) else 2)
                continue
            lead = lead_sentence(line)
            paragraph = self.document.add_paragraph(style="Normal")
            if lead is not None:
                head, rest = lead
                self._run_format(paragraph.add_run(head), WORD_TITLE_FONT, BODY_SIZE)
                if rest:
                    self._run_format(paragraph.add_run(rest), WORD_BODY_FONT, BODY_SIZE)
            else:
                self._run_format(paragraph.add_run(line), WORD_BODY_FONT, BODY_SIZE)

    def table(self, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, caption: str = "") -> None:
        if caption:
            paragraph = self.document.add_paragraph(style="Normal")
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.first_line_indent = Pt(0)
            self._run_format(paragraph.add_run(caption), WORD_TITLE_FONT, 14)
        lines: list[list[Cell]] = [list(header), *(list(row) for row in rows)]
        grid = self.document.add_table(rows=len(lines), cols=len(header))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        for n, (row, values) in enumerate(zip(list(grid.rows), lines, strict=True)):
            for cell, value in zip(row.cells, values, strict=False):
                paragraph = cell.paragraphs[0]
                fmt = paragraph.paragraph_format
                fmt.first_line_indent = Pt(0)
                fmt.line_spacing = Pt(TABLE_SIZE * 1.4)
                numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
                if n == 0 or numeric:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run(cell_text(value))
                self._run_format(run, WORD_HEADING_FONT if n == 0 else WORD_BODY_FONT, TABLE_SIZE)
        # The header row repeats on every page the table runs over.
        tr_pr = grid.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)

    def page_break(self) -> None:
        self.document.add_paragraph(style="Normal").add_run().add_break(WD_BREAK.PAGE)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


# --- the download -------------------------------------------------------------------------------------


def download(body: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    """A document as a response: never stored by a browser or proxy; a Chinese file name sent as
    RFC 5987 `filename*=utf-8''…` (Django's `content_disposition_header`)."""
    response = HttpResponse(body, content_type=content_type)
    disposition = content_disposition_header(not inline, filename)
    if disposition is not None:  # always, as a name is given
        response.headers["Content-Disposition"] = disposition
    response.headers["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response
