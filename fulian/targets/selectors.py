"""Reads of the letters: a year's totals and ranking (used by the assessment page, its PDF and the Excel),
the units' latest reported values, and where each return round stands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from fulian.targets.models import (
    Letter,
    LetterStatus,
    Return,
    ReturnLine,
    ReturnRound,
    ReturnStatus,
    Score,
    Target,
    TargetYear,
)


@dataclass(frozen=True)
class RankedUnit:
    letter: Letter
    points: Decimal  # the sum of the targets' scores
    weight_total: Decimal  # the sum of the targets' weights (100 for a signed letter)
    scored: int  # targets scored so far
    targets: int
    rank: int | None  # 1 = best; equal totals share a rank; None until every target is scored

    @property
    def complete(self) -> bool:
        return self.targets > 0 and self.scored == self.targets


def ranking(year: TargetYear) -> list[RankedUnit]:
    """Every signed letter of the year with its total, best first; two queries whatever the number of units."""
    letters = list(
        Letter.objects.filter(year=year, status=LetterStatus.SIGNED)
        .select_related("unit__organisation", "organisation")
        .order_by("unit__order", "pk")
    )
    weights = {
        row["letter"]: (row["weight"] or Decimal(0), row["n"])
        for row in Target.objects.filter(letter__in=letters)
        .values("letter")
        .annotate(weight=Sum("weight"), n=Count("pk"))
    }
    points = {
        row["target__letter"]: (row["points"] or Decimal(0), row["n"])
        for row in Score.objects.filter(target__letter__in=letters)
        .values("target__letter")
        .annotate(points=Sum("points"), n=Count("pk"))
    }
    rows = []
    for letter in letters:
        weight, n_targets = weights.get(letter.pk, (Decimal(0), 0))
        total, n_scored = points.get(letter.pk, (Decimal(0), 0))
        rows.append((letter, total, weight, n_scored, n_targets))
    rows.sort(key=lambda r: (-(r[1] if r[3] == r[4] and r[4] else Decimal(-1)), r[0].unit.order, r[0].pk))
    ranked: list[RankedUnit] = []
    rank = 0
    previous: Decimal | None = None
    for position, (letter, total, weight, n_scored, n_targets) in enumerate(rows, start=1):
        complete = n_targets > 0 and n_scored == n_targets
        if complete and (previous is None or total != previous):
            rank = position
            previous = total
        ranked.append(RankedUnit(letter, total, weight, n_scored, n_targets, rank if complete else None))
    return ranked


# --- returns: what each unit has reported, and where each round stands ----------------------------


def latest_lines(letters: Iterable[Letter]) -> dict[int, ReturnLine]:
    """Per target, its line in its letter's latest submitted return (the round with the latest period)."""
    lines = (
        ReturnLine.objects.filter(return_record__letter__in=list(letters), return_record__status=ReturnStatus.SUBMITTED)
        .select_related("return_record__round")
        .order_by("return_record__round__period_end", "return_record__round__due_on", "return_record__round_id")
    )
    return {line.target_id: line for line in lines}  # later rounds overwrite earlier ones


STATE_LABELS = {
    "none": _("未开始填报"),
    "draft": _("填报中"),
    "sent_back": _("已退回修改"),
    "submitted": _("已报送"),
    "overdue": _("逾期未报送"),
}


@dataclass(frozen=True)
class RoundCell:
    """One unit's place in one round: its letter, its return (if opened) and its state."""

    round: ReturnRound
    letter: Letter
    record: Return | None
    state: str  # a key of STATE_LABELS

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def done(self) -> bool:
        return self.state == "submitted"


def return_state(round: ReturnRound, record: Return | None, today: dt.date) -> str:
    if record is not None and record.status == ReturnStatus.SUBMITTED:
        return "submitted"
    if today > round.due_on:
        return "overdue"
    if record is None:
        return "none"
    return "sent_back" if record.correction else "draft"


def round_matrix(round: ReturnRound, today: dt.date) -> list[RoundCell]:
    """Every unit with a signed letter this year × its state in the round (two queries)."""
    letters = (
        Letter.objects.filter(year_id=round.year_id, status=LetterStatus.SIGNED)
        .select_related("unit__organisation")
        .order_by("unit__order", "pk")
    )
    returns = {r.letter_id: r for r in Return.objects.filter(round=round)}
    return [RoundCell(round, letter, returns.get(letter.pk), return_state(round, returns.get(letter.pk), today))
            for letter in letters]  # fmt: skip


def unit_rounds(letters: Iterable[Letter], today: dt.date) -> list[RoundCell]:
    """For a unit's signed letters: every round of their years with the unit's state, latest due first."""
    signed = {letter.year_id: letter for letter in letters if letter.status == LetterStatus.SIGNED}
    if not signed:
        return []
    rounds = ReturnRound.objects.filter(year_id__in=signed).select_related("year").order_by("-due_on", "-pk")
    returns = {
        (r.round_id, r.letter_id): r
        for r in Return.objects.filter(letter__in=list(signed.values())).only(
            "pk", "round_id", "letter_id", "status", "correction", "organisation_id", "version"
        )
    }
    cells = []
    for round in rounds:
        letter = signed[round.year_id]
        record = returns.get((round.pk, letter.pk))
        cells.append(RoundCell(round, letter, record, return_state(round, record, today)))
    return cells


def due_soon(cell: RoundCell, today: dt.date) -> bool:
    """Not submitted, and within the round's reminder days of its due date (or past it)."""
    return not cell.done and today >= cell.round.due_on - dt.timedelta(days=cell.round.remind_days)


def overdue_rounds(today: dt.date) -> list[tuple[ReturnRound, list[Letter]]]:
    """For the secretariat: each round of an open year past its due date, with the units still not submitted."""
    result = []
    rounds = ReturnRound.objects.filter(year__closed_at__isnull=True, due_on__lt=today).select_related("year")
    for round in rounds.order_by("due_on", "pk"):
        late = [cell.letter for cell in round_matrix(round, today) if cell.state == "overdue"]
        if late:
            result.append((round, late))
    return result
