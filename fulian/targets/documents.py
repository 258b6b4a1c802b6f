"""The letters and the assessment on paper: each unit's letter and the year's results as PDF in the
official layout (fulian/lib/officedoc.py), and every score as an Excel workbook.

A letter is printed for signing: its targets as a table, the signature block of both sides
(甲方 the joint meeting, 乙方 the unit) and the signing date; an unsigned letter carries "草稿"
on every page. The assessment is the ranking and each unit's scored targets, marked "草稿"
until every target of every signed letter is scored (its ranks are not final before that).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.platypus import Flowable

from fulian.jointmeeting.models import MemberRole, MemberUnit
from fulian.lib import officedoc
from fulian.lib.officedoc import Styles, para, plain_number
from fulian.targets.indicators import INDICATORS
from fulian.targets.models import Letter, LetterStatus, Rating, Score, Scoring, SignatorySide, Target, TargetYear
from fulian.targets.selectors import RankedUnit, ranking


def issuer_name() -> str:
    """甲方 of every letter: the joint meeting itself."""
    return _("维护妇女儿童合法权益联席会议")


def author() -> str:
    """Who issues the documents (the PDF's author): the secretariat's organisation, never a person."""
    unit = MemberUnit.objects.filter(role=MemberRole.SECRETARIAT, active=True).select_related("organisation").first()
    return unit.organisation.name if unit is not None else str(settings.WAGTAIL_SITE_NAME)


def with_unit(value: Decimal | None, unit: str) -> str:
    """95.00 and "%" → "95%"; None → "—"."""
    return f"{plain_number(value)}{unit}" if value is not None else plain_number(None)


def indicator_label(code: str) -> str:
    indicator = INDICATORS.get(code)
    return str(indicator.label) if indicator is not None else code


def _measure(target: Target) -> str:
    """考核方式: what the letter says, the platform indicator that measures it, proportional scoring."""
    parts = [target.measure.strip()] if target.measure.strip() else []
    if target.indicator:
        parts.append(_("平台数据：%(indicator)s") % {"indicator": indicator_label(target.indicator)})
    if target.scoring == Scoring.PROPORTIONAL:
        parts.append(_("按完成比例计分"))
    return "；".join(parts)


def _level1_headings(text: str) -> int:
    return sum(1 for line in officedoc.paragraphs(text) if officedoc.is_heading(line))


# --- the letter -----------------------------------------------------------------------------------


def letter_filename(letter: Letter) -> str:
    return _("%(year)d年度目标管理责任书-%(unit)s.pdf") % {"year": letter.year.year, "unit": letter.unit}


def letter_pdf(letter: Letter) -> bytes:
    """The letter as signed (or to be signed): A4, official layout, CJK fonts embedded."""
    year = letter.year
    unit_name = str(letter.unit)
    targets = list(letter.targets.order_by("number"))
    signatories = list(letter.signatories.order_by("side", "order", "pk"))
    signed = letter.status == LetterStatus.SIGNED

    def build(s: Styles) -> list[Flowable]:
        story: list[Flowable] = [
            officedoc.title(year.title, s),
            para(_("（%(year)d年度）") % {"year": year.year}, s.subtitle),
            officedoc.blank_line(0.5),
            para(_("责任单位：%(unit)s") % {"unit": unit_name}, s.flush),
        ]
        story += officedoc.body_text(letter.preamble, s)
        number = _level1_headings(letter.preamble) + 1
        story.append(para(f"{officedoc.chinese_number(number)}、{_('目标任务')}", s.heading1))
        weight = sum((t.weight for t in targets), Decimal(0))
        story.append(
            para(
                _("本年度目标任务共%(count)d项，总分%(weight)s分。")
                % {"count": len(targets), "weight": plain_number(weight)},
                s.body,
            )
        )
        rows: list[Sequence[officedoc.Cell]] = [
            [t.number, t.text, _measure(t), with_unit(t.target_value, t.value_unit), plain_number(t.weight)]
            for t in targets
        ]
        rows.append([_("合计"), "", "", "", plain_number(weight)])
        story.append(
            officedoc.table(
                [_("序号"), _("目标任务"), _("考核方式"), _("目标值"), _("分值")],
                rows,
                [34, 196, 102, 52, 48],
                centre=(0, 3, 4),
                # 合计 across the first four columns; never alone at the top of a page.
                extra=[("SPAN", (0, -1), (3, -1)), ("NOSPLIT", (0, -2), (-1, -1))],
            )
        )
        closing = letter.closing.strip()
        if closing:
            if not officedoc.is_heading(officedoc.paragraphs(closing)[0]):
                story.append(para(f"{officedoc.chinese_number(number + 1)}、{_('考核与奖惩')}", s.heading1))
            story += officedoc.body_text(closing, s)
        # Never the signatures alone on the last page (GB/T 9704 7.3.5): the last paragraph goes with them.
        lead = officedoc.take_last_paragraph(story)
        story.append(officedoc.signature_block(*_signature_lines(letter, unit_name, signatories), lead=lead))
        return story

    return officedoc.render_pdf(
        build,
        title=f"{year.title}（{unit_name}）",
        author=author(),
        subject=_("%(year)d年度目标管理责任书") % {"year": year.year},
        draft=not signed,
    )


def _signature_lines(letter: Letter, unit_name: str, signatories: Iterable[Any]) -> tuple[list[str], list[str]]:
    """甲方 and 乙方: who signs for each side ("职务：姓名"), a line to sign by hand where nobody is named, the date."""
    date = officedoc.chinese_date(letter.signed_on if letter.status == LetterStatus.SIGNED else None)
    sides: dict[str, list[str]] = {SignatorySide.JOINT_MEETING: [], SignatorySide.UNIT: []}
    for signatory in signatories:
        sides.setdefault(signatory.side, []).append(f"{signatory.title}：{signatory.name}")
    blank = _("负责人（签字）：")
    left = [_("甲方：%(name)s") % {"name": issuer_name()}, *(sides[SignatorySide.JOINT_MEETING] or [blank]), date]
    right = [_("乙方：%(name)s") % {"name": unit_name}, *(sides[SignatorySide.UNIT] or [blank]), date]
    return left, right


# --- the assessment ---------------------------------------------------------------------------------


def assessment_title(year: TargetYear) -> str:
    return _("%(year)d年度%(title)s考核结果") % {"year": year.year, "title": year.title}


def assessment_filename(year: TargetYear) -> str:
    return _("%(year)d年度目标管理责任书考核结果.pdf") % {"year": year.year}


def scores_filename(year: TargetYear) -> str:
    return _("%(year)d年度目标管理责任书得分表.xlsx") % {"year": year.year}


def _targets_by_letter(rows: Sequence[RankedUnit]) -> dict[int, list[Target]]:
    """Every target of the ranked letters with its score: one query."""
    grouped: dict[int, list[Target]] = defaultdict(list)
    targets = Target.objects.filter(letter__in=[row.letter.pk for row in rows]).select_related("score")
    for target in targets.order_by("letter_id", "number"):
        grouped[target.letter_id].append(target)
    return grouped


def _score_of(target: Target) -> Score | None:
    try:
        return target.score
    except Score.DoesNotExist:  # not scored yet
        return None


def _rule(target: Target, score: Score | None) -> str:
    if target.scoring == Scoring.PROPORTIONAL:
        return _("按完成比例")
    if score is not None and score.rating:
        return _("评定：%(rating)s") % {"rating": Rating(score.rating).label}
    return _("评定")


def _value(target: Target, score: Score | None) -> str:
    """完成值: a platform indicator's figure (as computed when scored) is marked as platform data."""
    if score is None:
        return plain_number(None)
    if score.computed_value is not None:
        return _("%(value)s（平台数据）") % {"value": with_unit(score.computed_value, target.value_unit)}
    return with_unit(score.value, target.value_unit)


def _rank(row: RankedUnit) -> str:
    return str(row.rank) if row.rank is not None else _("评分中")


def assessment_pdf(year: TargetYear) -> bytes:
    """The year's results: the ranking, then every unit's targets with rule, value, points and note."""
    rows = ranking(year)
    targets = _targets_by_letter(rows)
    final = bool(rows) and all(row.complete for row in rows)
    today = timezone.localdate()

    def build(s: Styles) -> list[Flowable]:
        story: list[Flowable] = [officedoc.title(assessment_title(year), s)]
        intro = _("%(year)d年度共%(count)d家单位签订《%(title)s》。") % {
            "year": year.year,
            "count": len(rows),
            "title": year.title,
        }
        pending = sum(1 for row in rows if not row.complete)
        if pending:
            intro += _("截至%(day)s，有%(pending)d家单位的目标尚未全部评分，其名次待评分完成后确定。") % {
                "day": officedoc.chinese_date(today),
                "pending": pending,
            }
        story.append(para(intro, s.body))
        story.append(para(f"{officedoc.chinese_number(1)}、{_('考核排名')}", s.heading1))
        story.append(
            officedoc.table(
                [_("名次"), _("责任单位"), _("得分"), _("已评/目标数")],
                [
                    [_rank(row), str(row.letter.unit), plain_number(row.points), f"{row.scored}/{row.targets}"]
                    for row in rows
                ],
                [60, 220, 70, 92],
                centre=(0, 2, 3),
            )
        )
        story.append(para(f"{officedoc.chinese_number(2)}、{_('各单位得分明细')}", s.heading1))
        for n, row in enumerate(rows, start=1):
            heading = _("（%(n)s）%(unit)s：得分%(points)s分，名次%(rank)s") % {
                "n": officedoc.chinese_number(n),
                "unit": row.letter.unit,
                "points": plain_number(row.points),
                "rank": _rank(row),
            }
            lines: list[list[officedoc.Cell]] = []
            for target in targets.get(row.letter.pk, []):
                score = _score_of(target)
                points = (
                    f"{plain_number(score.points)}/{plain_number(target.weight)}" if score is not None else _("未评分")
                )
                lines.append(
                    [
                        target.number,
                        target.text,
                        _rule(target, score),
                        with_unit(target.target_value, target.value_unit),
                        _value(target, score),
                        points,
                        score.note if score is not None else "",
                    ]
                )
            story.append(para(heading, s.heading2))
            story.append(
                officedoc.table(
                    [_("序号"), _("目标任务"), _("计分规则"), _("目标值"), _("完成值"), _("得分"), _("说明")],
                    lines,
                    [30, 130, 52, 42, 58, 54, 76],
                    centre=(0, 3, 4, 5),
                    font_size=10.5,
                )
            )
        story.append(officedoc.issuer_and_date(_("%(issuer)s办公室") % {"issuer": issuer_name()}, today))
        return story

    return officedoc.render_pdf(
        build, title=assessment_title(year), author=author(), subject=_("考核结果"), draft=not final
    )


# --- the scores workbook ------------------------------------------------------------------------------


def scores_xlsx(year: TargetYear) -> bytes:
    """Every score of the year: sheet "排名" (the ranking) and sheet "得分明细" (one row per target)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = ranking(year)
    targets = _targets_by_letter(rows)
    book = Workbook()
    ranks = book.active
    ranks.title = _("排名")
    detail = book.create_sheet(_("得分明细"))

    def number(value: Decimal | None) -> float | None:
        return float(value) if value is not None else None

    def write(sheet: Any, header: list[str], lines: list[list[Any]], widths: list[int]) -> None:
        sheet.append(header)
        for line in lines:
            sheet.append(line)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never run as a formula (a target may start with "=")
        for n, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = width
        sheet.freeze_panes = "A2"

    write(
        ranks,
        [_("名次"), _("责任单位"), _("得分"), _("分值合计"), _("已评分目标"), _("目标数")],
        [
            [row.rank, str(row.letter.unit), number(row.points), number(row.weight_total), row.scored, row.targets]
            for row in rows
        ],
        [8, 28, 10, 10, 12, 10],
    )
    lines: list[list[Any]] = []
    for row in rows:
        for target in targets.get(row.letter.pk, []):
            score = _score_of(target)
            scored_at = timezone.localtime(score.scored_at).replace(tzinfo=None) if score is not None else None
            lines.append(
                [
                    str(row.letter.unit),
                    target.number,
                    target.text,
                    indicator_label(target.indicator) if target.indicator else "",
                    number(target.target_value),
                    target.value_unit,
                    number(target.weight),
                    str(Rating(score.rating).label) if score is not None and score.rating else "",
                    number(score.computed_value) if score is not None else None,
                    number(score.value) if score is not None else None,
                    number(score.points) if score is not None else None,
                    score.note if score is not None else "",
                    scored_at,
                ]
            )
    write(
        detail,
        [
            _("责任单位"),
            _("序号"),
            _("目标任务"),
            _("平台指标"),
            _("目标值"),
            _("计量单位"),
            _("分值"),
            _("评定"),
            _("平台计算值"),
            _("完成值"),
            _("得分"),
            _("评分说明"),
            _("评分时间"),
        ],
        lines,
        [20, 6, 50, 22, 9, 8, 7, 10, 11, 9, 7, 36, 17],
    )
    for (cell,) in detail.iter_rows(min_row=2, min_col=13, max_col=13):
        cell.number_format = "yyyy-mm-dd hh:mm"
    book.properties.creator = author()
    book.properties.title = _("%(year)d年度目标管理责任书得分表") % {"year": year.year}
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
