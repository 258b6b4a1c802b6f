"""Reads of the letters: a year's totals and ranking (used by the assessment page, its PDF and the Excel)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from fulian.targets.models import Letter, LetterStatus, Score, Target, TargetYear


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
        if complete:
            if previous is None or total != previous:
                rank = position
                previous = total
        ranked.append(RankedUnit(letter, total, weight, n_scored, n_targets, rank if complete else None))
    return ranked
