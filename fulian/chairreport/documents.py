"""The chair's work report on paper: PDF (official layout, fonts embedded) and Word (to edit further).

Both are made from what the report holds: its title, speaker, the sections in order (headings
numbered 一、二、… unless the secretariat numbered them already; a body's lines are its
paragraphs) and, as the attachment "主要数据", the tables in `figures["tables"]`
([{"title", "columns", "rows"}], see `assemble.tables`). A draft carries "草稿" on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable, PageBreak

from fulian.chairreport.models import ChairReport, ReportStatus
from fulian.lib import officedoc
from fulian.lib.officedoc import Styles, para


@dataclass(frozen=True)
class Section:
    heading: str
    body: str


@dataclass(frozen=True)
class FigureTable:
    title: str
    columns: list[str]
    rows: list[list[Any]]


def sections(report: ChairReport) -> list[Section]:
    """The sections in order, headings numbered; anything that is not a section is skipped."""
    found: list[Section] = []
    raw = report.sections if isinstance(report.sections, list) else []
    for item in raw:
        if not isinstance(item, dict):
            continue
        heading = str(item.get("heading") or "").strip()
        body = str(item.get("body") or "")
        if not heading and not body.strip():
            continue
        found.append(Section(officedoc.numbered_heading(len(found) + 1, heading) if heading else "", body))
    return found


def figure_tables(report: ChairReport) -> list[FigureTable]:
    """The appendix tables of `figures["tables"]`; a missing or malformed list gives none."""
    figures = report.figures if isinstance(report.figures, dict) else {}
    raw = figures.get("tables")
    tables: list[FigureTable] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("columns"), list):
            continue
        columns = [str(c) for c in item["columns"]]
        rows = [list(row)[: len(columns)] for row in item.get("rows") or [] if isinstance(row, list | tuple)]
        # A short row is filled so every row has a cell under every column.
        rows = [row + [""] * (len(columns) - len(row)) for row in rows]
        if columns:
            tables.append(FigureTable(str(item.get("title") or ""), columns, rows))
    return tables


def report_date(report: ChairReport) -> dt.date | None:
    """The date under the speaker: the day the report was finalised (none for a draft)."""
    if report.status == ReportStatus.FINAL and report.finalised_at is not None:
        return timezone.localdate(report.finalised_at)
    return None


def report_filename(report: ChairReport, extension: str) -> str:
    return f"{report.title or _('联席会议工作报告')}.{extension}"


def _author(report: ChairReport) -> str:
    """The report is the secretariat's: its organisation is the author, never a person."""
    return str(report.organisation.name)


def _column_widths(table: FigureTable) -> list[float]:
    """Shares of the width from what the columns hold: labels wide, figures narrow."""
    widths = []
    for n, column in enumerate(table.columns):
        longest = max([len(officedoc.cell_text(row[n])) for row in table.rows] + [1])
        header = len(column) / (2 if len(column) > 6 else 1)  # a long header wraps onto two lines
        widths.append(min(max(longest, header, 2.5), 14.0))
    return widths


def _table_font(table: FigureTable) -> float:
    return 12.0 if len(table.columns) <= 4 else 10.5 if len(table.columns) <= 6 else 9.0


# --- PDF --------------------------------------------------------------------------------------------


def report_pdf(report: ChairReport) -> bytes:
    parts = sections(report)
    tables = figure_tables(report)
    day = report_date(report)

    def build(s: Styles) -> list[Flowable]:
        story: list[Flowable] = [officedoc.title(report.title, s)]
        if report.speaker:
            story.append(para(report.speaker, s.subtitle))
        if day is not None:
            story.append(para(f"（{officedoc.chinese_date(day)}）", s.subtitle))
        story.append(officedoc.blank_line(0.5))
        for section in parts:
            if section.heading:
                story.append(para(section.heading, s.heading1))
            story += officedoc.body_text(section.body, s)
        if tables:
            story.append(officedoc.blank_line())
            story.append(para(_("附件：主要数据"), s.body))
            story.append(PageBreak())
            story.append(para(_("附件"), s.label))
            story.append(officedoc.title(_("主要数据"), s))
            for table in tables:
                if table.title:
                    story.append(para(table.title, s.caption))
                numeric = range(1, len(table.columns))
                story.append(
                    officedoc.table(
                        table.columns, table.rows, _column_widths(table), centre=numeric, font_size=_table_font(table)
                    )
                )
        return story

    return officedoc.render_pdf(
        build,
        title=report.title,
        author=_author(report),
        subject=_("联席会议工作报告"),
        draft=report.status == ReportStatus.DRAFT,
    )


# --- Word -------------------------------------------------------------------------------------------


def report_docx(report: ChairReport) -> bytes:
    word = officedoc.WordDocument(title=report.title, author=_author(report), draft=report.status == ReportStatus.DRAFT)
    word.title(report.title)
    if report.speaker:
        word.subtitle(report.speaker)
    day = report_date(report)
    if day is not None:
        word.subtitle(f"（{officedoc.chinese_date(day)}）")
    for section in sections(report):
        if section.heading:
            word.heading(section.heading)
        word.body_text(section.body)
    tables = figure_tables(report)
    if tables:
        word.paragraph(_("附件：主要数据"))
        word.page_break()
        word.heading(_("附件"), indent=False)
        word.title(_("主要数据"))
        for table in tables:
            word.table(table.columns, _rows(table.rows), caption=table.title)
    return word.to_bytes()


def _rows(rows: Sequence[Sequence[Any]]) -> list[list[officedoc.Cell]]:
    """Cells as the tables hold them (text, whole numbers, decimals); anything else as its text."""
    return [[v if v is None or isinstance(v, str | int | float) else str(v) for v in row] for row in rows]
