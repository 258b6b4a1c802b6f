"""Casework in the back office: the case list, opening a case, the case page and its operations,
referrals as the member unit's liaison sees them, and each user's "my work" page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fulian.accounts.reauth import fresh_login_required
from fulian.audit.services import audit_list_read, audit_record
from fulian.cases import forms as f
from fulian.cases import services as s
from fulian.cases.exports import csv_stream, may_export_identified
from fulian.cases.models import (
    Approval,
    Case,
    CaseTask,
    Consent,
    Party,
    PartyRole,
    Referral,
    ReferralStatus,
    Status,
)
from fulian.cases.privacy import HIDDEN, is_restricted, may_see_parties, restricted_category_ids
from fulian.hotline.models import Category, Contact
from fulian.lib.forms import Sent, add_service_errors, submit_once
from fulian.lib.once import claim, release
from fulian.lib.paging import CappedPaginator, day_start
from fulian.security.access import EditConflict, get_for_user, may, organisation_of, scope, visible
from fulian.security.identity import mask_name

PAGE_SIZE = 50
# Encrypted texts a list never shows: left unread, so a page decrypts only the names it displays.
LIST_DEFERRED = ("summary", "assessment", "plan", "close_reason")
CASE_DEFERRED = tuple(f"case__{name}" for name in LIST_DEFERRED)
REFERRAL_DEFERRED = ("request", "shared_details", "consent_override", "reject_reason", "result")


# --- the list -------------------------------------------------------------------------------------


def _helped_name(case: Any, restricted: set[int]) -> str:
    if is_restricted(case, restricted):
        return str(HIDDEN)  # a child in a minor-protection case: named on its case page only
    helped = getattr(case, "helped", [])
    return mask_name(helped[0].name) if helped and helped[0].name else ""


def _filtered(request: HttpRequest, form: f.CaseFilterForm) -> tuple[Any, dict[str, str]]:
    """The cases the user may see, narrowed by the list's filters (also used by the export)."""
    cases = visible(request.user, Case)
    filters: dict[str, str] = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            cases = cases.filter(status=data["status"])
        if data["pending"]:
            cases = cases.filter(pending=data["pending"])
        if data["category"]:
            cases = cases.filter(category=data["category"])
        if data["mine"]:
            cases = cases.filter(caseworker=request.user.pk)
        if data["minor"]:
            cases = cases.filter(minor_involved=True)
        if data["overdue"]:
            cases = cases.filter(next_deadline__lt=timezone.localdate())
        if data["opened_from"]:
            cases = cases.filter(opened_at__gte=day_start(data["opened_from"]))
        if data["opened_to"]:
            cases = cases.filter(opened_at__lt=day_start(data["opened_to"] + dt.timedelta(days=1)))
        filters = {k: request.GET.get(k, "") for k in form.fields if request.GET.get(k)}
    return cases, filters


def case_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "view", Case):
        raise PermissionDenied
    form = f.CaseFilterForm(request.GET or None)
    cases, filters = _filtered(request, form)
    # Only what the list shows is read and decrypted: the helped person's name, not the narratives.
    helped = Prefetch(
        "parties",
        queryset=Party.objects.filter(role=PartyRole.HELPED).only("pk", "case_id", "role", "name").order_by("pk"),
        to_attr="helped",
    )
    cases = (
        cases.defer(*LIST_DEFERRED)
        .select_related("organisation", "category", "caseworker")
        .prefetch_related(helped)
        .order_by("-opened_at", "-pk")
    )
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("p"))
    restricted = restricted_category_ids()
    rows = [(case, _helped_name(case, restricted)) for case in page]
    audit_list_read(actor=request.user, model=Case, shown=list(page))
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filters": filters,
            "statuses": Status.choices,
            "pendings": [(Approval.PLAN, _("服务方案")), (Approval.CLOSE, _("结案"))],
            "categories": Category.objects.filter(parent=None, active=True),
            "can_create": may(request.user, "create", Case),
            "can_export": may(request.user, "export", Case),
        },
    )


@fresh_login_required
def case_export(request: HttpRequest) -> HttpResponseBase:
    """Export the filtered list as CSV, after a stated reason; audited with the reason and the count."""
    if not may(request.user, "export", Case):
        raise PermissionDenied
    allowed = may_export_identified(request.user)
    form = f.CaseExportForm(request.POST or None, identified_allowed=allowed)
    if request.method == "POST" and form.is_valid():
        cases, filters = _filtered(request, f.CaseFilterForm(request.GET or None))
        identified = allowed and bool(form.cleaned_data.get("identified"))
        with transaction.atomic():
            audit_record(
                action="case.export", actor=request.user,
                detail={"filters": filters, "reason": form.cleaned_data["reason"], "identified": identified,
                        "rows": cases.count()},
            )  # fmt: skip
        response = StreamingHttpResponse(
            csv_stream(cases, identified=identified), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="cases-{timezone.localdate():%Y%m%d}.csv"'
        return response
    return render(
        request,
        "hotline/simple_form.html",
        {"form": form, "title": _("导出个案"), "back": reverse("cases_case_list")},
    )


# --- opening --------------------------------------------------------------------------------------


def _contacts_from(request: HttpRequest) -> list[Contact]:
    ids = [i for i in request.GET.getlist("contact") + request.POST.getlist("contact") if i.isdigit()][:10]
    return [get_for_user(request.user, Contact, int(i)) for i in dict.fromkeys(ids)]


def case_create(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "create", Case):
        raise PermissionDenied
    contacts = _contacts_from(request)
    initial: dict[str, Any] = {}
    if contacts:
        first = contacts[0]
        initial = {
            "category": first.category,
            "subcategory": first.subcategory,
            "minor_involved": first.risk_minor,
            "phone": first.caller_phone if first.affected_is_caller else "",
            "name": first.caller_name if first.affected_is_caller else first.affected_name,
            "sex": first.caller_sex if first.affected_is_caller else first.affected_sex,
            "organisation": first.organisation,
            "summary": first.narrative,
        }
    form = f.CaseOpenForm(request.POST or None, user=request.user, initial=initial)
    duplicates: list[Case] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = list(s.open_duplicates(request.user, phone=data["phone"], id_number=data["id_number"])[:10])
        if duplicates and not data["confirm_new"]:
            form.add_error(None, _("此求助人已有未结案的个案，请先查看；如确需新建，请勾选“仍要新建个案”。"))
        elif not claim(request.user, data["once"]):
            messages.info(request, _("该个案已经提交过，未重复立案。"))
            return redirect("cases_case_list")
        else:
            try:
                case = s.case_open(
                    actor=request.user,
                    organisation=data["organisation"],
                    contacts=contacts,
                    category=data["category"],
                    subcategory=data["subcategory"],
                    summary=data["summary"],
                    minor_involved=data["minor_involved"],
                    helped={k: data[k] for k in ("name", "phone", "id_number", "sex", "age")},
                )
            except ValidationError as error:
                release(request.user, data["once"])
                add_service_errors(form, error)
            else:
                messages.success(request, _("已立案：%(number)s") % {"number": case.number})
                return redirect("cases_case_detail", pk=case.pk)
    return render(request, "cases/case_open.html", {"form": form, "contacts": contacts, "duplicates": duplicates})


# --- the case page ----------------------------------------------------------------------------------


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_for_user(request.user, Case, pk)
    user = request.user
    today = timezone.localdate()
    tasks = list(case.tasks.select_related("assignee"))
    # A minor-protection case shows its people to its caseworker and supervisors only.
    sees_parties = may_see_parties(user, case)
    hidden = dict.fromkeys(("name", "phone", "id_number", "address"), HIDDEN)
    parties = [(party, party.masked() if sees_parties else hidden) for party in case.parties.all()]
    protocol = list(case.protocol.select_related("owner"))
    can_edit = may(user, "edit", Case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "parties": parties,
            "incidents": case.incidents.select_related("category"),
            "consents": case.consents.select_related("member_unit", "recorded_by"),
            "services": case.services.all(),
            "tasks": tasks,
            "open_tasks": [t for t in tasks if t.done_at is None],
            "done_tasks": [t for t in tasks if t.done_at is not None],
            "notes": case.notes.select_related("author"),
            "referrals": case.referrals.select_related("organisation").prefetch_related("actions"),
            "events": case.events.select_related("actor"),
            "contacts": case.contacts.all(),
            "today": today,
            "steps": Status.choices,
            "protocol": protocol,
            "protocol_done": sum(1 for item in protocol if item.done_at is not None),
            "can_edit": can_edit and case.is_open,
            "can_reveal": may(user, "reveal", Case) and sees_parties,
            "sees_child": sees_parties,
            "hidden": HIDDEN,
            "can_approve": user.has_perm("fulian_cases.approve_case") and bool(case.pending),
            "actions": _available_actions(user, case),
            "parts": PARTS if can_edit and case.is_open else {},
            "panels": _panels("case_detail_panels", request, case),
        },
    )


def _panels(hook: str, request: HttpRequest, *args: Any) -> list[str]:
    """HTML sections other apps add to a casework page (protection orders, one-stop sessions…).

    Each registered function takes (request, *args) and returns rendered HTML or None, so the
    cases app does not import the protocols built on it."""
    from wagtail import hooks

    return [html for fn in hooks.get_hooks(hook) if (html := fn(request, *args))]


@dataclass(frozen=True)
class Operation:
    title: Any
    form: type[forms.Form]
    run: Callable[[Any, Case, dict[str, Any]], Any]
    action: str = "edit"
    shown: Callable[[Any, Case], bool] = lambda user, case: case.is_open


def _plan(user: Any, case: Case, d: dict[str, Any]) -> Any:
    return s.case_submit_plan(actor=user, case=case, version=d["version"], plan=d["plan"])


OPERATIONS: dict[str, Operation] = {
    "edit": Operation(
        gettext_lazy("修改个案信息"),
        f.CaseEditForm,
        lambda u, c, d: s.case_update(
            actor=u,
            case=c,
            version=d["version"],
            category=d["category"],
            subcategory=d["subcategory"],
            minor_involved=d["minor_involved"],
            **({"summary": d["summary"]} if d["summary"] else {}),
        ),
    ),
    "assess": Operation(
        gettext_lazy("完成评估"),
        f.AssessForm,
        lambda u, c, d: s.case_assess(actor=u, case=c, version=d["version"], assessment=d["assessment"]),
        shown=lambda u, c: c.status == Status.REGISTERED,
    ),
    "plan": Operation(
        gettext_lazy("提交服务方案"),
        f.PlanForm,
        _plan,
        shown=lambda u, c: c.status == Status.ASSESSED and not c.pending,
    ),
    "decide": Operation(
        gettext_lazy("审批"),
        f.DecideForm,
        lambda u, c, d: s.case_decide(
            actor=u, case=c, version=d["version"], approve=d["decision"] == "approve", comment=d["comment"]
        ),
        action="view",
        shown=lambda u, c: bool(c.pending) and u.has_perm("fulian_cases.approve_case"),
    ),
    "advance": Operation(
        gettext_lazy("变更进度"),
        f.AdvanceForm,
        lambda u, c, d: s.case_advance(actor=u, case=c, version=d["version"], to=d["to"]),
        shown=lambda u, c: c.status in (Status.PLANNED, Status.IN_SERVICE, Status.FOLLOW_UP),
    ),
    "close": Operation(
        gettext_lazy("申请结案"),
        f.CloseForm,
        lambda u, c, d: s.case_request_close(actor=u, case=c, version=d["version"], reason=d["reason"]),
        action="close",
        shown=lambda u, c: c.status in s.MAY_ASK_TO_CLOSE and not c.pending,
    ),
    "reopen": Operation(
        gettext_lazy("重新开启"),
        f.ReasonForm,
        lambda u, c, d: s.case_reopen(actor=u, case=c, version=d["version"], reason=d["reason"]),
        action="close",
        shown=lambda u, c: c.status == Status.CLOSED,
    ),
    "assign": Operation(
        gettext_lazy("指定承办人"),
        f.AssignForm,
        lambda u, c, d: s.case_assign(actor=u, case=c, version=d["version"], caseworker=d["caseworker"]),
    ),
    "transfer": Operation(
        gettext_lazy("移交其他妇联"),
        f.TransferForm,
        lambda u, c, d: s.case_transfer(
            actor=u, case=c, version=d["version"], organisation=d["organisation"], reason=d["reason"]
        ),
    ),
}


def _available_actions(user: Any, case: Case) -> list[tuple[str, Any]]:
    edit = may(user, "edit", Case)
    shown = []
    for name, operation in OPERATIONS.items():
        if operation.action == "edit" and not edit:
            continue
        if operation.action == "close" and not may(user, "close", Case):
            continue
        if operation.shown(user, case):
            shown.append((name, operation.title))
    return shown


def _form_for(operation: Operation, request: HttpRequest, case: Case) -> forms.Form:
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {"version": case.version}
    if operation.form is f.CaseEditForm:
        initial.update(category=case.category, subcategory=case.subcategory, minor_involved=case.minor_involved)
    if operation.form is f.AssignForm:
        return f.AssignForm(data, case=case, initial={**initial, "caseworker": case.caseworker})
    if operation.form is f.TransferForm:
        return f.TransferForm(data, case=case, user=request.user, initial=initial)
    return operation.form(data, initial=initial)


def case_operation(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    operation = OPERATIONS.get(name)
    case = get_for_user(request.user, Case, pk, operation.action if operation else "view", audit=False)
    if operation is None or not operation.shown(request.user, case):
        messages.error(request, _("个案当前状态下不能进行该操作。"))
        return redirect("cases_case_detail", pk=pk)
    form = _form_for(operation, request, case)
    if request.method == "POST" and form.is_valid():
        try:
            operation.run(request.user, case, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except PermissionDenied:
            form.add_error(None, _("您没有进行该操作的权限。"))
        else:
            messages.success(request, _("已保存。"))
            return redirect("cases_case_detail", pk=pk)
    return render(
        request,
        "hotline/simple_form.html",
        {"form": form, "title": f"{case.number} · {operation.title}", "back": reverse("cases_case_detail", args=[pk])},
    )


# --- adding parts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    title: Any
    form: type[forms.Form]
    run: Callable[[Any, Case, dict[str, Any]], Any]


PARTS: dict[str, Part] = {
    "party": Part(gettext_lazy("添加当事人"), f.PartyForm, lambda u, c, d: s.party_add(actor=u, case=c, **d)),
    "incident": Part(gettext_lazy("记录事件"), f.IncidentForm, lambda u, c, d: s.incident_add(actor=u, case=c, **d)),
    "consent": Part(
        gettext_lazy("记录知情同意"),
        f.ConsentForm,
        lambda u, c, d: s.consent_record(
            actor=u,
            case=c,
            purpose=d["purpose"],
            given=d["given"] == "yes",
            given_by=d["given_by"],
            member_unit=d["member_unit"],
            guardian_name=d["guardian_name"],
        ),
    ),
    "service": Part(gettext_lazy("记录服务"), f.ServiceForm, lambda u, c, d: s.service_add(actor=u, case=c, **d)),
    "task": Part(gettext_lazy("新增待办"), f.TaskForm, lambda u, c, d: s.task_add(actor=u, case=c, **d)),
    "note": Part(gettext_lazy("添加工作记录"), f.NoteForm, lambda u, c, d: s.note_add(actor=u, case=c, **d)),
    "referral": Part(
        gettext_lazy("转介成员单位"), f.ReferralForm, lambda u, c, d: s.referral_send(actor=u, case=c, **d)
    ),
}


def case_part(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    part = PARTS.get(name)
    case = get_for_user(request.user, Case, pk, "edit", audit=False)
    if part is None or not case.is_open:
        messages.error(request, _("已结案的个案不能再添加内容。"))
        return redirect("cases_case_detail", pk=pk)
    form = part.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent, _result = submit_once(
            request.user, form, lambda data: part.run(request.user, case, data), denied=_("您没有进行该操作的权限。")
        )
        if sent is Sent.DUPLICATE:
            messages.info(request, _("该内容已经提交过，未重复保存。"))
            return redirect("cases_case_detail", pk=pk)
        if sent is Sent.DONE:
            messages.success(request, _("已保存。"))
            return redirect("cases_case_detail", pk=pk)
    intro = ""
    if name == "referral":
        intro = _(
            "转介前须有当事人（未满 14 周岁的由监护人）同意向该单位提供信息；没有同意时只有分管领导可以填写理由后转介，并记入审计。"
        )
    return render(
        request,
        "hotline/simple_form.html",
        {"form": form, "title": f"{case.number} · {part.title}", "intro": intro,
         "back": reverse("cases_case_detail", args=[pk])},
    )  # fmt: skip


@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = CaseTask.objects.select_related("case").filter(pk=pk).first()
    if task is None:
        raise Http404
    case = get_for_user(request.user, Case, task.case_id, "edit", audit=False)
    try:
        s.task_done(actor=request.user, task=task)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.POST.get("next") == "mywork":
        return redirect("cases_my_work")
    return redirect("cases_case_detail", pk=case.pk)


@require_POST
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    consent = Consent.objects.filter(pk=pk).first()
    if consent is None:
        raise Http404
    case = get_for_user(request.user, Case, consent.case_id, "edit", audit=False)
    s.consent_withdraw(actor=request.user, consent=consent)
    messages.success(request, _("已记录撤回同意。"))
    return redirect("cases_case_detail", pk=case.pk)


def referral_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    referral = Referral.objects.filter(pk=pk).first()
    if referral is None:
        raise Http404
    case = get_for_user(request.user, Case, referral.case_id, "edit", audit=False)
    form = f.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s.referral_withdraw(actor=request.user, referral=referral, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已撤回转介。"))
            return redirect("cases_case_detail", pk=case.pk)
    return render(
        request,
        "hotline/simple_form.html",
        {"form": form, "title": _("撤回转介"), "back": reverse("cases_case_detail", args=[case.pk])},
    )


def party_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a party: personal fields start empty (blank keeps the stored value, masked as a hint)."""
    party = Party.objects.filter(pk=pk).first()
    if party is None:
        raise Http404
    case = get_for_user(request.user, Case, party.case_id, "edit", audit=False)
    if not may_see_parties(request.user, case):
        raise Http404
    initial = {"role": party.role, "relationship": party.relationship, "sex": party.sex, "age": party.age}
    form = f.PartyForm(request.POST or None, initial=initial)
    for field, shown in party.masked().items():
        if shown:
            form.fields[field].widget.attrs["placeholder"] = shown
            form.fields[field].help_text = _("留空则保持不变")
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "once"}
        try:
            s.party_update(actor=request.user, party=party, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("cases_case_detail", pk=case.pk)
    return render(
        request,
        "hotline/simple_form.html",
        {
            "form": form,
            "title": f"{case.number} · {_('修改当事人')}",
            "back": reverse("cases_case_detail", args=[case.pk]),
        },
    )


@require_POST
def link_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a later contact to an existing case, found by its number among the cases the user may edit."""
    contact = get_for_user(request.user, Contact, pk, audit=False)
    number = request.POST.get("number", "").strip()[:40]
    case = visible(request.user, Case, "edit").filter(number=number).first() if number else None
    if case is None:
        messages.error(request, _("找不到该案号的个案（或您无权办理）。"))
        return redirect("hotline_contact_detail", pk=pk)
    try:
        s.case_link_contact(actor=request.user, case=case, contact=contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("hotline_contact_detail", pk=pk)
    messages.success(request, _("已关联到个案 %(number)s。") % {"number": case.number})
    return redirect("cases_case_detail", pk=case.pk)


PARTY_FIELDS = {"name": gettext_lazy("姓名"), "phone": gettext_lazy("电话"), "id_number": gettext_lazy("身份证号"),
                "address": gettext_lazy("住址")}  # fmt: skip


@require_POST
@fresh_login_required
def party_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    party = Party.objects.filter(pk=pk).first()
    if party is None:
        raise Http404
    case = get_for_user(request.user, Case, party.case_id, "reveal", audit=False)
    if not may_see_parties(request.user, case):
        raise Http404
    if field not in PARTY_FIELDS:
        return redirect("cases_case_detail", pk=case.pk)
    with transaction.atomic():
        audit_record(action="case.reveal", actor=request.user, target=case, detail={"party": party.pk, "field": field})
    return render(
        request,
        "security/reveal.html",
        {
            "label": f"{party.get_role_display()} · {PARTY_FIELDS[field]}",
            "value": getattr(party, field),
            "back": reverse("cases_case_detail", args=[case.pk]),
        },
    )


# --- referrals, as the member unit's liaison sees them ------------------------------------------------


def _liaison_only(user: Any) -> None:
    """These screens are the member unit's side; federation staff work referrals on the case page."""
    if not may(user, "view", Referral) or may(user, "view", Case):
        raise PermissionDenied


def referral_list(request: HttpRequest) -> HttpResponse:
    _liaison_only(request.user)
    status = request.GET.get("status", "")
    referrals = (
        visible(request.user, Referral).select_related("case", "organisation").defer(*CASE_DEFERRED, *REFERRAL_DEFERRED)
    )
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    page = CappedPaginator(referrals.order_by("-sent_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("p"))
    audit_list_read(actor=request.user, model=Referral, shown=list(page))
    return render(
        request,
        "cases/referral_list.html",
        {
            "page": page,
            "statuses": ReferralStatus.choices,
            "filters": {"status": status},
            "today": timezone.localdate(),
        },
    )


LIAISON_OPERATIONS: dict[str, tuple[Any, type[forms.Form]]] = {
    "accept": (gettext_lazy("接收"), f.Versioned),
    "reject": (gettext_lazy("退回"), f.RejectForm),
    "act": (gettext_lazy("记录办理情况"), f.ActionForm),
    "complete": (gettext_lazy("办结"), f.CompleteForm),
}


def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _liaison_only(request.user)
    referral = get_for_user(request.user, Referral, pk)
    forms_: dict[str, forms.Form] = {}
    if may(request.user, "edit", Referral):
        if referral.status == ReferralStatus.SENT:
            forms_ = {"accept": f.Versioned(initial={"version": referral.version}),
                      "reject": f.RejectForm(initial={"version": referral.version})}  # fmt: skip
        elif referral.status == ReferralStatus.ACCEPTED:
            forms_ = {"act": f.ActionForm(), "complete": f.CompleteForm(initial={"version": referral.version})}
    # A unit that has accepted a referral of a minor-protection case needs to know which child it
    # is acting for: the one place outside the case page where the child's name is shown.
    child_name = ""
    if referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.DONE) and is_restricted(referral.case):
        helped = referral.case.parties.filter(role=PartyRole.HELPED).order_by("pk").first()
        child_name = helped.name if helped is not None else ""
    return render(
        request,
        "cases/referral_detail.html",
        {"referral": referral, "forms": forms_, "labels": {k: v[0] for k, v in LIAISON_OPERATIONS.items()},
         "today": timezone.localdate(), "child_name": child_name},
    )  # fmt: skip


@require_POST
def referral_operation(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    referral = get_for_user(request.user, Referral, pk, "edit", audit=False)
    if name not in LIAISON_OPERATIONS:
        return redirect("cases_referral_detail", pk=pk)
    form = LIAISON_OPERATIONS[name][1](request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("cases_referral_detail", pk=pk)
    d = form.cleaned_data
    try:
        if name == "accept":
            s.referral_accept(actor=request.user, referral=referral, version=d["version"])
        elif name == "reject":
            s.referral_reject(actor=request.user, referral=referral, version=d["version"], reason=d["reason"])
        elif name == "act":
            if claim(request.user, d.get("once")):
                s.referral_act(actor=request.user, referral=referral, text=d["text"])
        else:
            s.referral_complete(actor=request.user, referral=referral, version=d["version"], result=d["result"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except EditConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, _("已保存。"))
    return redirect("cases_referral_detail", pk=pk)


# --- my work ------------------------------------------------------------------------------------------


def sees_my_work(user: Any) -> bool:
    """Casework staff, member units' liaisons, hotline operators, and the joint meeting's secretariat
    (its sections: overdue tasks, returns due)."""
    from fulian.jointmeeting.models import OVERSEE_PERMISSION

    return (
        may(user, "view", Case) or may(user, "view", Referral) or may(user, "create", Contact)
        or bool(user.has_perm(OVERSEE_PERMISSION))
    )  # fmt: skip


def my_work(request: HttpRequest) -> HttpResponse:
    """What needs this user now: their tasks, approvals, new and overdue referrals, the hotline queue."""
    user: Any = request.user
    if not sees_my_work(user):
        raise PermissionDenied
    today = timezone.localdate()
    context: dict[str, Any] = {"today": today}
    if may(user, "view", Case):
        cases = visible(user, Case)
        # Rows of a case in the user's scope, by a join on the case (not an IN over every visible case).
        in_scope = scope(user, Case, via="case__")
        open_referral = [ReferralStatus.SENT, ReferralStatus.ACCEPTED]
        context["tasks"] = list(
            CaseTask.objects.filter(in_scope, assignee=user, done_at__isnull=True)
            .select_related("case")
            .defer(*CASE_DEFERRED)
            .order_by("due_on")[:50]
        )
        context["my_cases"] = list(
            cases.filter(caseworker=user.pk).exclude(status=Status.CLOSED).defer(*LIST_DEFERRED).select_related("category")
            .order_by("-opened_at")[:20]
        )  # fmt: skip
        if user.has_perm("fulian_cases.approve_case"):
            context["approvals"] = list(
                cases.exclude(pending=Approval.NONE).defer(*LIST_DEFERRED).order_by("updated_at")[:50]
            )
            context["late_referrals"] = list(
                Referral.objects.filter(in_scope, status__in=open_referral, escalated_at__isnull=False)
                .select_related("case", "organisation")
                .defer(*CASE_DEFERRED, *REFERRAL_DEFERRED)
                .order_by("deadline")[:50]
            )
            context["late_tasks"] = list(
                CaseTask.objects.filter(in_scope, done_at__isnull=True, escalated_at__isnull=False)
                .select_related("case", "assignee")
                .defer(*CASE_DEFERRED)
                .order_by("due_on")[:50]
            )
    if may(user, "edit", Referral) and not may(user, "view", Case):
        context["incoming"] = list(
            visible(user, Referral)
            .filter(status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED])
            .select_related("case")
            .defer(*CASE_DEFERRED, *REFERRAL_DEFERRED)
            .order_by("deadline")[:50]
        )
    if may(user, "create", Contact):
        from fulian.hotline.services import queue

        context["queue"] = list(queue(user)[:20])
    context["home"] = organisation_of(user)
    context["panels"] = _panels("my_work_sections", request, today)
    return render(request, "cases/my_work.html", context)


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("", case_list, name="cases_case_list"),
        path("new/", case_create, name="cases_case_add"),
        path("export/", case_export, name="cases_case_export"),
        path("<int:pk>/", case_detail, name="cases_case_detail"),
        path("<int:pk>/do/<str:name>/", case_operation, name="cases_case_operation"),
        path("<int:pk>/add/<str:name>/", case_part, name="cases_case_part"),
        path("tasks/<int:pk>/done/", task_done, name="cases_task_done"),
        path("consents/<int:pk>/withdraw/", consent_withdraw, name="cases_consent_withdraw"),
        path("referrals/<int:pk>/withdraw/", referral_withdraw, name="cases_referral_withdraw"),
        path("parties/<int:pk>/reveal/<str:field>/", party_reveal, name="cases_party_reveal"),
        path("parties/<int:pk>/edit/", party_edit, name="cases_party_edit"),
        path("link-contact/<int:pk>/", link_contact, name="cases_link_contact"),
    ]


def referral_urls() -> list[Any]:
    from django.urls import path

    return [
        path("", referral_list, name="cases_referral_list"),
        path("<int:pk>/", referral_detail, name="cases_referral_detail"),
        path("<int:pk>/<str:name>/", referral_operation, name="cases_referral_operation"),
    ]
