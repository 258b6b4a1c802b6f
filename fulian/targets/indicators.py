"""Platform indicators: target figures computed from the platform's own data, never typed in.

A target that names an indicator gets its value from here (the assessment stores the figure
it used). `compute(year)` answers every indicator for every member unit of a year at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fulian.jointmeeting.models import MemberUnit


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise
    value_unit: str  # "%", "件", "次"
    description: Promise
    # "unit": measured on the unit's own work (referrals sent to it, reports from its sectors);
    # "city": one figure for the whole city, the same for every unit that adopts it.
    level: str = "unit"


INDICATORS: dict[str, Indicator] = {}


def indicator_choices() -> list[tuple[str, str]]:
    """For a form's select: blank = a figure the unit reports and the secretariat rates."""
    return [("", str(_("（不适用：由单位填报、办公室评定）")))] + [(i.code, str(i.label)) for i in INDICATORS.values()]


def compute(year: int, units: Sequence[MemberUnit] | None = None) -> dict[tuple[int, str], Decimal | None]:
    """{(member_unit_id, indicator_code): value} for the calendar year; None where there is nothing to measure."""
    return {}
