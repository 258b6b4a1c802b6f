"""Staff screening in the back office: workers (masked, scoped), their checks and roles, re-checks due.

Every page reads workers through the access module; lists show masked names and are audited;
addresses carry record ids only, never personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fulian.audit.services import audit_list_read
from fulian.lib.forms import Sent, submit_once
from fulian.lib.paging import CappedPaginator
from fulian.screening.forms import RoleForm, ScreeningForm, WorkerForm
from fulian.screening.models import ChildrenRole, ChildrenWorker, Decision, Screening
from fulian.screening.services import (
    assignment_problem,
    due_screenings,
    remind_days,
    role_assign,
    role_end,
    screening_record,
    worker_register,
)
from fulian.security.access import get_for_user, may, visible
from fulian.security.identity import mask_name

PAGE_SIZE = 50
PERSONAL = ("name", "id_number", "phone")


def _with_current_check(workers: QuerySet[ChildrenWorker]) -> QuerySet[ChildrenWorker]:
    current = Screening.objects.filter(worker=OuterRef("pk"), current=True)
    return workers.annotate(
        checked_on=Subquery(current.values("checked_on")[:1]),
        next_check_on=Subquery(current.values("next_check_on")[:1]),
        decision=Subquery(current.values("decision")[:1]),
    )


def status_of(worker: Any, today: dt.date) -> str:
    """A worker's standing, from their current check (annotated by `_with_current_check`)."""
    if worker.checked_on is None:
        return _("未查询，不得上岗")
    if worker.decision != Decision.HIRE:
        return str(Decision(worker.decision).label)
    if worker.next_check_on < today:
        return _("已超过复查日期，须重新查询")
    if worker.next_check_on <= today + dt.timedelta(days=remind_days()):
        return _("复查即将到期")
    return _("可从事儿童相关工作")


def worker_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "view", ChildrenWorker):
        raise PermissionDenied
    today = timezone.localdate()
    workers = _with_current_check(
        visible(request.user, ChildrenWorker).select_related("organisation").defer("id_number", "phone")
    ).order_by("-created_at", "-pk")
    page = CappedPaginator(workers, PAGE_SIZE).get_page(request.GET.get("p"))
    shown = list(page)
    audit_list_read(actor=request.user, model=ChildrenWorker, shown=shown)
    return render(
        request,
        "screening/worker_list.html",
        {
            "page": page,
            "rows": [(worker, mask_name(worker.name), status_of(worker, today)) for worker in shown],
            "filters": {},
            "can_create": may(request.user, "create", ChildrenWorker),
        },
    )


def worker_create(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "create", ChildrenWorker):
        raise PermissionDenied
    form = WorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        sent, worker = submit_once(
            request.user, form, lambda data: worker_register(actor=request.user, **data),
            denied=_("您没有在该单位登记人员的权限。"),
        )  # fmt: skip
        if sent is Sent.DUPLICATE:
            messages.info(request, _("该人员已经提交过，未重复登记。"))
            return redirect("screening_worker_list")
        if sent is Sent.DONE:
            messages.success(request, _("已登记。下一步：取得本人书面授权后进行入职查询。"))
            return redirect("screening_worker_detail", pk=worker.pk)
    return render(
        request,
        "hotline/simple_form.html",
        {"form": form, "title": _("登记儿童之家工作人员或志愿者"), "back": reverse("screening_worker_list")},
    )


def worker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    worker = get_for_user(request.user, ChildrenWorker, pk)
    today = timezone.localdate()
    can_edit = may(request.user, "create", Screening) and may(request.user, "edit", ChildrenWorker)
    return render(
        request,
        "screening/worker_detail.html",
        {
            "worker": worker,
            "masked": worker.masked(),
            "screenings": list(worker.screenings.all()),
            "roles": list(worker.roles.all()),
            "problem": assignment_problem(worker, today),
            "today": today,
            "can_edit": can_edit,
        },
    )


def screening_create(request: HttpRequest, pk: int) -> HttpResponse:
    worker = get_for_user(request.user, ChildrenWorker, pk, "edit", audit=False)
    if not may(request.user, "create", Screening):
        raise PermissionDenied
    form = ScreeningForm(request.POST or None, initial={"checked_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        # The service gets the form's extra fields too (service_data), so it can refuse them.
        sent, _result = submit_once(
            request.user, form, lambda _data: screening_record(actor=request.user, worker=worker, **form.service_data()),
            denied=_("您没有进行该操作的权限。"),
        )  # fmt: skip
        if sent is Sent.DUPLICATE:
            messages.info(request, _("该查询结果已经提交过，未重复保存。"))
            return redirect("screening_worker_detail", pk=pk)
        if sent is Sent.DONE:
            messages.success(request, _("已记录入职查询。"))
            return redirect("screening_worker_detail", pk=pk)
    return render(
        request,
        "hotline/simple_form.html",
        {
            "form": form,
            "title": _("记录入职查询：%(name)s") % {"name": worker},
            "intro": _(
                "依据《未成年人保护法》第六十二条，查询须事先取得本人书面授权；查询结果只记录“有”或“无”相关违法犯罪记录，"
                "不记录任何其他细节。有相关记录的人员不得录用从事密切接触未成年人的工作。"
            ),
            "back": reverse("screening_worker_detail", args=[pk]),
        },
    )


def role_create(request: HttpRequest, pk: int) -> HttpResponse:
    worker = get_for_user(request.user, ChildrenWorker, pk, "edit", audit=False)
    if not may(request.user, "create", ChildrenRole):
        raise PermissionDenied
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent, _result = submit_once(
            request.user, form, lambda data: role_assign(actor=request.user, worker=worker, **data),
            denied=_("您没有进行该操作的权限。"),
        )  # fmt: skip
        if sent is Sent.DUPLICATE:
            messages.info(request, _("该岗位安排已经提交过，未重复保存。"))
            return redirect("screening_worker_detail", pk=pk)
        if sent is Sent.DONE:
            messages.success(request, _("已安排岗位。"))
            return redirect("screening_worker_detail", pk=pk)
    return render(
        request,
        "hotline/simple_form.html",
        {
            "form": form,
            "title": _("安排儿童相关岗位：%(name)s") % {"name": worker},
            "intro": _("只有最近一次入职查询结果为无相关违法犯罪记录、决定录用且未超过复查日期的人员才能上岗。"),
            "back": reverse("screening_worker_detail", args=[pk]),
        },
    )


@require_POST
def role_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_for_user(request.user, ChildrenRole, pk, "edit", audit=False)
    try:
        role_end(actor=request.user, role=role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已结束该岗位。"))
    return redirect("screening_worker_detail", pk=role.worker_id)


def _due(user: Any, today: Any) -> QuerySet[Screening]:
    """Re-checks due (or past) in the user's scope, soonest first, with the workers' names only."""
    return (
        due_screenings(today, visible(user, Screening))
        .select_related("worker", "organisation")
        .defer("worker__id_number", "worker__phone")
        .order_by("next_check_on", "pk")
    )


def due_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "view", ChildrenWorker):
        raise PermissionDenied
    today = timezone.localdate()
    page = CappedPaginator(_due(request.user, today), PAGE_SIZE).get_page(request.GET.get("p"))
    shown = list(page)
    audit_list_read(actor=request.user, model=ChildrenWorker, shown=[s.worker for s in shown], list="recheck_due")
    return render(
        request,
        "screening/due_list.html",
        {
            "page": page,
            "rows": [(s, mask_name(s.worker.name)) for s in shown],
            "filters": {},
            "today": today,
            "days": remind_days(),
        },
    )


def my_work_section(request: HttpRequest, today: Any) -> str | None:
    """The "my work" page's section: workers in the user's scope whose re-check is due (20 at most)."""
    user = request.user
    if not may(user, "view", ChildrenWorker):
        return None
    rows = list(_due(user, today)[:20])
    if rows:
        audit_list_read(actor=user, model=ChildrenWorker, shown=[s.worker for s in rows], list="my_work")
    return render_to_string(
        "screening/my_work_section.html",
        {"rows": [(s, mask_name(s.worker.name)) for s in rows], "today": today, "days": remind_days()},
        request=request,
    )


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("", worker_list, name="screening_worker_list"),
        path("new/", worker_create, name="screening_worker_add"),
        path("due/", due_list, name="screening_due_list"),
        path("<int:pk>/", worker_detail, name="screening_worker_detail"),
        path("<int:pk>/check/", screening_create, name="screening_record"),
        path("<int:pk>/role/", role_create, name="screening_role_assign"),
        path("roles/<int:pk>/end/", role_end_view, name="screening_role_end"),
    ]
