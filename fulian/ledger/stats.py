"""The picture for the city: how many families, where, of which types and grades; the month's
visits; families never visited; how grades moved over the last twelve months.

Every figure is an aggregate over the families the user may view within her own organisation's
subtree (the city sees all, a county supervisor her county), computed by the database with GROUP
BY: the family figures are one query grouped by (office, grade), the month's visits one query
grouped by office. Those per-office rows (one per office and grade: a few thousand for a whole
city, never one per family) are then added up along the organisation tree by the `path` of each
office — `/city/county/township/village/` names every ancestor — so the district table, every
township table, the grade totals and the month's totals all come from the same two queries.

When the user's subtree holds every family (the city's, in a tree with one city), the queries
leave out the joins that apply the scope, which would keep every row anyway; a cheap check decides
that each time (`_holds_every_family`).

Families shared (referred) to the user's office from another area are left out on purpose: they
are counted in their own area's figures, and counting them here too would count them twice in
any sum over areas.

No figure holds personal data, so showing them is not a read of any record (no audit row); the
download is audited as an export.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.ledger.models import Family, FamilyType, GradeChange, RiskGrade, Visit
from fulian.orgs.models import Organisation, OrganisationKind
from fulian.security.access import may, organisation_of, visible

# Depth in the organisation tree: the city 0, a county or district 1, a township or street 2.
DISTRICT, TOWNSHIP = 1, 2
KIND_AT = {DISTRICT: OrganisationKind.COUNTY, TOWNSHIP: OrganisationKind.TOWNSHIP}
MONTHS = 12


# --- dates -------------------------------------------------------------------------------------


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month `day` falls in."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def months_back(day: dt.date, count: int = MONTHS) -> list[dt.date]:
    """The first days of the `count` calendar months ending with `day`'s month, oldest first."""
    first = day.replace(day=1)
    months = [first]
    for _month in range(count - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def segments(path: str) -> list[int]:
    """The organisation ids on a tree path, from the top: "/1/4/17/" → [1, 4, 17]."""
    return [int(part) for part in path.strip("/").split("/") if part]


# --- scope -------------------------------------------------------------------------------------


def _scope(user: Any, via: str = "") -> Q | None:
    """Rows (of families, or of their visits and grade changes through `via`) in the user's own
    subtree; None when she may not view families or has no organisation."""
    home = organisation_of(user)
    if home is None or not may(user, "view", Family):
        return None
    # As "organisation IN (the subtree's organisations)" rather than a LIKE on the joined
    # organisation's path: the same rows, and SQLite then looks each family's office up in a small
    # set instead of joining and matching the path per row (12× faster for a county's type counts).
    return Q(**{f"{via}organisation__in": Organisation.objects.filter(path__startswith=home.path)})


def families(user: Any) -> QuerySet[Family]:
    """The families the figures count: those the user may view, within her organisation's subtree."""
    where = _scope(user)
    if where is None:
        return Family.objects.none()
    return visible(user, Family).filter(where).order_by()


def _holds_every_family(user: Any) -> bool:
    """Does the user's subtree hold every family in the ledger? (The city's does, in a tree with one
    city.) Then the scope filter would keep every row, and the queries below leave out the joins
    that apply it — at the city's scale those joins were most of the page's time. One index probe
    per organisation outside the subtree (the member units, any other root) answers it."""
    home = organisation_of(user)
    outside = Organisation.objects.exclude(path__startswith=home.path).values("pk")
    return not Family.objects.filter(organisation__in=outside).exists()


def _in_scope(user: Any, model: Any, via: str) -> QuerySet[Any]:
    """Rows of `model` (families, or rows hanging off a family through `via`) the figures count:
    those of the families she may view within her own subtree; every row when that is all of them.
    (A family registered outside her subtree between the check and the count could be counted
    once: only in a tree with a second root that keeps families, and only as a number.)"""
    where = _scope(user, via)
    if where is None:
        return model.objects.none()
    if _holds_every_family(user):
        return model.objects.order_by()
    return model.objects.filter(where).order_by()


# --- the figures of an area ----------------------------------------------------------------------


@dataclass
class Figures:
    """The figures of one area (or of the whole scope)."""

    total: int = 0
    by_grade: dict[int, int] = field(default_factory=dict)  # grade pk → families
    due: int = 0  # next visit falls this month or earlier, not yet visited this month
    overdue: int = 0  # next visit before today
    never: int = 0  # no visit recorded at all
    visits: int = 0  # visits made this month
    visited: int = 0  # families visited this month

    def add(self, other: Figures) -> None:
        self.total += other.total
        for grade, count in other.by_grade.items():
            self.by_grade[grade] = self.by_grade.get(grade, 0) + count
        self.due += other.due
        self.overdue += other.overdue
        self.never += other.never
        self.visits += other.visits
        self.visited += other.visited

    def grade_counts(self, grades: Iterable[RiskGrade]) -> list[int]:
        return [self.by_grade.get(grade.pk, 0) for grade in grades]


@dataclass
class AreaRow:
    """One district or township; `organisation` None is the offices above that level (本级)."""

    organisation: Organisation | None
    figures: Figures

    @property
    def pk(self) -> int | None:
        return self.organisation.pk if self.organisation is not None else None

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation is not None else _("本级直管")


Item = TypeVar("Item", FamilyType, RiskGrade)


@dataclass(frozen=True)
class CountRow(Generic[Item]):
    """A family type or risk grade and how many families in scope have it."""

    item: Item
    count: int


@dataclass(frozen=True)
class MonthVisits:
    """This month's visits: what falls due, what was done, what is late, who was never visited."""

    first: dt.date
    last: dt.date
    due: int
    visits: int
    visited: int
    overdue: int
    never: int


@dataclass
class MonthChanges:
    """Grade changes in one calendar month."""

    month: dt.date  # its first day
    registered: int = 0  # first grading of a newly registered family
    raised: int = 0
    lowered: int = 0
    to_grade: dict[int, int] = field(default_factory=dict)  # grade pk → changes into it (not first gradings)

    def to_counts(self, grades: Iterable[RiskGrade]) -> list[int]:
        return [self.to_grade.get(grade.pk, 0) for grade in grades]


# --- the queries ---------------------------------------------------------------------------------


def office_figures(user: Any, today: dt.date | None = None) -> dict[str, Figures]:
    """The figures of every office holding families in scope, keyed by the office's tree path:
    one GROUP BY over families (office, grade) and one over this month's visits (office); the
    offices' paths come from the organisation table (a few hundred rows for a city)."""
    today = today or timezone.localdate()
    first, last = month_bounds(today)
    offices: dict[str, Figures] = defaultdict(Figures)
    home = organisation_of(user)
    if home is None or _scope(user) is None:
        return {}
    paths = dict(Organisation.objects.filter(path__startswith=home.path).values_list("pk", "path"))
    rows = (
        _in_scope(user, Family, "")
        .values("organisation_id", "grade_id")
        .annotate(
            total=Count("pk"),
            due=Count(
                "pk", filter=Q(next_visit_on__lte=last) & (Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=first))
            ),
            late=Count("pk", filter=Q(next_visit_on__lt=today)),
            never=Count("pk", filter=Q(last_visit_on__isnull=True)),
            # The last visit is the latest of a family's visits (none is dated after today), so a
            # family was visited this month exactly when its last visit falls in it.
            visited=Count("pk", filter=Q(last_visit_on__gte=first, last_visit_on__lte=last)),
        )
    )
    for row in rows:
        path = paths.get(row["organisation_id"])
        if path is None:  # registered outside her subtree since the check above: not hers to count
            continue
        office = offices[path]
        office.total += row["total"]
        office.by_grade[row["grade_id"]] = office.by_grade.get(row["grade_id"], 0) + row["total"]
        office.due += row["due"]
        office.overdue += row["late"]
        office.never += row["never"]
        office.visited += row["visited"]
    visits = (
        _in_scope(user, Visit, "family__")
        .filter(visited_on__gte=first, visited_on__lte=last)
        .values("family__organisation_id")
        .annotate(visits=Count("pk"))
    )
    for row in visits:
        if row["family__organisation_id"] in paths:
            offices[paths[row["family__organisation_id"]]].visits += row["visits"]
    return dict(offices)


def _roll_up(offices: dict[str, Figures], depth: int, within: int | None = None) -> dict[int | None, Figures]:
    """Add the offices' figures up to their ancestor at `depth` (None: offices above that depth),
    keeping only offices under the organisation `within` (at depth - 1) when given."""
    areas: dict[int | None, Figures] = defaultdict(Figures)
    for path, figures in offices.items():
        ids = segments(path)
        if within is not None and (len(ids) < depth or ids[depth - 1] != within):
            continue
        areas[ids[depth] if len(ids) > depth else None].add(figures)
    return dict(areas)


def _area_rows(user: Any, areas: dict[int | None, Figures], depth: int, within: int | None) -> list[AreaRow]:
    """One row per organisation at `depth` in scope (with zeros for those without families), in the
    order of their division codes; the offices above that level last, when they hold families."""
    home = organisation_of(user)
    if home is None or _scope(user) is None:
        return []
    mine = segments(home.path)
    if len(mine) > depth:  # she sits at or below this level: the one area is her own ancestor
        wanted = Q(pk=mine[depth])
    elif within is None:
        wanted = Q(path__startswith=home.path, kind=KIND_AT[depth], active=True)
    else:
        wanted = Q(path__startswith=home.path, parent_id=within, kind=KIND_AT[depth], active=True)
    pks = [pk for pk in areas if pk is not None]
    organisations = Organisation.objects.filter(wanted | Q(pk__in=pks)).order_by("division_code", "name", "pk")
    rows = [AreaRow(o, areas.get(o.pk, Figures())) for o in organisations]
    if None in areas:
        rows.append(AreaRow(None, areas[None]))
    return rows


def counts_by_district(
    user: Any, *, today: dt.date | None = None, offices: dict[str, Figures] | None = None
) -> list[AreaRow]:
    """The figures of each county or district (for a county supervisor: her county alone)."""
    offices = office_figures(user, today) if offices is None else offices
    return _area_rows(user, _roll_up(offices, DISTRICT), DISTRICT, None)


def counts_by_township(
    user: Any, district: Organisation | int, *, today: dt.date | None = None, offices: dict[str, Figures] | None = None
) -> list[AreaRow]:
    """The figures of each township or street of one district (the district's own office last)."""
    pk = district if isinstance(district, int) else district.pk
    offices = office_figures(user, today) if offices is None else offices
    return _area_rows(user, _roll_up(offices, TOWNSHIP, within=pk), TOWNSHIP, pk)


def total(offices: dict[str, Figures]) -> Figures:
    result = Figures()
    for figures in offices.values():
        result.add(figures)
    return result


def grades_shown(counts: dict[int, int] | None = None) -> list[RiskGrade]:
    """The active grades, and any retired grade that still has families, most serious first."""
    counts = counts or {}
    return [g for g in RiskGrade.objects.order_by("-severity", "pk") if g.active or counts.get(g.pk)]


def counts_by_grade(user: Any, *, offices: dict[str, Figures] | None = None) -> list[CountRow[RiskGrade]]:
    """Families per risk grade (each grade carries its colour), most serious first."""
    offices = office_figures(user) if offices is None else offices
    counts = total(offices).by_grade
    return [CountRow(grade, counts.get(grade.pk, 0)) for grade in grades_shown(counts)]


def counts_by_type(user: Any) -> list[CountRow[FamilyType]]:
    """Families per family type (a family may be of several types, so these add up to more than
    the number of families). One GROUP BY over the family–type links."""
    through = Family.types.through
    links = _in_scope(user, through, "family__").values("familytype_id").annotate(n=Count("pk"))
    counts = dict(links.values_list("familytype_id", "n"))
    return [
        CountRow(kind, counts.get(kind.pk, 0))
        for kind in FamilyType.objects.order_by("order", "pk")
        if kind.active or counts.get(kind.pk)
    ]


def visits_this_month(
    user: Any, *, today: dt.date | None = None, offices: dict[str, Figures] | None = None
) -> MonthVisits:
    today = today or timezone.localdate()
    first, last = month_bounds(today)
    figures = total(office_figures(user, today) if offices is None else offices)
    return MonthVisits(first, last, figures.due, figures.visits, figures.visited, figures.overdue, figures.never)


def families_without_visit(user: Any) -> int:
    """Families with no visit recorded at all (`last_visit_on` is set by every visit and never
    cleared; an import may set it for visits made before the ledger, which count as visits)."""
    return families(user).filter(last_visit_on__isnull=True).count()


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def grade_changes_by_month(user: Any, *, today: dt.date | None = None, months: int = MONTHS) -> list[MonthChanges]:
    """Grade changes per calendar month over the last `months` months (this one included): first
    gradings of new families, families raised and lowered, and changes into each grade.

    One GROUP BY (month, grade before, grade after). The months' bounds are local midnights
    computed here and the month is the first bound a change falls below, so the database compares
    timestamps and converts no time zone per row (SQLite calls no Python function per row)."""
    today = today or timezone.localdate()
    starts = months_back(today, months)
    bounds = [_midnight(start) for start in starts] + [_midnight(month_bounds(today)[1] + dt.timedelta(days=1))]
    # The month of each change as its number (0 the oldest): the first bound it falls below.
    month = Case(
        *[When(at__lt=bound, then=Value(n)) for n, bound in enumerate(bounds[1:])], output_field=IntegerField()
    )
    rows = (
        _in_scope(user, GradeChange, "family__")
        .filter(at__gte=bounds[0], at__lt=bounds[-1])
        .annotate(month=month)
        .values("month", "from_grade_id", "to_grade_id")
        .annotate(n=Count("pk"))
    )
    # Raised or lowered is read from the grades' severities here: the query groups by two ids and
    # the month (at most a few hundred groups) instead of joining the grades twice.
    severity = dict(RiskGrade.objects.values_list("pk", "severity"))
    result = [MonthChanges(start) for start in starts]
    for row in rows:
        changes, count = result[row["month"]], row["n"]
        before, after = row["from_grade_id"], row["to_grade_id"]
        if before is None:  # the first grading of a newly registered family
            changes.registered += count
            continue
        if severity[after] > severity[before]:
            changes.raised += count
        elif severity[after] < severity[before]:
            changes.lowered += count
        changes.to_grade[after] = changes.to_grade.get(after, 0) + count
    return result


# --- the whole page ------------------------------------------------------------------------------


@dataclass
class Picture:
    """Everything the statistics page and its download show, each query run once."""

    today: dt.date
    home: Organisation | None
    grades: list[RiskGrade]
    total: Figures
    month: MonthVisits
    districts: list[AreaRow]
    district: AreaRow | None  # the district whose townships are shown
    townships: list[AreaRow]
    by_grade: list[CountRow[RiskGrade]]
    by_type: list[CountRow[FamilyType]]
    changes: list[MonthChanges]
    offices: dict[str, Figures] = field(repr=False, default_factory=dict)
    user: Any = field(repr=False, default=None)

    def townships_of(self, district: AreaRow) -> list[AreaRow]:
        """The townships of any district on the page (the download lists them all)."""
        if district.pk is None:
            return []
        if self.district is not None and district.pk == self.district.pk:
            return self.townships
        return _area_rows(self.user, _roll_up(self.offices, TOWNSHIP, district.pk), TOWNSHIP, district.pk)


def picture(user: Any, *, district: int | None = None, today: dt.date | None = None) -> Picture:
    """The figures for the user's scope; the townships of `district` when it is one of her
    districts (or of her only district, when she has one)."""
    today = today or timezone.localdate()
    offices = office_figures(user, today)
    whole = total(offices)
    districts = counts_by_district(user, today=today, offices=offices)
    real = [row for row in districts if row.pk is not None]
    # A district not among hers (another county's id in the address) is ignored, never shown.
    chosen = next((row for row in real if row.pk == district), real[0] if len(real) == 1 else None)
    townships = counts_by_township(user, chosen.pk, offices=offices) if chosen is not None and chosen.pk else []
    grades = grades_shown(whole.by_grade)
    return Picture(
        today=today,
        home=organisation_of(user),
        grades=grades,
        total=whole,
        month=visits_this_month(user, today=today, offices=offices),
        districts=districts,
        district=chosen,
        townships=townships,
        by_grade=[CountRow(grade, whole.by_grade.get(grade.pk, 0)) for grade in grades],
        by_type=counts_by_type(user),
        changes=grade_changes_by_month(user, today=today),
        offices=offices,
        user=user,
    )
