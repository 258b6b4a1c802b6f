"""Excel in and out: the template, the import (upload → checked preview with the errors by row and
column → an all-or-nothing background import with a progress bar → the result), the error report,
and the export of the list (masked by default; full values with the export permission, audited).

An import is seen only by the user who uploaded it (anyone else: 404, like a record out of scope).
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from fulian.accounts.reauth import fresh_login_required
from fulian.audit.services import audit_record
from fulian.ledger import exports, imports
from fulian.ledger.models import Family, ImportStatus, LedgerImport
from fulian.orgs.models import Organisation
from fulian.security.access import may

XLSX = exports.CONTENT_TYPE
SHOWN_ERRORS = 500


# --- uploads stay in memory -------------------------------------------------------------------------


class MemoryOnlyUpload(FileUploadHandler):
    """Keep the upload in memory, up to the import's size limit: a sheet of personal data is never
    written to a temporary file (Django's default for large uploads). Beyond the limit it stops
    reading and the view says the file is too large."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        self.buffer = io.BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            self.buffer = io.BytesIO()
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self.too_large:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(self.buffer, self.field_name, self.file_name, self.content_type, file_size,
                                    self.charset, self.content_type_extra)  # fmt: skip


class UploadForm(forms.Form):
    sheet = forms.FileField(
        label=gettext_lazy("台账文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )  # fmt: skip


def _require_import(user: Any) -> None:
    if not imports.may_import(user):
        raise PermissionDenied


def _own(request: HttpRequest, pk: int) -> LedgerImport:
    """The user's own import, or 404 (another user's import is not found, not refused)."""
    try:
        return LedgerImport.objects.get(pk=pk, created_by=request.user.pk)
    except LedgerImport.DoesNotExist:
        raise Http404 from None


# --- the import ----------------------------------------------------------------------------------------


@csrf_exempt
def import_start(request: HttpRequest) -> HttpResponseBase:
    # The upload handlers must be set before the body is read, so before the CSRF check reads it:
    # exempt here, checked (csrf_protect) in the view proper.
    if request.method == "POST":
        request.upload_handlers = [MemoryOnlyUpload(request, imports.max_bytes())]
    return _import_start(request)


@csrf_protect
def _import_start(request: HttpRequest) -> HttpResponseBase:
    _require_import(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    too_large = ""
    if request.method == "POST":
        handler = request.upload_handlers[0]
        if isinstance(handler, MemoryOnlyUpload) and handler.too_large:
            form, too_large = UploadForm(), imports.too_large()
        elif form.is_valid():
            try:
                ledger_import = imports.upload(user=request.user, data=form.cleaned_data["sheet"].read())
            except imports.Unreadable as error:
                form.add_error("sheet", str(error))
            else:
                return redirect("ledger_import_detail", pk=ledger_import.pk)
    recent = LedgerImport.objects.filter(created_by=request.user.pk).order_by("-created_at", "-pk")[:10]
    return render(
        request,
        "ledger/import_start.html",
        {
            "form": form,
            "too_large": too_large,
            "recent": recent,
            "max_rows": imports.max_rows(),
            "max_size": imports.size_text(imports.max_bytes()),
            "columns": imports.COLUMNS,
        },
    )


def import_template(request: HttpRequest) -> HttpResponse:
    _require_import(request.user)
    response = HttpResponse(imports.template(request.user), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _("重点家庭台账导入模板.xlsx"))
    return response


def _offices(ledger_import: LedgerImport) -> list[tuple[str, int]]:
    names = dict(Organisation.objects.filter(pk__in=[pk for pk, _n in ledger_import.offices]).values_list("pk", "name"))
    return [(names.get(pk, "—"), n) for pk, n in ledger_import.offices]


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview (errors by row and column, or the summary and the confirm button), the progress
    while a task runs (polled by ledger_import.js; reloaded without JavaScript), and the result."""
    ledger_import = _own(request, pk)
    return render(
        request,
        "ledger/import_detail.html",
        {
            "job": ledger_import,
            "errors": ledger_import.errors[:SHOWN_ERRORS],
            "more_errors": max(ledger_import.errors_total - SHOWN_ERRORS, 0),
            "offices": _offices(ledger_import),
            "status_url": reverse("ledger_import_status", args=[ledger_import.pk]),
            "statuses": ImportStatus,
        },
    )


def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    ledger_import = _own(request, pk)
    return JsonResponse(
        {
            "status": ledger_import.status,
            "label": str(ledger_import.get_status_display()),
            "running": ledger_import.running,
            "done": ledger_import.done,
            "total": ledger_import.total,
            "percent": ledger_import.percent,
        }
    )


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _require_import(request.user)
    _own(request, pk)
    try:
        imports.confirm(user=request.user, pk=pk)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("ledger_import_detail", pk=pk)


@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _own(request, pk)
    imports.cancel(user=request.user, pk=pk)
    messages.info(request, _("已放弃这次导入，上传的文件已删除。"))
    return redirect("ledger_import")


def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    ledger_import = _own(request, pk)
    if not ledger_import.errors:
        raise Http404
    response = HttpResponse(imports.error_report(ledger_import), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ledger-import-{ledger_import.pk}-errors.xlsx"'
    return response


# --- the export ---------------------------------------------------------------------------------------


class ExportForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("导出用途"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("导出将被审计。请写明用途，例如：向乡镇妇联报送季度台账。"),
    )  # fmt: skip
    full = forms.BooleanField(
        label=gettext_lazy("导出完整信息（不脱敏）"), required=False,
        help_text=gettext_lazy("包括完整的姓名、身份证号、电话、住址、定级理由、需求和健康情况。只在确有必要时勾选，文件请妥善保管、用后删除。"),
    )  # fmt: skip

    def __init__(self, *args: Any, full_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not full_allowed:
            del self.fields["full"]

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 4:
            raise forms.ValidationError(_("请具体写明导出用途。"))
        return reason


@fresh_login_required
def ledger_export(request: HttpRequest) -> HttpResponseBase:
    """Export the list's families (its filters, from the address) as .xlsx after a stated reason:
    masked unless the user holds the export permission and asks for full values. Audited with the
    reason, the filters and the row counts."""
    if not may(request.user, "view", Family):
        raise PermissionDenied
    full_allowed = may(request.user, "export", Family)
    form = ExportForm(request.POST or None, full_allowed=full_allowed)
    families, filters = exports.filtered(request.user, request.GET)
    if request.method == "POST" and form.is_valid():
        full = full_allowed and bool(form.cleaned_data.get("full"))
        count, members = exports.counts(families)
        if count > exports.MAX_SHEET_ROWS or members > exports.MAX_SHEET_ROWS:
            form.add_error(None, _("超过 Excel 一个工作表的行数上限，请加筛选条件分批导出。"))
        else:
            with transaction.atomic():
                audit_record(
                    action="family.export", actor=request.user,
                    detail={"filters": filters, "reason": form.cleaned_data["reason"], "full": full, "rows": count,
                            "members": members},
                )  # fmt: skip
            user: Any = request.user
            response = StreamingHttpResponse(
                exports.xlsx_stream(families, full=full, exported_by=user.get_username(), filters=filters),
                content_type=XLSX,
            )
            response["Content-Disposition"] = f'attachment; filename="ledger-{timezone.localdate():%Y%m%d}.xlsx"'
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "ledger/export.html",
        {
            "form": form,
            "filters": exports.describe(filters),
            "count": families.count(),
            "full_allowed": full_allowed,
            "back": reverse("ledger_family_list") + ("?" + request.GET.urlencode() if request.GET else ""),
        },
    )


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("import/", import_start, name="ledger_import"),
        path("import/template/", import_template, name="ledger_import_template"),
        path("import/<int:pk>/", import_detail, name="ledger_import_detail"),
        path("import/<int:pk>/status/", import_status, name="ledger_import_status"),
        path("import/<int:pk>/confirm/", import_confirm, name="ledger_import_confirm"),
        path("import/<int:pk>/cancel/", import_cancel, name="ledger_import_cancel"),
        path("import/<int:pk>/errors/", import_errors, name="ledger_import_errors"),
        path("export/", ledger_export, name="ledger_export"),
    ]
