"""The picture for the city: the statistics page (tables and charts) and the same figures as a
download (.xlsx or .csv). The figures are in `stats`; this module shows and writes them.

The charts are drawn by the self-hosted Chart.js (fulian/static/fulian/vendor/chartjs/) from the
figures placed in a JSON script tag, by fulian/static/fulian/js/ledger_stats.js: no inline script,
nothing fetched from outside. Every chart has the table of its figures beside it, which is also
what a screen reader and a browser without JavaScript get.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from fulian.audit.services import audit_record
from fulian.ledger import stats
from fulian.ledger.models import Family
from fulian.security.access import may

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _picture(request: HttpRequest) -> stats.Picture:
    if not may(request.user, "view", Family):
        raise PermissionDenied
    district = request.GET.get("district", "")
    return stats.picture(request.user, district=int(district) if district.isdigit() else None)


# --- the tables: one list of rows per figure, shared by the download and the tests ---------------


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]


def _area_header(picture: stats.Picture) -> list[str]:
    return [
        _("家庭数"),
        *[grade.name for grade in picture.grades],
        _("本月应访（户）"),
        _("本月已访（户）"),
        _("本月走访（次）"),
        _("逾期未访（户）"),
        _("从未走访（户）"),
    ]


def _area_cells(picture: stats.Picture, figures: stats.Figures) -> list[Any]:
    return [
        figures.total,
        *figures.grade_counts(picture.grades),
        figures.due,
        figures.visited,
        figures.visits,
        figures.overdue,
        figures.never,
    ]


def summary_table(picture: stats.Picture) -> Table:
    month = picture.month
    return Table(
        _("概况"),
        [_("项目"), _("数值")],
        [
            [_("统计范围"), picture.home.name if picture.home is not None else ""],
            [_("统计日期"), picture.today.isoformat()],
            [_("家庭总数"), picture.total.total],
            [_("本月应访（户）"), month.due],
            [_("本月已访（户）"), month.visited],
            [_("本月走访（次）"), month.visits],
            [_("逾期未访（户）"), month.overdue],
            [_("从未走访（户）"), month.never],
        ],
    )


def types_table(picture: stats.Picture) -> Table:
    return Table(_("按家庭类型"), [_("家庭类型"), _("家庭数")], [[row.item.name, row.count] for row in picture.by_type])


def changes_table(picture: stats.Picture) -> Table:
    return Table(
        _("等级变化（近12个月）"),
        [
            _("月份"),
            _("新建档"),
            _("升级"),
            _("降级"),
            *[_("调至%(grade)s") % {"grade": g.name} for g in picture.grades],
        ],
        [
            [f"{m.month:%Y-%m}", m.registered, m.raised, m.lowered, *m.to_counts(picture.grades)]
            for m in picture.changes
        ],
    )


def tables(picture: stats.Picture) -> list[Table]:
    """Every figure of the page as a table, for the download: the townships of every district,
    not only of the one the page shows."""
    districts = Table(
        _("按区县"),
        [_("区县"), *_area_header(picture)],
        [[row.name, *_area_cells(picture, row.figures)] for row in picture.districts]
        + [[_("合计"), *_area_cells(picture, picture.total)]],
    )
    townships = Table(
        _("按乡镇（街道）"),
        [_("区县"), _("乡镇（街道）"), *_area_header(picture)],
        [
            [district.name, row.name, *_area_cells(picture, row.figures)]
            for district in picture.districts
            for row in picture.townships_of(district)
        ],
    )
    grades = Table(
        _("按风险等级"),
        [_("风险等级"), _("家庭数"), _("走访周期（天）")],
        [[row.item.name, row.count, row.item.visit_every_days] for row in picture.by_grade],
    )
    return [summary_table(picture), districts, townships, grades, types_table(picture), changes_table(picture)]


# --- the page ----------------------------------------------------------------------------------


def chart_data(picture: stats.Picture) -> dict[str, Any]:
    """What the charts draw (the same numbers as the tables beside them)."""

    def areas(rows: list[stats.AreaRow]) -> dict[str, Any]:
        return {
            "labels": [row.name for row in rows],
            "byGrade": [row.figures.grade_counts(picture.grades) for row in rows],
        }

    month = picture.month
    return {
        "grades": [{"name": grade.name, "colour": grade.colour} for grade in picture.grades],
        "districts": areas(picture.districts),
        "townships": areas(picture.townships) if picture.townships else None,
        "byGrade": {
            "labels": [row.item.name for row in picture.by_grade],
            "values": [row.count for row in picture.by_grade],
            "colours": [row.item.colour for row in picture.by_grade],
        },
        "types": {
            "labels": [row.item.name for row in picture.by_type],
            "values": [row.count for row in picture.by_type],
        },
        "month": {
            "labels": [_("本月应访（户）"), _("本月已访（户）"), _("逾期未访（户）"), _("从未走访（户）")],
            "values": [month.due, month.visited, month.overdue, month.never],
        },
        "changes": {
            "labels": [f"{m.month:%Y-%m}" for m in picture.changes],
            "registered": [m.registered for m in picture.changes],
            "raised": [m.raised for m in picture.changes],
            "lowered": [m.lowered for m in picture.changes],
        },
        "text": {"families": _("家庭数"), "registered": _("新建档"), "raised": _("升级"), "lowered": _("降级")},
    }


def stats_page(request: HttpRequest) -> HttpResponse:
    picture = _picture(request)
    response = render(
        request,
        "ledger/stats.html",
        {
            "p": picture,
            "chart_data": chart_data(picture),
            "summary": summary_table(picture),
            "types_table": types_table(picture),
            "changes_table": changes_table(picture),
            "area_header": _area_header(picture),
            "district_rows": [(row, _area_cells(picture, row.figures)) for row in picture.districts],
            "district_total": _area_cells(picture, picture.total),
            "township_rows": [(row, _area_cells(picture, row.figures)) for row in picture.townships],
            "township_total": _area_cells(picture, picture.district.figures) if picture.district else [],
            "choosable": [row for row in picture.districts if row.pk is not None],
            "query": f"district={picture.district.pk}" if picture.district is not None else "",
        },
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- the download --------------------------------------------------------------------------------


def _text(value: Any) -> Any:
    """Numbers stay numbers; a text that Excel would run as a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return f"'{value}"
    return value


def xlsx_bytes(sheets: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for table in sheets:
        sheet = book.create_sheet(title=table.title[:31])
        sheet.append(table.header)
        for row in table.rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text, never run as a formula
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_lines(sheets: list[Table]) -> Iterator[str]:
    """All tables in one file, each under its title, separated by an empty line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, table in enumerate(sheets):
        if n:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows([[_text(value) for value in row] for row in table.rows])
    yield "\ufeff" + buffer.getvalue()  # BOM: Excel opens the Chinese headers correctly


def stats_download(request: HttpRequest) -> HttpResponse:
    picture = _picture(request)
    kind = request.GET.get("format", "xlsx")
    if kind not in FORMATS:
        raise Http404
    sheets = tables(picture)
    body: bytes = xlsx_bytes(sheets) if kind == "xlsx" else "".join(csv_lines(sheets)).encode("utf-8")
    # Aggregates only, no personal data; still an export, so it is recorded.
    with transaction.atomic():
        audit_record(
            action="family.stats_export",
            actor=request.user,
            target_type=Family._meta.label_lower,
            detail={
                "format": kind,
                "district": picture.district.pk if picture.district is not None else None,
                "families": picture.total.total,
            },
        )
    response = HttpResponse(body, content_type=FORMATS[kind])
    filename = _("重点家庭统计-%(day)s.%(ext)s") % {"day": f"{picture.today:%Y%m%d}", "ext": kind}
    response.headers["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, private=True, no_store=True)
    return response


def urls() -> list[Any]:
    return [
        path("stats/", stats_page, name="ledger_stats"),
        path("stats/download/", stats_download, name="ledger_stats_download"),
    ]
