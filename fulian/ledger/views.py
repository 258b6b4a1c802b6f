"""The ledger in the back office: the list (masked, filtered), a family's page, registering and
editing families and members, recording a visit (made for a phone), changing the grade, opening a
case from what a visit found, and the overdue list. Ids only in addresses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.accounts.reauth import fresh_login_required
from fulian.audit.services import audit_list_read, audit_record
from fulian.files.services import attachment_add
from fulian.ledger import forms as f
from fulian.ledger import services as s
from fulian.ledger.models import Family, Member
from fulian.lib.forms import Sent, add_service_errors, submit_once
from fulian.lib.paging import CappedPaginator
from fulian.security.access import EditConflict, get_for_user, may, visible
from fulian.security.identity import mask_name, mask_text

PAGE_SIZE = 50
# Encrypted texts the list never shows: left unread, so a page decrypts only the names it displays.
LIST_DEFERRED = ("address", "grade_reason", "needs")
FORM = "hotline/simple_form.html"


def filtered(request: HttpRequest, form: f.FamilyFilterForm) -> tuple[QuerySet[Family], dict[str, str]]:
    """The families the user may see, narrowed by the list's filters."""
    families = visible(request.user, Family)
    filters: dict[str, str] = {}
    if form.is_valid():
        data = form.cleaned_data
        today = timezone.localdate()
        if data["grade"]:
            families = families.filter(grade=data["grade"])
        if data["type"]:
            families = families.filter(types=data["type"])
        if data["village"]:
            families = families.filter(organisation__path__startswith=data["village"].path)
        if data["overdue"]:
            families = families.filter(next_visit_on__lt=today)
        if data["mine"]:
            families = families.filter(cadre=request.user.pk)
        if data["never"]:
            families = families.filter(last_visit_on__isnull=True)
        filters = {k: request.GET.get(k, "") for k in form.fields if request.GET.get(k)}
    return families, filters


def family_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "view", Family):
        raise PermissionDenied
    form = f.FamilyFilterForm(request.GET or None)
    families, filters = filtered(request, form)
    families = (
        families.defer(*LIST_DEFERRED)
        .select_related("organisation", "grade", "cadre")
        .prefetch_related("types")
        .order_by("next_visit_on", "pk")
    )
    page = CappedPaginator(families, PAGE_SIZE).get_page(request.GET.get("p"))
    audit_list_read(actor=request.user, model=Family, shown=list(page))
    rows = [(family, mask_name(family.head_name)) for family in page]
    user: Any = request.user
    return render(
        request,
        "ledger/family_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filters": filters,
            "today": timezone.localdate(),
            "can_create": may(user, "create", Family),
            "can_export": may(user, "view", Family),
            "can_import": user.has_perm("fulian_ledger.import_family") or may(user, "create", Family),
        },
    )


def family_create(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "create", Family):
        raise PermissionDenied
    form = f.FamilyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        sent, family = submit_once(request.user, form, lambda data: s.family_create(actor=request.user, **data))
        if sent is Sent.DUPLICATE:
            messages.info(request, _("已经提交过，未重复保存。"))
            return redirect("ledger_family_list")
        if sent is Sent.DONE:
            messages.success(request, _("已建档：%(number)s。请继续添加家庭成员。") % {"number": family.number})
            return redirect("ledger_family_detail", pk=family.pk)
    return render(request, FORM, {"form": form, "title": _("重点家庭建档"), "back": reverse("ledger_family_list")})


def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    family = get_for_user(request.user, Family, pk)
    members = [(m, m.masked()) for m in family.members.all()]
    # Like a case's parties: masked on the page, the full value only by an audited reveal.
    masked = {"head_name": mask_name(family.head_name), "address": mask_text(family.address) if family.address else ""}
    today = timezone.localdate()
    can_edit = may(request.user, "edit", Family)
    return render(
        request,
        "ledger/family_detail.html",
        {
            "family": family,
            "masked": masked,
            "members": members,
            "types": family.types.all(),
            "visits": family.visits.select_related("recorded_by")[:50],
            "changes": family.grade_changes.select_related("from_grade", "to_grade", "by"),
            "cases": family.cases.all(),
            "today": today,
            "overdue": family.overdue(today),
            "can_edit": can_edit,
            "can_reveal": may(request.user, "reveal", Family),
        },
    )


def family_edit(request: HttpRequest, pk: int) -> HttpResponse:
    family = get_for_user(request.user, Family, pk, "edit", audit=False)
    initial = {"head_name": family.head_name, "address": family.address, "grid": family.grid,
               "cadre": family.cadre_id, "types": list(family.types.all()), "grade_reason": family.grade_reason,
               "needs": family.needs, "version": family.version}  # fmt: skip
    form = f.FamilyEditForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            s.family_update(actor=request.user, family=family, version=version, **data)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("ledger_family_detail", pk=family.pk)
    return render(request, FORM, {"form": form, "title": f"{family.number} · {_('修改')}", "back": _back(family)})


def _back(family: Family) -> str:
    return reverse("ledger_family_detail", args=[family.pk])


def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    family = get_for_user(request.user, Family, pk, "edit", audit=False)
    form = f.MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent, _member = submit_once(
            request.user, form, lambda data: s.member_add(actor=request.user, family=family, **data)
        )
        if sent is Sent.DUPLICATE:
            messages.info(request, _("已经提交过，未重复保存。"))
            return redirect(_back(family))
        if sent is Sent.DONE:
            messages.success(request, _("已添加家庭成员。"))
            return redirect(_back(family))
    return render(
        request, FORM, {"form": form, "title": f"{family.number} · {_('添加家庭成员')}", "back": _back(family)}
    )


def _member(request: HttpRequest, pk: int, action: str) -> Member:
    member = Member.objects.filter(pk=pk).first()
    if member is None:
        raise Http404
    member.family = get_for_user(request.user, Family, member.family_id, action, audit=False)
    return member


def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Personal fields start empty (blank keeps the stored value; the masked value is the hint)."""
    member = _member(request, pk, "edit")
    form = f.MemberForm(
        request.POST or None,
        initial={"sex": member.sex, "birth_date": member.birth_date, "relationship": member.relationship},
    )
    del form.fields["confirm_same_person"], form.fields["once"]
    for field, shown in member.masked().items():
        if shown:
            form.fields[field].widget.attrs["placeholder"] = shown
            form.fields[field].help_text = _("留空则保持不变")
    if request.method == "POST" and form.is_valid():
        try:
            s.member_update(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_back(member.family))
    return render(request, FORM, {"form": form, "title": _("修改家庭成员"), "back": _back(member.family)})


FAMILY_FIELDS = {"head_name": "户主姓名", "address": "住址"}


@require_POST
@fresh_login_required
def family_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponseBase:
    family = get_for_user(request.user, Family, pk, "reveal", audit=False)
    if field not in FAMILY_FIELDS:
        return redirect(_back(family))
    with transaction.atomic():
        audit_record(action="family.reveal", actor=request.user, target=family, detail={"field": field})
    return render(
        request,
        "security/reveal.html",
        {
            "label": f"{family.number} · {_(FAMILY_FIELDS[field])}",
            "value": getattr(family, field),
            "back": _back(family),
        },
    )


MEMBER_FIELDS = {"name": "姓名", "id_number": "身份证号", "phone": "电话", "school_or_work": "就学或就业",
                 "health": "健康与残疾情况"}  # fmt: skip


@require_POST
@fresh_login_required
def member_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponseBase:
    member = _member(request, pk, "reveal")
    if field not in MEMBER_FIELDS:
        return redirect(_back(member.family))
    with transaction.atomic():
        audit_record(action="family.reveal", actor=request.user, target=member.family,
                     detail={"member": member.pk, "field": field})  # fmt: skip
    return render(
        request,
        "security/reveal.html",
        {"label": f"{member.get_relationship_display()} · {_(MEMBER_FIELDS[field])}",
         "value": getattr(member, field), "back": _back(member.family)},
    )  # fmt: skip


def grade_edit(request: HttpRequest, pk: int) -> HttpResponse:
    family = get_for_user(request.user, Family, pk, "edit", audit=False)
    form = f.GradeForm(request.POST or None, initial={"version": family.version, "grade": family.grade})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            prompt = s.grade_change(actor=request.user, family=family, version=data["version"], grade=data["grade"],
                                    reason=data["reason"])  # fmt: skip
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已调整风险等级。"))
            return redirect("ledger_family_case", pk=family.pk) if prompt else redirect(_back(family))
    return render(
        request, FORM, {"form": form, "title": f"{family.number} · {_('调整风险等级')}", "back": _back(family)}
    )


def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    family = get_for_user(request.user, Family, pk, "edit", audit=False)
    user: Any = request.user
    form = f.VisitForm(
        request.POST or None,
        request.FILES or None,
        initial={"visited_on": timezone.localdate(), "method": "home", "grade": family.grade,
                 "visitors": user.get_full_name() or user.get_username()},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():

        @transaction.atomic
        def record(data: dict[str, Any]) -> s.VisitResult:
            # The visit and its photo are saved together or not at all (a bad photo loses nothing
            # else: the form comes back filled in).
            photo = data.pop("photo")
            result = s.visit_record(actor=request.user, family=family, **data)
            if photo:
                attachment_add(actor=request.user, record=family, filename=photo.name or "", data=photo.read())
            return result

        sent, result = submit_once(request.user, form, record)
        if sent is Sent.DUPLICATE:
            messages.info(request, _("已经提交过，未重复保存。"))
            return redirect(_back(family))
        if sent is Sent.DONE:
            messages.success(request, _("已记录走访。"))
            return redirect("ledger_family_case", pk=family.pk) if result.prompt_case else redirect(_back(family))
    return render(request, "ledger/visit_form.html", {"form": form, "family": family, "back": _back(family)})


def family_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The prompt after a visit found violence or a child in danger, or the family was raised to red:
    open a case now (or go back)."""
    family = get_for_user(request.user, Family, pk, "edit", audit=False)
    from fulian.cases.models import Case
    from fulian.hotline.models import Category

    if not may(request.user, "create", Case):
        messages.warning(request, _("请报告上级妇联立案处理。"))
        return redirect(_back(family))
    form = f.CaseFromFamilyForm(request.POST or None, family=family)
    if request.method == "POST" and form.is_valid():
        sent, case = submit_once(
            request.user, form,
            lambda data: s.family_open_case(
                actor=request.user, family=family, member=data["member"], summary=data["summary"],
                category=Category.objects.filter(pk=data["category"], parent=None).first(),
            ),
        )  # fmt: skip
        if sent is Sent.DUPLICATE:
            return redirect(_back(family))
        if sent is Sent.DONE:
            messages.success(request, _("已立案：%(number)s") % {"number": case.number})
            return redirect("cases_case_detail", pk=case.pk)
    return render(
        request,
        FORM,
        {"form": form, "title": f"{family.number} · {_('立案')}", "back": _back(family), "submit_label": _("立案"),
         "intro": _("走访发现家庭暴力、儿童处于危险，或家庭被调为红色等级：建议立即立案，由维权干部跟进。")},
    )  # fmt: skip


def overdue_list(request: HttpRequest) -> HttpResponse:
    """Families past their visit: a cadre's own first; supervisors see their whole scope."""
    if not may(request.user, "view", Family):
        raise PermissionDenied
    mine = request.GET.get("all") != "1"
    families = (
        s.overdue_families(request.user, mine=mine)
        .defer(*LIST_DEFERRED)
        .select_related("organisation", "grade", "cadre")
    )
    page = CappedPaginator(families, PAGE_SIZE).get_page(request.GET.get("p"))
    audit_list_read(actor=request.user, model=Family, shown=list(page), overdue=True)
    today = timezone.localdate()
    rows = [(fam, mask_name(fam.head_name), (today - fam.next_visit_on).days) for fam in page]
    return render(request, "ledger/overdue_list.html", {"page": page, "rows": rows, "mine": mine, "today": today})


def my_work_section(request: HttpRequest, today: dt.date) -> str | None:
    """我的工作: the families this user looks after whose visit is overdue."""
    user: Any = request.user
    if not may(user, "view", Family):
        return None
    families = list(
        s.overdue_families(user, today=today, mine=True)
        .select_related("grade")
        .only("pk", "number", "next_visit_on", "grade__name", "grade__colour", "organisation_id")[:20]
    )
    if not families:
        return None
    return render_to_string("ledger/my_work.html", {"families": families, "today": today}, request=request)


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("", family_list, name="ledger_family_list"),
        path("new/", family_create, name="ledger_family_add"),
        path("overdue/", overdue_list, name="ledger_overdue"),
        path("<int:pk>/", family_detail, name="ledger_family_detail"),
        path("<int:pk>/edit/", family_edit, name="ledger_family_edit"),
        path("<int:pk>/grade/", grade_edit, name="ledger_family_grade"),
        path("<int:pk>/visit/", visit_add, name="ledger_visit_add"),
        path("<int:pk>/case/", family_case, name="ledger_family_case"),
        path("<int:pk>/members/new/", member_add, name="ledger_member_add"),
        path("<int:pk>/reveal/<str:field>/", family_reveal, name="ledger_family_reveal"),
        path("members/<int:pk>/edit/", member_edit, name="ledger_member_edit"),
        path("members/<int:pk>/reveal/<str:field>/", member_reveal, name="ledger_member_reveal"),
    ]
