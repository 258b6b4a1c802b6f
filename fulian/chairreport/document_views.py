"""Downloads of the chair's work report as PDF and Word (mounted under /admin/chairreport/).

The report is read through `get_for_user` (the secretariat's; anyone else gets 404). Every
download is audited and never cached.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path

from fulian.audit.services import audit_record
from fulian.chairreport import documents
from fulian.chairreport.models import ChairReport
from fulian.lib.officedoc import DOCX_TYPE, PDF_TYPE, download
from fulian.security.access import get_for_user


def _report(request: HttpRequest, pk: int) -> ChairReport:
    # The download's own audit event records the read: one event, naming the report.
    return get_for_user(request.user, ChairReport, pk, audit=False)


def report_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    body = documents.report_pdf(report)
    with transaction.atomic():
        audit_record(action="chairreport.pdf", actor=request.user, target=report, detail={"status": report.status})
    return download(body, content_type=PDF_TYPE, filename=documents.report_filename(report, "pdf"), inline=True)


def report_docx_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    body = documents.report_docx(report)
    with transaction.atomic():
        audit_record(action="chairreport.docx", actor=request.user, target=report, detail={"status": report.status})
    return download(body, content_type=DOCX_TYPE, filename=documents.report_filename(report, "docx"))


def urls() -> list[Any]:
    return [
        path("<int:pk>/pdf/", report_pdf_view, name="chairreport_pdf"),
        path("<int:pk>/docx/", report_docx_view, name="chairreport_docx"),
    ]
