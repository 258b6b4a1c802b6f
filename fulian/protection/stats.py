"""Minor-protection figures for the joint meeting's reports: built from codes, dates, ages and
amounts only, so they are the same before and after a case's personal data is erased."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Sum

from fulian.cases.models import Case, Party, PartyRole, Referral
from fulian.cases.privacy import restricted_q
from fulian.protection.models import Assistance, MandatoryReport, OneStopSession


def minor_protection_figures(cases: Any = None) -> dict[str, Any]:
    """Figures over the minor-protection cases given (all of them by default)."""
    cases = Case.objects.filter(restricted_q()) if cases is None else cases
    reports = MandatoryReport.objects.filter(case__in=cases)
    delay = reports.aggregate(d=Avg(F("reported_at") - F("discovered_at")))["d"]
    children = Party.objects.filter(case__in=cases, role=PartyRole.HELPED)
    assistance = Assistance.objects.filter(case__in=cases)
    return {
        "cases": cases.count(),
        "by_status": dict(cases.values_list("status").annotate(n=Count("pk")).order_by("status")),
        "children_by_sex": dict(children.values_list("sex").annotate(n=Count("pk")).order_by("sex")),
        "children_by_age": dict(children.values_list("age").annotate(n=Count("pk")).order_by("age")),
        "reports_by_situation": dict(reports.values_list("situation").annotate(n=Count("pk")).order_by("situation")),
        "reports_by_sector": dict(reports.values_list("sector").annotate(n=Count("pk")).order_by("sector")),
        "report_delay_hours": round(delay.total_seconds() / 3600, 1) if delay is not None else None,
        "sessions": OneStopSession.objects.filter(case__in=cases).count(),
        "interviews": OneStopSession.objects.filter(case__in=cases).aggregate(n=Sum("interviews"))["n"] or 0,
        "assistance": {
            kind: (n, total or Decimal(0))
            for kind, n, total in assistance.values_list("kind").annotate(n=Count("pk"), total=Sum("amount")).order_by("kind")
        },
        "referrals_by_unit": dict(
            Referral.objects.filter(case__in=cases).values_list("organisation__name").annotate(n=Count("pk")).order_by("organisation__name")
        ),
    }  # fmt: skip
