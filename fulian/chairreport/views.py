"""The chair's work report in the back office (the secretariat's alone; anyone else gets 404): the
list of reports by year with the form that drafts one, a report's page (its text as the document
will read, the figures' tables, refresh, edit, finalise, reopen, download), and the edit form
(title, speaker and the sections as a formset, no JavaScript needed). Ids only in addresses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.chairreport import forms as f
from fulian.chairreport import services as s
from fulian.chairreport.models import ChairReport, ReportStatus
from fulian.lib.forms import Sent, add_service_errors, submit_once
from fulian.security.access import EditConflict, get_for_user, may, visible


def _allowed(request: HttpRequest, action: str = "view") -> None:
    # 404, not 403: the report's existence is no business of anyone outside the secretariat.
    if not may(request.user, action, ChairReport):
        raise Http404


def _detail(report: ChairReport) -> str:
    return reverse("chairreport_detail", args=[report.pk])


def report_list(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    can_create = may(request.user, "create", ChairReport)
    form = f.ReportCreateForm(request.POST or None, initial={"year": s.current_year() - 1})
    if request.method == "POST":
        _allowed(request, "create")
        if form.is_valid():
            sent, report = submit_once(request.user, form, lambda data: s.report_create(actor=request.user, **data))
            if sent is Sent.DUPLICATE:
                messages.info(request, _("已经提交过，未重复生成。"))
                return redirect("chairreport_list")
            if sent is Sent.DONE:
                messages.success(request, _("已生成 %(year)s 年度工作报告草稿。") % {"year": report.year})
                return redirect(_detail(report))
    reports = visible(request.user, ChairReport).only(
        "pk", "year", "title", "status", "assembled_at", "finalised_at", "organisation_id", "version"
    )
    return render(request, "chairreport/report_list.html", {"reports": reports, "form": form, "can_create": can_create})


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_for_user(request.user, ChairReport, pk)
    user: Any = request.user
    draft = report.status == ReportStatus.DRAFT
    return render(
        request,
        "chairreport/report_detail.html",
        {
            "report": report,
            "sections": [
                {"heading": section.get("heading", ""), "paragraphs": _paragraphs(section.get("body", ""))}
                for section in report.sections
                if isinstance(section, dict)
            ],
            "tables": report.figures.get("tables", []) if isinstance(report.figures, dict) else [],
            "draft": draft,
            "can_edit": draft and may(user, "edit", ChairReport),
            "can_close": may(user, "close", ChairReport),
            "can_export": may(user, "export", ChairReport),
            "reopen_form": f.ReopenForm(initial={"version": report.version}),
        },
    )


def _paragraphs(body: Any) -> list[str]:
    """A section's body as the document prints it: paragraphs split at blank lines."""
    text = str(body or "").replace("\r\n", "\n")
    return [" ".join(part.split("\n")).strip() for part in text.split("\n\n") if part.strip()]


def _version_action(request: HttpRequest, pk: int, action: str, run: Any, done: str) -> HttpResponseBase:
    report = get_for_user(request.user, ChairReport, pk, action, audit=False)
    form = f.VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("页面已过期，请刷新后重新操作。"))
        return redirect(_detail(report))
    try:
        run(actor=request.user, report=report, expected_version=form.cleaned_data["version"])
    except EditConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(_detail(report))


@require_POST
def report_refresh(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _version_action(
        request, pk, "edit", s.report_refresh_figures, _("已按最新数据重新生成统计数据，正文未改动。")
    )


@require_POST
def report_finalise(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _version_action(request, pk, "close", s.report_finalise, _("报告已定稿。"))


@require_POST
def report_reopen(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = get_for_user(request.user, ChairReport, pk, "close", audit=False)
    form = f.ReopenForm(request.POST)
    if form.is_valid():
        try:
            s.report_reopen(actor=request.user, report=report, reason=form.cleaned_data["reason"],
                            expected_version=form.cleaned_data["version"])  # fmt: skip
        except EditConflict as conflict:
            messages.error(request, str(conflict))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("报告已重新打开，可以修改。"))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_detail(report))


def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_for_user(request.user, ChairReport, pk, "edit", audit=False)
    if report.status != ReportStatus.DRAFT:
        messages.error(request, str(s.FINAL))
        return redirect(_detail(report))
    initial_sections = [
        {"heading": str(section.get("heading", "")), "body": str(section.get("body", "")), "ORDER": number}
        for number, section in enumerate(report.sections, start=1)
        if isinstance(section, dict)
    ]
    data = request.POST if request.method == "POST" else None
    form = f.ReportForm(data, initial={"title": report.title, "speaker": report.speaker, "version": report.version})
    formset = f.SectionFormSet(data, initial=initial_sections, prefix="sections")
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            try:
                s.report_update(
                    actor=request.user, report=report, title=form.cleaned_data["title"],
                    speaker=form.cleaned_data["speaker"], sections=formset.sections(),
                    expected_version=form.cleaned_data["version"],
                )  # fmt: skip
            except EditConflict as conflict:
                form.add_error(None, str(conflict))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存。"))
                if "continue" in request.POST:
                    return redirect("chairreport_edit", pk=report.pk)
                return redirect(_detail(report))
    return render(
        request,
        "chairreport/report_edit.html",
        {"report": report, "form": form, "formset": formset, "back": _detail(report)},
    )


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("", report_list, name="chairreport_list"),
        path("<int:pk>/", report_detail, name="chairreport_detail"),
        path("<int:pk>/edit/", report_edit, name="chairreport_edit"),
        path("<int:pk>/refresh/", report_refresh, name="chairreport_refresh"),
        path("<int:pk>/finalise/", report_finalise, name="chairreport_finalise"),
        path("<int:pk>/reopen/", report_reopen, name="chairreport_reopen"),
    ]
