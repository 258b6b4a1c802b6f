"""The figures of the chair's yearly work report, assembled from the platform's own data.

`report_figures(year)` answers one JSON-serialisable dict: the hotline's contacts by category and
by channel, cases opened, closed and open at the year's end by category, referrals by member unit
and how fast each unit answered, the minor-protection figures, the ledger's coverage and the
letters' scores; and `tables`, the same figures as the appendix tables of the PDF and Word files:
[{"title", "columns", "rows"}] with numbers as numbers and percentages with one decimal.

Only aggregates leave this module: category, channel, grade, district and member-unit names and
counts — never a name, a phone number, a case number or anything else that points at one person.
The minor-protection figures are the city's alone (no district), the children's ages are banded
and no two of their attributes are crossed, so a small count cannot single a child out.

Every figure is a GROUP BY or an aggregate over the whole city (the report is the city's, whoever
assembles it), so the number of queries is the same for ten contacts or a million. The year runs
from 1 January 00:00 to the next 1 January 00:00 in Asia/Shanghai time, whatever the server's
zone; the database compares timestamps with those two instants.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.cases.models import Case, Referral, ReferralStatus
from fulian.cases.models import Status as CaseStatus
from fulian.cases.privacy import restricted_category_ids, restricted_q
from fulian.hotline.models import RISK_FLAGS, CallType, Category, Channel, Contact
from fulian.jointmeeting.models import MemberRole, MemberUnit
from fulian.ledger.models import Family, RiskGrade, Visit
from fulian.ledger.stats import DISTRICT, grades_shown, segments
from fulian.orgs.models import Organisation
from fulian.people.models import Sex
from fulian.protection.models import AssistanceKind, Sector, Situation
from fulian.protection.stats import minor_protection_figures
from fulian.targets.models import TargetYear
from fulian.targets.selectors import ranking

# The report is the city's, and the joint meeting sits in Tongling: the year's bounds are local
# midnights there even on a server kept in UTC.
LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")
EMPTY_CALLS = [CallType.SILENT, CallType.HANG_UP, CallType.WRONG_NUMBER, CallType.PRANK]
NOT_APPLICABLE = "—"
# Children's ages are reported in bands (never the age itself): with a handful of cases a year an
# exact age is one step from a name.
AGE_BANDS: tuple[tuple[int, int, Promise], ...] = (
    (0, 5, gettext_lazy("不满6周岁")),
    (6, 11, gettext_lazy("6至11周岁")),
    (12, 13, gettext_lazy("12至13周岁")),
    (14, 17, gettext_lazy("14至17周岁")),
)


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """1 January 00:00 of `year` and of the next year, in local time."""
    return dt.datetime(year, 1, 1, tzinfo=LOCAL), dt.datetime(year + 1, 1, 1, tzinfo=LOCAL)


def percent(part: int, whole: int) -> float | None:
    """A share in percent with one decimal; None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def _cell(value: float | None) -> float | str:
    return NOT_APPLICABLE if value is None else value


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 1)


# --- the hotline ---------------------------------------------------------------------------------


def _top_categories() -> list[tuple[int, str]]:
    return list(Category.objects.filter(parent=None).order_by("order", "pk").values_list("pk", "name"))


def contact_figures(start: dt.datetime, end: dt.datetime, categories: list[tuple[int, str]]) -> dict[str, Any]:
    """Contacts received in the year: in all, with a matter (not silent, hung up, wrong number or
    prank), by top-level category (those with a matter), by channel, and with each risk flag."""
    contacts = Contact.objects.filter(received_at__gte=start, received_at__lt=end).order_by()
    totals = contacts.aggregate(
        total=Count("pk"),
        with_matter=Count("pk", filter=~Q(call_type__in=EMPTY_CALLS)),
        **{flag: Count("pk", filter=Q(**{flag: True})) for flag, _label in RISK_FLAGS},
    )
    by_category = dict(
        contacts.exclude(call_type__in=EMPTY_CALLS).values_list("category_id").annotate(n=Count("pk")).order_by()
    )
    by_channel = dict(contacts.values_list("channel").annotate(n=Count("pk")).order_by())
    with_matter = totals["with_matter"]
    rows = [
        {"name": name, "count": by_category.get(pk, 0), "share": percent(by_category.get(pk, 0), with_matter)}
        for pk, name in categories
        if by_category.get(pk)
    ]
    if by_category.get(None):
        rows.append({"name": _("未分类"), "count": by_category[None], "share": percent(by_category[None], with_matter)})
    rows.sort(key=lambda row: -row["count"])  # stable: equal counts keep the categories' order
    channels = [
        {"code": code, "name": str(label), "count": by_channel.get(code, 0), "share": percent(by_channel.get(code, 0), totals["total"])}
        for code, label in Channel.choices
        if by_channel.get(code)
    ]  # fmt: skip
    return {
        "total": totals["total"],
        "with_matter": with_matter,
        "by_category": rows,
        "by_channel": channels,
        "risks": {flag.removeprefix("risk_"): totals[flag] for flag, _label in RISK_FLAGS},
    }


# --- cases ---------------------------------------------------------------------------------------


def case_figures(start: dt.datetime, end: dt.datetime, categories: list[tuple[int, str]]) -> dict[str, Any]:
    """Cases opened in the year, closed in the year and open at its end, by top-level category:
    one GROUP BY over the cases that were open at some time in the year."""
    closed_in_year = Q(closed_at__gte=start, closed_at__lt=end)
    rows = (
        Case.objects.filter(opened_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .values("category_id")
        .annotate(
            opened=Count("pk", filter=Q(opened_at__gte=start)),
            closed=Count("pk", filter=closed_in_year),
            # Open at the year's end: not closed before it (closing sets `closed_at`, reopening clears it).
            open_at_end=Count("pk", filter=Q(closed_at__isnull=True) | Q(closed_at__gte=end)),
        )
        .order_by()
    )
    counts: dict[int | None, dict[str, Any]] = {row["category_id"]: dict(row) for row in rows}
    result: list[dict[str, Any]] = []
    named: list[tuple[int | None, str]] = [*categories, (None, _("未分类"))]
    for pk, name in named:
        row = counts.get(pk)
        if row and (row["opened"] or row["closed"] or row["open_at_end"]):
            result.append({"name": name, "opened": row["opened"], "closed": row["closed"], "open_at_end": row["open_at_end"]})  # fmt: skip
    return {
        "opened": sum(r["opened"] for r in result),
        "closed": sum(r["closed"] for r in result),
        "open_at_end": sum(r["open_at_end"] for r in result),
        "by_category": result,
    }


# --- referrals -----------------------------------------------------------------------------------


def referral_figures(start: dt.datetime, end: dt.datetime, today: dt.date) -> dict[str, Any]:
    """Referrals sent in the year, by the member unit they went to: sent, answered (accepted or
    sent back), answered on time (the answer's local date on or before the deadline), the average
    and median hours to answer, and those still unanswered past their deadline today.

    A referral the federation withdrew before the unit answered is not counted: the unit was never
    asked to answer it. One GROUP BY for the counts and one read of the answered referrals' two
    timestamps (the median is not an SQL aggregate on both databases)."""
    referrals = (
        Referral.objects.filter(sent_at__gte=start, sent_at__lt=end)
        .exclude(status=ReferralStatus.WITHDRAWN, answered_at__isnull=True)
        .order_by()
    )
    counts = (
        referrals.annotate(answered_on=TruncDate("answered_at", tzinfo=LOCAL))
        .values("organisation_id", "organisation__name")
        .annotate(
            sent=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            on_time=Count("pk", filter=Q(answered_at__isnull=False, answered_on__lte=F("deadline"))),
            overdue=Count("pk", filter=Q(answered_at__isnull=True, status=ReferralStatus.SENT, deadline__lt=today)),
        )
    )
    waits: dict[int, list[float]] = defaultdict(list)
    answered = referrals.filter(answered_at__isnull=False).values_list("organisation_id", "sent_at", "answered_at")
    for unit, sent_at, answered_at in answered:
        if answered_at is not None:  # always, by the filter: said for the type checker
            waits[unit].append(max((answered_at - sent_at).total_seconds(), 0.0))
    # The member units' own order (as in the letters and the meeting's papers); a unit no longer on
    # the list comes after them, by name.
    order = {
        organisation: position
        for position, organisation in enumerate(
            MemberUnit.objects.filter(role=MemberRole.MEMBER).order_by("order", "pk").values_list("organisation_id", flat=True)
        )
    }  # fmt: skip
    rows: list[dict[str, Any]] = sorted(
        (dict(row) for row in counts),
        key=lambda row: (order.get(row["organisation_id"], len(order)), row["organisation__name"]),
    )
    whole = {"sent": 0, "answered": 0, "on_time": 0, "overdue": 0}
    for row in rows:
        for key in whole:
            whole[key] += row[key]
    every_wait = [wait for unit_waits in waits.values() for wait in unit_waits]
    return {
        **_referral_row(whole, every_wait),
        "by_unit": [
            {"unit": row["organisation__name"], **_referral_row(row, waits[row["organisation_id"]])} for row in rows
        ],
    }


def _referral_row(row: dict[str, Any], waits: list[float]) -> dict[str, Any]:
    return {
        "sent": row["sent"],
        "answered": row["answered"],
        "on_time": row["on_time"],
        "on_time_rate": percent(row["on_time"], row["answered"]),
        "avg_hours": _hours(statistics.fmean(waits)) if waits else None,
        "median_hours": _hours(statistics.median(waits)) if waits else None,
        "overdue": row["overdue"],
    }


# --- minor protection ----------------------------------------------------------------------------


def _band(age: int | None) -> str:
    if age is None:
        return _("年龄不详")
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return str(label)
    return _("18周岁及以上")


def minor_figures(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """The minor-protection figures (`protection.stats`) over the minor-protection cases opened in
    the year, made JSON-safe: codes become their labels, ages become bands, amounts floats."""
    cases = Case.objects.filter(restricted_q(restricted_category_ids()), opened_at__gte=start, opened_at__lt=end)
    raw = minor_protection_figures(cases)
    ages: dict[str, int] = {}
    for age, n in raw["children_by_age"].items():
        band = _band(age)
        ages[band] = ages.get(band, 0) + n
    band_order = [str(label) for _low, _high, label in AGE_BANDS] + [_("18周岁及以上"), _("年龄不详")]
    situations = dict(Situation.choices)
    sectors = dict(Sector.choices)
    sexes = dict(Sex.choices)
    statuses = dict(CaseStatus.choices)
    kinds = dict(AssistanceKind.choices)
    assistance = [
        {"kind": str(kinds.get(kind, kind)), "count": n, "amount": float(amount or Decimal(0))}
        for kind, (n, amount) in raw["assistance"].items()
    ]
    return {
        "cases": raw["cases"],
        "by_status": [{"name": str(statuses.get(k, k)), "count": n} for k, n in raw["by_status"].items()],
        "children": sum(raw["children_by_sex"].values()),
        "children_by_sex": [{"name": str(sexes.get(k, k)), "count": n} for k, n in raw["children_by_sex"].items()],
        "children_by_age": [{"band": band, "count": ages[band]} for band in band_order if ages.get(band)],
        "reports": sum(raw["reports_by_situation"].values()),
        "reports_by_situation": [
            {"situation": str(situations.get(k, k)), "count": n} for k, n in raw["reports_by_situation"].items()
        ],
        "reports_by_sector": sorted(
            ({"sector": str(sectors.get(k, k)), "count": n} for k, n in raw["reports_by_sector"].items()),
            key=lambda row: -row["count"],
        ),
        "report_delay_hours": raw["report_delay_hours"],
        "sessions": raw["sessions"],
        "interviews": raw["interviews"],
        "assistance": assistance,
        "assistance_count": sum(row["count"] for row in assistance),
        "assistance_amount": round(sum(row["amount"] for row in assistance), 2),
        "referrals_by_unit": [{"unit": k, "count": n} for k, n in raw["referrals_by_unit"].items()],
    }


# --- the ledger ----------------------------------------------------------------------------------


def ledger_figures(year: int, end: dt.datetime) -> dict[str, Any]:
    """重点家庭台账 over the year: families on the ledger at the year's end by grade and by district;
    the families that had a visit due in the year (on the ledger at least one visit period of
    their grade before 31 December), how many of them were visited in it (the rest are the year's
    overdue), the visits made, and the share visited.

    `ledger.stats` answers the same questions for one user's scope and one month; the report needs
    the whole city over a calendar year (and the secretariat holds no ledger permission), so the
    two GROUP BYs are made here — by (office, grade) and by office — and added up to the districts
    along each office's tree path, as the ledger's statistics do. The grade is a family's current
    grade (its grade when the figures were assembled)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    grades = list(RiskGrade.objects.all())

    def due(via: str = "") -> Q:
        # A family fell due in the year when it was registered at least one period (of its grade)
        # before the year's end. The cut-off of each grade is computed here, so the database only
        # compares timestamps (no date arithmetic per row, which SQLite and PostgreSQL spell apart).
        where = Q(pk__in=[])
        for grade in grades:
            cutoff = dt.datetime.combine(last - dt.timedelta(days=grade.visit_every_days - 1), dt.time.min, LOCAL)
            where |= Q(**{f"{via}grade_id": grade.pk, f"{via}created_at__lt": cutoff})
        return where

    families = (
        Family.objects.filter(created_at__lt=end)
        .values("organisation_id", "grade_id")
        .annotate(n=Count("pk"), due=Count("pk", filter=due()))
        .order_by()
    )
    visits = (
        Visit.objects.filter(visited_on__gte=first, visited_on__lte=last, family__created_at__lt=end)
        .values("family__organisation_id")
        .annotate(visits=Count("pk"), visited=Count("family_id", distinct=True, filter=due("family__")))
        .order_by()
    )
    offices = {
        pk: (path, name, code or "") for pk, path, name, code in Organisation.objects.values_list("pk", "path", "name", "division_code")
    }  # fmt: skip

    def district_of(office: int) -> int | None:
        ids = segments(offices[office][0]) if office in offices else []
        return ids[DISTRICT] if len(ids) > DISTRICT else None

    areas: dict[int | None, dict[str, int]] = defaultdict(lambda: {"families": 0, "due": 0, "visited": 0, "visits": 0})
    by_grade: dict[int, int] = defaultdict(int)
    for office_row in families:
        area = areas[district_of(office_row["organisation_id"])]
        area["families"] += office_row["n"]
        area["due"] += office_row["due"]
        by_grade[office_row["grade_id"]] += office_row["n"]
    for visit_row in visits:
        area = areas[district_of(visit_row["family__organisation_id"])]
        area["visits"] += visit_row["visits"]
        area["visited"] += visit_row["visited"]
    total = {key: sum(a[key] for a in areas.values()) for key in ("families", "due", "visited", "visits")}

    def shaped(name: str, area: dict[str, int]) -> dict[str, Any]:
        return {"name": name, **area, "not_visited": area["due"] - area["visited"], "coverage": percent(area["visited"], area["due"])}  # fmt: skip

    named = sorted((pk for pk in areas if pk is not None), key=lambda pk: (offices[pk][2], offices[pk][1], pk))
    districts = [shaped(offices[pk][1], areas[pk]) for pk in named]
    if None in areas:
        districts.append(shaped(_("市本级直管"), areas[None]))
    return {
        "families": total["families"],
        "by_grade": [
            {
                "grade": grade.name,
                "count": by_grade.get(grade.pk, 0),
                "share": percent(by_grade.get(grade.pk, 0), total["families"]),
            }
            for grade in grades_shown(dict(by_grade))
        ],
        **{key: total[key] for key in ("due", "visited", "visits")},
        "not_visited": total["due"] - total["visited"],
        "coverage": percent(total["visited"], total["due"]),
        "by_district": districts,
    }


# --- the letters ---------------------------------------------------------------------------------


def letter_figures(year: int) -> dict[str, Any] | None:
    """The year's ranking of the signed letters (rank, unit, points), or None without a TargetYear."""
    target_year = TargetYear.objects.filter(year=year).first()
    if target_year is None:
        return None
    rows = [
        {
            "rank": row.rank,
            "unit": row.letter.unit.organisation.name,
            "points": float(row.points),
            "complete": row.complete,
        }
        for row in ranking(target_year)
    ]
    return {"title": target_year.title, "closed": target_year.closed, "rows": rows}


# --- the whole -----------------------------------------------------------------------------------


def report_figures(year: int, *, today: dt.date | None = None) -> dict[str, Any]:
    """Every figure of the report for `year`, and the appendix tables."""
    today = today or timezone.localdate(timezone.now(), LOCAL)
    start, end = year_bounds(year)
    categories = _top_categories()
    figures: dict[str, Any] = {
        "year": year,
        "as_of": today.isoformat(),
        # A report assembled before the year is out counts only the part of it that has passed.
        "complete": today > dt.date(year, 12, 31),
        "contacts": contact_figures(start, end, categories),
        "cases": case_figures(start, end, categories),
        "referrals": referral_figures(start, end, today),
        "minors": minor_figures(start, end),
        "ledger": ledger_figures(year, end),
        "letters": letter_figures(year),
    }
    figures["tables"] = tables(figures)
    return figures


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    return {"title": title, "columns": columns, "rows": rows}


def tables(f: dict[str, Any]) -> list[dict[str, Any]]:
    """The appendix: one table per topic, Chinese headers, a 合计 row where sums make sense."""
    contacts, cases, referrals, minors, ledger = f["contacts"], f["cases"], f["referrals"], f["minors"], f["ledger"]
    total, count, share = _("合计"), _("件数"), _("占比（%）")
    result = [
        _table(
            _("表1　12338热线受理情况（按问题类别）"),
            [_("问题类别"), count, share],
            [[r["name"], r["count"], _cell(r["share"])] for r in contacts["by_category"]]
            + [[total, contacts["with_matter"], _cell(100.0 if contacts["with_matter"] else None)]],
        ),
        _table(
            _("表2　12338热线受理情况（按渠道）"),
            [_("渠道"), count, share],
            [[r["name"], r["count"], _cell(r["share"])] for r in contacts["by_channel"]]
            + [[total, contacts["total"], _cell(100.0 if contacts["total"] else None)]],
        ),
        _table(
            _("表3　维权个案办理情况（按问题类别）"),
            [_("问题类别"), _("新立案"), _("本年结案"), _("年末在办")],
            [[r["name"], r["opened"], r["closed"], r["open_at_end"]] for r in cases["by_category"]]
            + [[total, cases["opened"], cases["closed"], cases["open_at_end"]]],
        ),
        _table(
            _("表4　向成员单位转介及答复情况"),
            [
                _("成员单位"),
                _("转介"),
                _("已答复"),
                _("按期答复"),
                _("按期答复率（%）"),
                _("平均答复用时（小时）"),
                _("答复用时中位数（小时）"),
                _("逾期未答复"),
            ],
            [_referral_cells(r["unit"], r) for r in referrals["by_unit"]] + [_referral_cells(total, referrals)],
        ),
        _table(
            _("表5　未成年人保护工作情况（全市）"),
            [_("指标"), _("数值")],
            [
                [_("涉未成年人保护个案（件）"), minors["cases"]],
                [_("受助儿童（人）"), minors["children"]],
                [_("强制报告（件）"), minors["reports"]],
                [_("发现至报告平均用时（小时）"), _cell(minors["report_delay_hours"])],
                [_("一站式询问（场次）"), minors["sessions"]],
                [_("询问（次）"), minors["interviews"]],
                [_("救助帮扶（项）"), minors["assistance_count"]],
                [_("救助金额（元）"), minors["assistance_amount"]],
            ],
        ),
        _table(
            _("表6　强制报告情况（按报告主体行业）"),
            [_("行业"), count],
            [[r["sector"], r["count"]] for r in minors["reports_by_sector"]] + [[total, minors["reports"]]],
        ),
        _table(
            _("表7　受助儿童情况（按年龄段）"),
            [_("年龄段"), _("人数")],
            [[r["band"], r["count"]] for r in minors["children_by_age"]] + [[total, minors["children"]]],
        ),
        _table(
            _("表8　未成年人救助帮扶情况"),
            [_("救助类别"), _("项数"), _("金额（元）")],
            [[r["kind"], r["count"], r["amount"]] for r in minors["assistance"]]
            + [[total, minors["assistance_count"], minors["assistance_amount"]]],
        ),
        _table(
            _("表9　重点家庭台账（按风险等级）"),
            [_("风险等级"), _("户数"), share],
            [[r["grade"], r["count"], _cell(r["share"])] for r in ledger["by_grade"]]
            + [[total, ledger["families"], _cell(100.0 if ledger["families"] else None)]],
        ),
        _table(
            _("表10　重点家庭走访情况（按区县）"),
            [
                _("区县"),
                _("在册家庭（户）"),
                _("应走访（户）"),
                _("已走访（户）"),
                _("未走访（户）"),
                _("走访（次）"),
                _("走访覆盖率（%）"),
            ],
            [_ledger_cells(r["name"], r) for r in ledger["by_district"]] + [_ledger_cells(total, ledger)],
        ),
    ]
    letters = f["letters"]
    if letters is not None:
        result.append(
            _table(
                _("表11　目标管理责任书考核得分"),
                [_("名次"), _("责任单位"), _("得分")],
                [
                    [row["rank"] if row["rank"] is not None else _("评分中"), row["unit"], row["points"]]
                    for row in letters["rows"]
                ],
            )
        )
    return result


def _referral_cells(name: str, r: dict[str, Any]) -> list[Any]:
    return [name, r["sent"], r["answered"], r["on_time"], _cell(r["on_time_rate"]), _cell(r["avg_hours"]),
            _cell(r["median_hours"]), r["overdue"]]  # fmt: skip


def _ledger_cells(name: str, r: dict[str, Any]) -> list[Any]:
    return [name, r["families"], r["due"], r["visited"], r["not_visited"], r["visits"], _cell(r["coverage"])]


# --- the draft text ------------------------------------------------------------------------------
#
# The four parts follow the chair's report to the joint meeting (《团结协作 攻坚克难 不断开创妇女
# 儿童工作新局面》): duties and results, mechanisms and platforms, new measures (here the
# minor-protection work), research and prevention. Each body quotes the figures in sober official
# prose; the secretariat rewrites it before finalising. Paragraphs are separated by blank lines.


def _pct(value: float | None) -> str:
    return f"{value:.1f}%" if value is not None else NOT_APPLICABLE


def _list(items: list[str]) -> str:
    return "、".join(items)


def draft_sections(f: dict[str, Any]) -> list[dict[str, str]]:
    """The report's text, pre-written from the figures: four sections in the seed's structure."""
    period = _("全年") if f["complete"] else _("今年以来")
    at_end = _("年末") if f["complete"] else _("目前")
    as_of = dt.date.fromisoformat(f["as_of"])
    as_of_text = _("%(m)s月%(d)s日") % {"m": as_of.month, "d": as_of.day}
    words = {"year": f["year"], "period": period, "at_end": at_end, "as_of": as_of_text}
    return [
        {"heading": _("一、勇于担当，积极履职，妇女儿童维权工作取得新成绩"), "body": _first(f, words)},
        {"heading": _("二、完善机制，拓宽平台，部门协作维权合力不断增强"), "body": _second(f, words)},
        {"heading": _("三、创新举措，主动作为，未成年人保护工作扎实推进"), "body": _third(f, words)},
        {"heading": _("四、深入调研，攻坚克难，源头预防工作持续深化"), "body": _fourth(f, words)},
    ]


def _first(f: dict[str, Any], words: dict[str, Any]) -> str:
    contacts, cases = f["contacts"], f["cases"]
    paragraphs = [
        _("%(year)s年，在市委、市政府的坚强领导下，联席会议各成员单位认真履行职责，密切协作配合，"
          "妇女儿童合法权益保障工作取得新的进展。") % words
    ]  # fmt: skip
    if contacts["total"]:
        text = _("%(period)s12338妇女维权公益服务热线共受理来电来访%(total)s件，其中咨询求助%(matter)s件。") % {
            **words, "total": contacts["total"], "matter": contacts["with_matter"]}  # fmt: skip
        channels = [_("%(name)s%(n)s件") % {"name": c["name"], "n": c["count"]} for c in contacts["by_channel"]]
        if channels:
            text += _("按受理渠道分，%(channels)s。") % {"channels": _list(channels)}
        top = [
            _("%(name)s%(n)s件（占%(share)s）") % {"name": c["name"], "n": c["count"], "share": _pct(c["share"])}
            for c in contacts["by_category"][:3]
        ]
        if top:
            text += _("从问题类别看，居前的是%(top)s。") % {"top": _list(top)}
        risks = contacts["risks"]
        flagged = [
            label % {"n": risks[key]}
            for key, label in (
                ("domestic_violence", _("涉及家庭暴力的%(n)s件")),
                ("minor", _("涉及未成年人的%(n)s件")),
                ("sexual_abuse", _("涉及性侵害的%(n)s件")),
                ("immediate_danger", _("存在紧急危险的%(n)s件")),
            )
            if risks.get(key)
        ]
        if flagged:
            text += _("其中%(flagged)s，均按规定处置、转介。") % {"flagged": _list(flagged)}
        paragraphs.append(text)
    else:
        paragraphs.append(_("%(period)s12338妇女维权公益服务热线暂无受理记录。") % words)
    if cases["opened"] or cases["open_at_end"]:
        text = _("%(period)s新立维权个案%(opened)s件，办结%(closed)s件，%(at_end)s在办%(open)s件。") % {
            **words, "opened": cases["opened"], "closed": cases["closed"], "open": cases["open_at_end"]}  # fmt: skip
        top = [
            _("%(name)s%(n)s件") % {"name": c["name"], "n": c["opened"]}
            for c in sorted(cases["by_category"], key=lambda c: -c["opened"])[:3]
            if c["opened"]
        ]
        if top:
            text += _("新立个案中，%(top)s。") % {"top": _list(top)}
        paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _second(f: dict[str, Any], words: dict[str, Any]) -> str:
    referrals, letters = f["referrals"], f["letters"]
    paragraphs = []
    if referrals["sent"]:
        text = _("依托联席会议个案转介机制，%(period)s向成员单位转介维权事项%(sent)s件，成员单位已答复%(answered)s件。") % {
            **words, "sent": referrals["sent"], "answered": referrals["answered"]}  # fmt: skip
        if referrals["answered"]:
            text += _("其中按期答复%(on_time)s件，按期答复率%(rate)s；答复平均用时%(avg)s小时，中位数%(median)s小时。") % {
                "on_time": referrals["on_time"], "rate": _pct(referrals["on_time_rate"]),
                "avg": referrals["avg_hours"], "median": referrals["median_hours"]}  # fmt: skip
        busiest = sorted(referrals["by_unit"], key=lambda u: -u["sent"])[:3]
        if len(referrals["by_unit"]) > 1:
            text += _("接收转介较多的是%(units)s。") % {
                "units": _list([_("%(unit)s（%(n)s件）") % {"unit": u["unit"], "n": u["sent"]} for u in busiest])}  # fmt: skip
        if referrals["overdue"]:
            text += _("截至%(as_of)s，尚有%(n)s件逾期未答复，联席会议办公室已逐件督办。") % {
                **words,
                "n": referrals["overdue"],
            }
        paragraphs.append(text)
    else:
        paragraphs.append(_("%(period)s未向成员单位转介维权事项。") % words)
    if letters is not None and letters["rows"]:
        text = _("联席会议办公室与%(n)s家成员单位签订《%(title)s》，明确各单位工作目标和责任。") % {
            "n": len(letters["rows"]), "title": letters["title"]}  # fmt: skip
        ranked = [row for row in letters["rows"] if row["rank"] is not None]
        if ranked and len(ranked) == len(letters["rows"]):
            top = [_("%(unit)s（%(points)s分）") % {"unit": r["unit"], "points": r["points"]} for r in ranked[:3]]
            text += _("经年度考核，得分居前的是%(top)s。") % {"top": _list(top)}
        else:
            text += _("年度考核正在进行中。")
        paragraphs.append(text)
    paragraphs.append(
        _("联席会议办公室坚持定期会商、信息通报和督查督办制度，推动各成员单位各司其职、齐抓共管，"
          "维护妇女儿童合法权益的工作合力不断增强。")
    )  # fmt: skip
    return "\n\n".join(paragraphs)


def _third(f: dict[str, Any], words: dict[str, Any]) -> str:
    m = f["minors"]
    if not m["cases"]:
        return _("%(period)s未受理涉未成年人保护个案。联席会议各成员单位继续落实强制报告、一站式询问救助等制度，"
                 "筑牢未成年人保护防线。") % words  # fmt: skip
    paragraphs = [
        _("%(period)s受理涉未成年人保护个案%(cases)s件，为%(children)s名儿童提供保护和帮助。")
        % {**words, "cases": m["cases"], "children": m["children"]}
    ]
    if m["reports"]:
        text = _("全面落实强制报告制度，收到强制报告%(n)s件") % {"n": m["reports"]}
        if m["report_delay_hours"] is not None:
            text += _("，从发现到报告平均用时%(h)s小时") % {"h": m["report_delay_hours"]}
        sectors = [_("%(s)s%(n)s件") % {"s": r["sector"], "n": r["count"]} for r in m["reports_by_sector"][:3]]
        text += _("；报告主体中，%(sectors)s。") % {"sectors": _list(sectors)} if sectors else _("。")
        paragraphs.append(text)
    if m["sessions"]:
        paragraphs.append(
            _("推行“一站式”询问救助机制，开展一站式询问%(s)s场次、询问%(i)s次，最大限度减少对未成年被害人的二次伤害。")
            % {"s": m["sessions"], "i": m["interviews"]}
        )
    if m["assistance_count"]:
        kinds = _list([r["kind"] for r in m["assistance"]])
        paragraphs.append(
            _("为受侵害未成年人提供%(kinds)s等救助帮扶%(n)s项，救助金额%(amount).2f元。")
            % {"kinds": kinds, "n": m["assistance_count"], "amount": m["assistance_amount"]}
        )
    return "\n\n".join(paragraphs)


def _fourth(f: dict[str, Any], words: dict[str, Any]) -> str:
    ledger = f["ledger"]
    paragraphs = []
    if ledger["families"]:
        grades = _list(
            [_("%(g)s等级%(n)s户") % {"g": r["grade"], "n": r["count"]} for r in ledger["by_grade"] if r["count"]]
        )
        text = _("坚持关口前移，建立重点家庭台账，%(at_end)s在册重点家庭%(n)s户，其中%(grades)s。") % {
            **words, "n": ledger["families"], "grades": grades}  # fmt: skip
        if ledger["due"]:
            text += _("%(period)s应走访%(due)s户，已走访%(visited)s户，走访覆盖率%(coverage)s，累计入户走访%(visits)s次。") % {
                **words, "due": ledger["due"], "visited": ledger["visited"], "coverage": _pct(ledger["coverage"]),
                "visits": ledger["visits"]}  # fmt: skip
        if ledger["not_visited"]:
            text += _("对%(n)s户未按期走访的家庭，已督促属地妇联落实包保责任。") % {"n": ledger["not_visited"]}
        paragraphs.append(text)
    paragraphs.append(
        _("下一步，联席会议办公室将针对工作中发现的问题深入调研，进一步完善信息共享和个案会商机制，"
          "推动各成员单位形成工作合力，不断开创妇女儿童工作新局面。")
    )  # fmt: skip
    return "\n\n".join(paragraphs)
