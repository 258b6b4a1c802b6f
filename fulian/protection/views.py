"""Mandatory reports in the back office: the list (with each report's delay), recording, the report page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.audit.services import audit_list_read
from fulian.cases.models import Case
from fulian.lib.forms import add_service_errors
from fulian.lib.once import claim, release
from fulian.lib.paging import CappedPaginator
from fulian.protection.forms import ReportForm
from fulian.protection.models import MandatoryReport, ProtocolItem
from fulian.protection.services import may_see_reporter, protocol_item_done, protocol_start, report_record
from fulian.security.access import get_for_user, may, visible

REPORTER_FIELDS = ("reporting_unit", "reporter_name", "reporter_phone")


def report_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "view", MandatoryReport):
        raise PermissionDenied
    reports = (
        visible(request.user, MandatoryReport)
        .select_related("case")
        .defer(*REPORTER_FIELDS, "case__summary", "case__assessment", "case__plan", "case__close_reason")
        .order_by("-discovered_at", "-pk")
    )
    page = CappedPaginator(reports, 50).get_page(request.GET.get("p"))
    audit_list_read(actor=request.user, model=MandatoryReport, shown=list(page))
    return render(
        request,
        "protection/report_list.html",
        {"page": page, "filters": {}, "can_create": may(request.user, "create", MandatoryReport)},
    )


def report_create(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "create", MandatoryReport):
        raise PermissionDenied
    form = ReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        token, organisation = data.pop("once"), data.pop("organisation")
        if not claim(request.user, token):
            messages.info(request, _("该报告已经提交过，未重复保存。"))
            return redirect("protection_report_list")
        try:
            report = report_record(actor=request.user, organisation=organisation, **data)
        except ValidationError as error:
            release(request.user, token)
            add_service_errors(form, error)
        else:
            messages.success(request, _("已记录强制报告，并立案：%(number)s") % {"number": report.case.number})
            return redirect("protection_report_detail", pk=report.pk)
    return render(request, "hotline/simple_form.html", {"form": form, "title": _("记录强制报告")})


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_for_user(request.user, MandatoryReport, pk)
    return render(
        request,
        "protection/report_detail.html",
        {"report": report, "show_reporter": may_see_reporter(request.user, report)},
    )


@require_POST
def protocol_start_view(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_for_user(request.user, Case, case_pk, "edit", audit=False)
    protocol_start(actor=request.user, case=case)
    messages.success(request, _("已启动办理流程。"))
    return redirect("cases_case_detail", pk=case.pk)


@require_POST
def protocol_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = ProtocolItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    case = get_for_user(request.user, Case, item.case_id, "edit", audit=False)
    try:
        protocol_item_done(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases_case_detail", pk=case.pk)


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("", report_list, name="protection_report_list"),
        path("new/", report_create, name="protection_report_add"),
        path("<int:pk>/", report_detail, name="protection_report_detail"),
        path("protocol/start/<int:case_pk>/", protocol_start_view, name="protection_protocol_start"),
        path("protocol/<int:pk>/done/", protocol_done_view, name="protection_protocol_done"),
    ]
