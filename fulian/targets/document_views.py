"""Downloads of the letters and the assessment (mounted under /admin/targets/ by wagtail_hooks).

A letter is read through `get_for_user`, so a unit's liaison prints its own letter and any other
unit's answers 404; the assessment and the scores workbook cover every unit, so they need the
export action on letters (the secretariat's). Every download is audited and never cached.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from fulian.audit.services import audit_record
from fulian.lib.officedoc import PDF_TYPE, XLSX_TYPE, download
from fulian.security.access import get_for_user, may
from fulian.targets import documents
from fulian.targets.models import Letter, TargetYear


def letter_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    # One audit event for the read and the download: the event names the letter.
    letter = get_for_user(request.user, Letter, pk, audit=False)
    letter = Letter.objects.select_related("year", "unit__organisation").get(pk=letter.pk)
    body = documents.letter_pdf(letter)
    with transaction.atomic():
        audit_record(action="targets.letter.pdf", actor=request.user, target=letter, detail={"bytes": len(body)})
    return download(body, content_type=PDF_TYPE, filename=documents.letter_filename(letter), inline=True)


def _year_for_export(request: HttpRequest, year: int) -> TargetYear:
    """The whole year's results are the secretariat's; anyone else, and an unknown year, get 404."""
    if not may(request.user, "export", Letter):
        raise Http404
    found = TargetYear.objects.filter(year=year).first()
    if found is None:
        raise Http404
    return found


def assessment_pdf_view(request: HttpRequest, year: int) -> HttpResponse:
    target_year = _year_for_export(request, year)
    body = documents.assessment_pdf(target_year)
    with transaction.atomic():
        audit_record(action="targets.assessment.pdf", actor=request.user, target=target_year)
    return download(body, content_type=PDF_TYPE, filename=documents.assessment_filename(target_year), inline=True)


def scores_xlsx_view(request: HttpRequest, year: int) -> HttpResponse:
    target_year = _year_for_export(request, year)
    body = documents.scores_xlsx(target_year)
    with transaction.atomic():
        audit_record(action="targets.scores.xlsx", actor=request.user, target=target_year)
    return download(body, content_type=XLSX_TYPE, filename=documents.scores_filename(target_year))


def urls() -> list[Any]:
    return [
        path("letters/<int:pk>/pdf/", letter_pdf_view, name="targets_letter_pdf"),
        path("years/<int:year>/assessment.pdf", assessment_pdf_view, name="targets_assessment_pdf"),
        path("years/<int:year>/scores.xlsx", scores_xlsx_view, name="targets_scores_xlsx"),
    ]
