"""The joint meeting in the back office: the body's overview; meetings (secretariat only) with
attendance, documents, decisions and minutes; tasks from decisions, the liaisons' progress reports
and the secretariat's closing of them; the 我的工作 sections. Ids only in addresses; every record
by id through `get_for_user` (missing and forbidden both 404)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fulian.jointmeeting import forms as f
from fulian.jointmeeting import selectors as q
from fulian.jointmeeting import services as s
from fulian.jointmeeting.models import Decision, Meeting, MeetingStatus, Task, TaskStatus
from fulian.lib.forms import Sent, add_service_errors, submit_once
from fulian.lib.paging import CappedPaginator
from fulian.security.access import EditConflict, get_for_user, may, organisation_of

PAGE_SIZE = 50
FORM = "hotline/simple_form.html"
DUPLICATE = gettext_lazy("已经提交过，未重复保存。")
DENIED = gettext_lazy("您没有进行该操作的权限。")


def _valid(request: HttpRequest, form: forms.Form) -> bool:
    """A sent form that is valid. A tampered hidden field (the version) gets a message above the
    form: the page shows only visible fields' errors beside them."""
    if request.method != "POST":
        return False
    if form.is_valid():
        return True
    if any(form[name].errors for name in form.fields if form[name].is_hidden):
        form.add_error(None, _("请求无效，请刷新页面后重试。"))
    return False


def _filters(request: HttpRequest, form: forms.Form) -> dict[str, str]:
    return {k: request.GET.get(k, "") for k in form.fields if request.GET.get(k)}


# --- the body -------------------------------------------------------------------------------------


def overview(request: HttpRequest) -> HttpResponse:
    """联席会议概况: member units, their liaisons (names only), officers, mechanisms."""
    user: Any = request.user
    if not q.sees_body(user):
        raise PermissionDenied
    context = q.body_overview()
    context["can_manage"] = user.has_perm("fulian_jointmeeting.change_memberunit")
    return render(request, "jointmeeting/overview.html", context)


# --- meetings -------------------------------------------------------------------------------------


def meeting_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "view", Meeting):
        raise PermissionDenied
    form = f.MeetingFilterForm(request.GET or None)
    year, kind, filters = None, "", {}
    if form.is_valid():
        year, kind = form.cleaned_data["year"], form.cleaned_data["kind"]
        filters = _filters(request, form)
    meetings = q.meetings_for(request.user, year=year, kind=kind).defer("agenda", "minutes")
    page = CappedPaginator(meetings, PAGE_SIZE).get_page(request.GET.get("p"))
    return render(
        request,
        "jointmeeting/meeting_list.html",
        {"form": form, "page": page, "filters": filters, "can_create": may(request.user, "create", Meeting)},
    )


def meeting_create(request: HttpRequest) -> HttpResponse:
    if not may(request.user, "create", Meeting):
        raise PermissionDenied
    form = f.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent, meeting = submit_once(
            request.user, form, lambda data: s.meeting_create(actor=request.user, **data), denied=str(DENIED)
        )
        if sent is Sent.DUPLICATE:
            messages.info(request, str(DUPLICATE))
            return redirect("jm_meeting_list")
        if sent is Sent.DONE:
            messages.success(request, _("已登记会议。"))
            return redirect("jm_meeting_detail", pk=meeting.pk)
    return render(request, FORM, {"form": form, "title": _("登记会议"), "back": reverse("jm_meeting_list")})


def _meeting_back(meeting: Meeting) -> str:
    return reverse("jm_meeting_detail", args=[meeting.pk])


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request.user, Meeting, pk)
    decisions = list(meeting.decisions.all())
    tasks = (
        q.with_latest_report(Task.objects.filter(decision__meeting=meeting))
        .select_related("unit__organisation")
        .order_by("decision__number", "unit__order", "pk")
    )
    by_decision: dict[int, list[Task]] = {}
    for task in tasks:
        by_decision.setdefault(task.decision_id, []).append(task)
    can_edit = may(request.user, "edit", Meeting)
    final = meeting.status == MeetingStatus.MINUTES_FINAL
    return render(
        request,
        "jointmeeting/meeting_detail.html",
        {
            "meeting": meeting,
            "attendance": q.attendance_rows(meeting),
            "decisions": [(d, by_decision.get(d.pk, [])) for d in decisions],
            "can_edit": can_edit,
            "final": final,
            "can_assign": can_edit and may(request.user, "create", Task),
            "decision_form": f.DecisionForm() if can_edit and not final else None,
            "today": timezone.localdate(),
        },
    )


def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request.user, Meeting, pk, "edit", audit=False)
    initial = {"kind": meeting.kind, "title": meeting.title, "held_at": timezone.localtime(meeting.held_at),
               "place": meeting.place, "chaired_by": meeting.chaired_by, "agenda": meeting.agenda,
               "minutes": meeting.minutes, "version": meeting.version}  # fmt: skip
    form = f.MeetingEditForm(request.POST or None, initial=initial)
    if meeting.status == MeetingStatus.MINUTES_FINAL:
        # Shown, not editable: the service refuses a change anyway.
        for name in ("agenda", "minutes"):
            form.fields[name].disabled = True
            form.fields[name].help_text = _("纪要已定稿，不能修改。")
    if _valid(request, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            s.meeting_update(actor=request.user, meeting=meeting, version=version, **data)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_meeting_back(meeting))
    return render(
        request, FORM, {"form": form, "title": f"{meeting.title} · {_('修改')}", "back": _meeting_back(meeting)}
    )


def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request.user, Meeting, pk, "edit", audit=False)
    if meeting.status == MeetingStatus.MINUTES_FINAL:
        messages.error(request, str(s.MINUTES_FINAL))
        return redirect(_meeting_back(meeting))
    form = f.AttendanceForm(request.POST or None, rows=q.attendance_rows(meeting), initial={"version": meeting.version})
    if _valid(request, form):
        try:
            s.meeting_set_attendance(
                actor=request.user, meeting=meeting, version=form.cleaned_data["version"], rows=form.entries()
            )
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存出席情况。"))
            return redirect(_meeting_back(meeting))
    return render(
        request, "jointmeeting/attendance_form.html", {"form": form, "meeting": meeting, "back": _meeting_back(meeting)}
    )


@require_POST
def decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request.user, Meeting, pk, "edit", audit=False)
    form = f.DecisionForm(request.POST)
    if form.is_valid():
        sent, decision = submit_once(
            request.user, form, lambda data: s.decision_add(actor=request.user, meeting=meeting, **data)
        )
        if sent is Sent.DUPLICATE:
            messages.info(request, str(DUPLICATE))
        elif sent is Sent.DONE:
            messages.success(request, _("已添加议定事项 %(n)s。") % {"n": decision.number})
            return redirect(_meeting_back(meeting))
    if form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_meeting_back(meeting))


STATUS_STEPS: dict[str, tuple[Callable[..., Meeting], Any]] = {
    "held": (s.meeting_mark_held, gettext_lazy("已标记为已召开。")),
    "final": (s.meeting_finalise, gettext_lazy("会议纪要已定稿。")),
}


@require_POST
def meeting_status(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Mark the meeting held, or make its minutes final."""
    meeting = get_for_user(request.user, Meeting, pk, "edit", audit=False)
    step = STATUS_STEPS.get(name)
    form = f.VersionForm(request.POST)
    if step is None or not form.is_valid():
        messages.error(request, _("请求无效，请刷新页面后重试。"))
        return redirect(_meeting_back(meeting))
    run, done = step
    try:
        run(actor=request.user, meeting=meeting, version=form.cleaned_data["version"])
    except EditConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(done))
    return redirect(_meeting_back(meeting))


# --- tasks ----------------------------------------------------------------------------------------


def _decision_for(request: HttpRequest, pk: int) -> Decision:
    """A decision, through its meeting's access check (missing and forbidden both 404)."""
    decision = Decision.objects.filter(pk=pk).first()
    if decision is None:
        raise Http404
    decision.meeting = get_for_user(request.user, Meeting, decision.meeting_id, "edit", audit=False)
    return decision


def task_assign(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_for(request, pk)
    if not may(request.user, "create", Task):
        raise PermissionDenied
    meeting = decision.meeting
    form = f.TaskAssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent, tasks = submit_once(
            request.user, form, lambda data: s.task_assign(actor=request.user, decision=decision, **data),
            denied=str(DENIED),
        )  # fmt: skip
        if sent is Sent.DUPLICATE:
            messages.info(request, str(DUPLICATE))
            return redirect(_meeting_back(meeting))
        if sent is Sent.DONE:
            messages.success(request, _("已向 %(n)s 个单位交办任务。") % {"n": len(tasks)})
            return redirect(_meeting_back(meeting))
    return render(
        request,
        FORM,
        {
            "form": form,
            "title": f"{meeting.title} · {_('交办任务')}",
            "intro": f"{decision.number}. {decision.text}",
            "back": _meeting_back(meeting),
            "submit_label": _("交办"),
        },
    )


def task_list(request: HttpRequest) -> HttpResponse:
    """The secretariat: every unit's tasks; a liaison: their unit's only (the scope decides)."""
    user: Any = request.user
    if not may(user, "view", Task):
        raise PermissionDenied
    form = f.TaskFilterForm(request.GET or None)
    data: dict[str, Any] = {"unit": None, "status": "", "overdue": False}
    filters: dict[str, str] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = _filters(request, form)
    today = timezone.localdate()
    tasks = q.with_latest_report(q.tasks_for(user, **data, today=today)).defer("detail")
    page = CappedPaginator(tasks, PAGE_SIZE).get_page(request.GET.get("p"))
    return render(
        request,
        "jointmeeting/task_list.html",
        {"form": form, "page": page, "filters": filters, "today": today, "oversees": q.oversees(user)},
    )


def _task_back(task: Task) -> str:
    return reverse("jm_task_detail", args=[task.pk])


def _reports_for(user: Any, task: Task) -> bool:
    """Whether the progress form is offered: the unit's own staff who may edit, on an open task."""
    home = organisation_of(user)
    return (
        task.status == TaskStatus.OPEN
        and home is not None
        and home.pk == task.organisation_id
        and may(user, "edit", Task)
    )


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_for_user(request.user, Task, pk)
    user: Any = request.user
    today = timezone.localdate()
    meeting = task.decision.meeting
    return render(
        request,
        "jointmeeting/task_detail.html",
        {
            "task": task,
            "decision": task.decision,
            "meeting": meeting,
            "can_view_meeting": may(user, "view", Meeting),
            "progress": task.progress.select_related("reported_by"),
            "progress_form": f.ProgressForm() if _reports_for(user, task) else None,
            "operations": [(n, o.title) for n, o in OPERATIONS.items() if o.shown(user, task)],
            "overdue": task.status == TaskStatus.OPEN and task.due_on < today,
        },
    )


def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """A liaison reports progress on their unit's task (another unit's task is 404: out of scope)."""
    task = get_for_user(request.user, Task, pk, "edit", audit=False)
    form = f.ProgressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent, _progress = submit_once(
            request.user, form, lambda data: s.task_report_progress(actor=request.user, task=task, **data),
            denied=str(DENIED),
        )  # fmt: skip
        if sent is Sent.DUPLICATE:
            messages.info(request, str(DUPLICATE))
            return redirect(_task_back(task))
        if sent is Sent.DONE:
            messages.success(request, _("已报送进展。"))
            return redirect(_task_back(task))
    return render(
        request,
        FORM,
        {"form": form, "title": f"{task.title} · {_('报送进展')}", "back": _task_back(task),
         "submit_label": _("报送")},
    )  # fmt: skip


@dataclass(frozen=True)
class Operation:
    """One of the secretariat's actions on a task: its form and its service."""

    title: Any
    form: type[f.VersionForm]
    run: Callable[[Any, Task, dict[str, Any]], Any]
    shown: Callable[[Any, Task], bool]


def _overseer_on(open_: bool) -> Callable[[Any, Task], bool]:
    return lambda user, task: q.oversees(user) and (task.status == TaskStatus.OPEN) is open_


OPERATIONS: dict[str, Operation] = {
    "close": Operation(
        gettext_lazy("办结"), f.TaskCloseForm,
        lambda u, t, d: s.task_close(actor=u, task=t, version=d["version"], note=d["note"]), _overseer_on(True),
    ),
    "due": Operation(
        gettext_lazy("调整期限"), f.TaskDueForm,
        lambda u, t, d: s.task_change_due(actor=u, task=t, version=d["version"], due_on=d["due_on"],
                                          reason=d["reason"]),
        _overseer_on(True),
    ),
    "cancel": Operation(
        gettext_lazy("撤销"), f.TaskReasonForm,
        lambda u, t, d: s.task_cancel(actor=u, task=t, version=d["version"], reason=d["reason"]), _overseer_on(True),
    ),
    "reopen": Operation(
        gettext_lazy("重新交办"), f.TaskReasonForm,
        lambda u, t, d: s.task_reopen(actor=u, task=t, version=d["version"], reason=d["reason"]),
        _overseer_on(False),
    ),
}  # fmt: skip


def task_operation(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    task = get_for_user(request.user, Task, pk, "close", audit=False)
    operation = OPERATIONS.get(name)
    if operation is None or not operation.shown(request.user, task):
        messages.error(request, _("任务当前状态下不能进行该操作。"))
        return redirect(_task_back(task))
    initial: dict[str, Any] = {"version": task.version}
    if name == "due":
        initial["due_on"] = task.due_on
    form = operation.form(request.POST or None, initial=initial)
    if _valid(request, form):
        try:
            operation.run(request.user, task, form.cleaned_data)
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            form.add_error(None, str(DENIED))
        else:
            messages.success(request, _("已保存。"))
            return redirect(_task_back(task))
    return render(request, FORM, {"form": form, "title": f"{task.title} · {operation.title}", "back": _task_back(task)})


# --- 我的工作 ---------------------------------------------------------------------------------------


def my_work_section(request: HttpRequest, today: dt.date) -> str | None:
    """The secretariat: overdue tasks raised to it and tasks awaiting closure. A liaison: the unit's
    open tasks with their deadlines, overdue ones marked."""
    user: Any = request.user
    if not may(user, "view", Task):
        return None
    if q.oversees(user):
        escalated = list(q.escalated_tasks(user).defer("detail")[:50])
        awaiting = list(q.awaiting_closure(user).defer("detail")[:50])
        if not (escalated or awaiting):
            return None
        context: dict[str, Any] = {"escalated": escalated, "awaiting": awaiting}
    else:
        mine = list(q.unit_open_tasks(user).defer("detail")[:50])
        if not mine:
            return None
        context = {"mine": mine}
    context["today"] = today
    return render_to_string("jointmeeting/my_work.html", context, request=request)


def urls() -> list[Any]:
    from django.urls import path

    return [
        path("", overview, name="jm_overview"),
        path("meetings/", meeting_list, name="jm_meeting_list"),
        path("meetings/new/", meeting_create, name="jm_meeting_add"),
        path("meetings/<int:pk>/", meeting_detail, name="jm_meeting_detail"),
        path("meetings/<int:pk>/edit/", meeting_edit, name="jm_meeting_edit"),
        path("meetings/<int:pk>/attendance/", meeting_attendance, name="jm_meeting_attendance"),
        path("meetings/<int:pk>/decisions/", decision_add, name="jm_decision_add"),
        path("meetings/<int:pk>/status/<str:name>/", meeting_status, name="jm_meeting_status"),
        path("decisions/<int:pk>/assign/", task_assign, name="jm_task_assign"),
        path("tasks/", task_list, name="jm_task_list"),
        path("tasks/<int:pk>/", task_detail, name="jm_task_detail"),
        path("tasks/<int:pk>/progress/", task_progress, name="jm_task_progress"),
        path("tasks/<int:pk>/do/<str:name>/", task_operation, name="jm_task_operation"),
    ]
