"""Mandatory reports in the back office: the list (with each report's delay), recording, the report page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.audit.services import audit_list_read
from fulian.cases.models import Case
from fulian.cases.privacy import may_see_parties
from fulian.lib.forms import Sent, add_service_errors, submit_once
from fulian.lib.paging import CappedPaginator
from fulian.protection.forms import AssistanceForm, PoliceFollowUpForm, ReportForm, SessionForm
from fulian.protection.models import AssistanceKind, MandatoryReport, ProtocolItem
from fulian.protection.services import (
    assistance_record,
    may_see_reporter,
    protocol_item_done,
    protocol_start,
    report_police_update,
    report_record,
    session_record,
)
from fulian.security.access import can, get_for_user, may, scope, visible

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
        sent, report = submit_once(request.user, form, lambda data: report_record(actor=request.user, **data))
        if sent is Sent.DUPLICATE:
            messages.info(request, _("该报告已经提交过，未重复保存。"))
            return redirect("protection_report_list")
        if sent is Sent.DONE:
            messages.success(request, _("已记录强制报告，并立案：%(number)s") % {"number": report.case.number})
            return redirect("protection_report_detail", pk=report.pk)
    return render(request, "hotline/simple_form.html", {"form": form, "title": _("记录强制报告")})


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_for_user(request.user, MandatoryReport, pk)
    form = None
    if can(request.user, "edit", report.case):
        fields = ("police_action", "receipt_number", "feedback_at", "civil_affairs_notified", "education_notified")
        form = PoliceFollowUpForm(request.POST or None, initial={k: getattr(report, k) for k in fields})
        if request.method == "POST" and form.is_valid():
            try:
                report_police_update(actor=request.user, report=report, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("protection_report_detail", pk=report.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "protection/report_detail.html",
        {"report": report, "show_reporter": may_see_reporter(request.user, report), "form": form},
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


def _case_form(
    request: HttpRequest,
    case_pk: int,
    form_class: type[Any],
    record: Any,
    title: str,
    done: str,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    """Record something on a case through its service: errors in Chinese, double clicks saved once."""
    case = get_for_user(request.user, Case, case_pk, "edit", audit=False)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        sent, _result = submit_once(request.user, form, lambda data: record(actor=request.user, case=case, **data))
        if sent is Sent.DUPLICATE:
            messages.info(request, _("已经提交过，未重复保存。"))
            return redirect("cases_case_detail", pk=case.pk)
        if sent is Sent.DONE:
            messages.success(request, done)
            return redirect("cases_case_detail", pk=case.pk)
    return render(
        request,
        "hotline/simple_form.html",
        {"form": form, "title": f"{case.number} · {title}", "back": reverse("cases_case_detail", args=[case.pk])},
    )


def session_add(request: HttpRequest, case_pk: int) -> HttpResponse:
    return _case_form(
        request, case_pk, SessionForm, session_record, _("一站式询问救助记录"), _("已记录一站式询问救助。")
    )


def assistance_add(request: HttpRequest, case_pk: int) -> HttpResponse:
    # A checklist step links here with the kind that fulfils it (?kind=legal); anything else is ignored.
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in AssistanceKind.values else None
    return _case_form(
        request, case_pk, AssistanceForm, assistance_record, _("记录救助帮扶"), _("已记录救助帮扶。"), initial
    )


def case_panel(request: HttpRequest, case: Case) -> str | None:
    """The case page's one-stop sessions and assistance (hooked into cases' case page)."""
    sessions = list(case.one_stop_sessions.select_related("site"))
    assistance = list(case.assistance.all())
    can_edit = can(request.user, "edit", case) and case.is_open
    if not (sessions or assistance or case.minor_involved):
        return None
    return render_to_string(
        "protection/case_panel.html",
        {"case": case, "sessions": sessions, "assistance": assistance, "can_edit": can_edit,
         "sees_child": may_see_parties(request.user, case)},
        request=request,
    )  # fmt: skip


def my_work_section(request: HttpRequest, today: Any) -> str | None:
    """Checklist steps: the user's own open steps; for supervisors, steps past due in their scope."""
    user: Any = request.user
    if not may(user, "view", Case):
        return None
    in_scope = scope(user, Case, via="case__")
    mine = list(
        ProtocolItem.objects.filter(in_scope, owner=user.pk, done_at__isnull=True)
        .select_related("case").only("pk", "step", "due_on", "case__id", "case__number")
        .order_by("due_on")[:20]
    )  # fmt: skip
    late: list[ProtocolItem] = []
    if user.has_perm("fulian_cases.approve_case"):
        late = list(
            ProtocolItem.objects.filter(in_scope, done_at__isnull=True, escalated_at__isnull=False)
            .select_related("case").only("pk", "step", "due_on", "case__id", "case__number")
            .order_by("due_on")[:50]
        )  # fmt: skip
    if not (mine or late):
        return None
    return render_to_string("protection/my_work.html", {"mine": mine, "late": late, "today": today}, request=request)


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("", report_list, name="protection_report_list"),
        path("new/", report_create, name="protection_report_add"),
        path("<int:pk>/", report_detail, name="protection_report_detail"),
        path("protocol/start/<int:case_pk>/", protocol_start_view, name="protection_protocol_start"),
        path("protocol/<int:pk>/done/", protocol_done_view, name="protection_protocol_done"),
        path("case/<int:case_pk>/session/", session_add, name="protection_session_add"),
        path("case/<int:case_pk>/assistance/", assistance_add, name="protection_assistance_add"),
    ]
