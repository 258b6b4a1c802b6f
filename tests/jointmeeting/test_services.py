"""The joint meeting's rules, through its services: the body, meetings and minutes, tasks for
member units only, progress by the unit's own liaison only, the secretariat's actions, and overdue
tasks raised once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.jointmeeting import selectors as q
from fulian.jointmeeting import services as s
from fulian.jointmeeting.models import (
    Attendance,
    Mechanism,
    Meeting,
    MemberRole,
    MemberUnit,
    Officer,
    Task,
    TaskProgress,
)
from fulian.security.access import EditConflict, get_for_user, visible
from tests.factories import make_staff
from tests.jointmeeting.conftest import days_ago

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


# --- the body ---------------------------------------------------------------------------------------


def test_a_member_unit_is_a_member_organisation_or_the_federation(jm, owner):
    county = MemberUnit(organisation=jm["county"])
    with pytest.raises(ValidationError) as error:
        s.member_unit_save(actor=owner, unit=county)
    assert "成员单位应是" in _messages(error)
    with pytest.raises(ValidationError) as error:
        s.member_unit_save(actor=owner, unit=MemberUnit(organisation=jm["civil_affairs"], role=MemberRole.SECRETARIAT))
    assert "联席会议办公室设在市妇联" in _messages(error)
    with pytest.raises(ValidationError) as error:
        s.member_unit_save(actor=owner, unit=MemberUnit(organisation=jm["civil_affairs"], report_sectors=["casino"]))
    assert "无法识别" in _messages(error)
    mechanism = Mechanism.objects.order_by("pk")[0]
    unit = s.member_unit_save(
        actor=owner, unit=MemberUnit(organisation=jm["civil_affairs"], report_sectors=["welfare", "welfare"], order=3),
        mechanisms=[mechanism],
    )  # fmt: skip
    assert unit.report_sectors == ["welfare"]
    assert list(unit.mechanisms.all()) == [mechanism]
    assert AuditEvent.objects.filter(action="jm.unit.save", target_id=str(unit.pk), actor_id=owner.pk).exists()


def test_only_the_secretariat_configures_the_body(jm, colleague):
    with pytest.raises(PermissionDenied):
        s.member_unit_save(actor=colleague, unit=MemberUnit(organisation=jm["civil_affairs"]))
    with pytest.raises(PermissionDenied):
        s.officer_save(actor=colleague, officer=Officer(post="chair", name="张三", title="副市长"))
    with pytest.raises(PermissionDenied):
        s.mechanism_save(actor=colleague, mechanism=Mechanism(name="新机制"))


def test_officers_and_mechanisms_are_checked_and_audited(jm, owner):
    with pytest.raises(ValidationError) as error:
        s.officer_save(actor=owner, officer=Officer(post="king", name=" ", title=""))
    assert set(error.value.message_dict) == {"post", "name", "title"}
    officer = s.officer_save(actor=owner, officer=Officer(post="chair", name="王  芳", title="副市长"))
    assert officer.name == "王 芳"
    with pytest.raises(ValidationError) as error:
        s.mechanism_save(actor=owner, mechanism=Mechanism(name="强制报告机制"))
    assert "同名" in _messages(error)
    s.mechanism_save(actor=owner, mechanism=Mechanism(name="联合督查机制"))
    assert AuditEvent.objects.filter(action__in=["jm.officer.save", "jm.mechanism.save"]).count() == 2


def test_the_overview_names_each_units_liaisons_and_nothing_else(jm, owner):
    make_staff("police_caseworker", jm["police"], "caseworker")  # not a liaison: not listed
    gone = make_staff("police_old_liaison", jm["police"], "liaison")
    gone.is_active = False
    gone.save()
    overview = q.body_overview()
    rows = {row.unit.organisation.name: row.liaisons for row in overview["units"]}
    assert rows == {"铜陵市妇联": [], "市公安局": ["police_liaison"], "市教育体育局": ["education_liaison"]}
    assert overview["mechanisms"][0].name == "强制报告机制"


# --- meetings ---------------------------------------------------------------------------------------


def test_a_meeting_belongs_to_the_secretariat_and_only_it_may_hold_one(jm, owner, colleague, meeting):
    assert meeting.organisation == jm["city"]
    assert AuditEvent.objects.filter(action="jm.meeting.create", target_id=str(meeting.pk)).exists()
    with pytest.raises(PermissionDenied):
        s.meeting_create(actor=colleague, kind="task", title="某会", held_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        s.meeting_create(actor=owner, kind="party", title="  ", held_at=None)  # type: ignore[arg-type]
    assert set(error.value.message_dict) == {"kind", "title", "held_at"}


def test_liaisons_never_see_meetings(meeting, colleague, outsider, owner):
    assert not visible(colleague, Meeting).exists()
    assert not visible(outsider, Meeting).exists()
    with pytest.raises(Http404):
        get_for_user(colleague, Meeting, meeting.pk)
    assert visible(owner, Meeting).get() == meeting


def test_a_stale_meeting_edit_is_refused(owner, meeting):
    data = {"kind": "plenary", "title": "新名称", "held_at": meeting.held_at, "agenda": meeting.agenda}
    s.meeting_update(actor=owner, meeting=meeting, version=1, **data)
    with pytest.raises(EditConflict):
        s.meeting_update(actor=owner, meeting=Meeting.objects.get(pk=meeting.pk), version=1, **data)
    assert Meeting.objects.get(pk=meeting.pk).version == 2


def test_attendance_one_row_per_unit(jm, owner, meeting):
    rows = [(jm["police_unit"], "present", "王某（副局长）"), (jm["education_unit"], "leave", ""),
            (jm["secretariat_unit"], "", "")]  # fmt: skip
    kept = s.meeting_set_attendance(actor=owner, meeting=meeting, version=meeting.version, rows=rows)
    assert {(a.unit_id, a.status) for a in kept} == {
        (jm["police_unit"].pk, "present"),
        (jm["education_unit"].pk, "leave"),
    }
    s.meeting_set_attendance(actor=owner, meeting=meeting, version=meeting.version,
                             rows=[(jm["education_unit"], "", "")])  # fmt: skip
    assert list(Attendance.objects.values_list("unit_id", flat=True)) == [jm["police_unit"].pk]
    with pytest.raises(ValidationError) as error:
        s.meeting_set_attendance(actor=owner, meeting=meeting, version=meeting.version,
                                 rows=[(jm["police_unit"], "asleep", "")])  # fmt: skip
    assert "出席情况无效" in _messages(error)
    outsider_unit = MemberUnit.objects.create(organisation=jm["civil_affairs"], active=False)
    with pytest.raises(ValidationError) as error:
        s.meeting_set_attendance(actor=owner, meeting=meeting, version=meeting.version,
                                 rows=[(outsider_unit, "present", "")])  # fmt: skip
    assert "不是联席会议成员单位" in _messages(error)
    with pytest.raises(EditConflict):
        s.meeting_set_attendance(actor=owner, meeting=meeting, version=1, rows=[])


def test_decisions_are_numbered_in_order(owner, meeting):
    first = s.decision_add(actor=owner, meeting=meeting, text="第一项")
    second = s.decision_add(actor=owner, meeting=meeting, text="第二项")
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(ValidationError):
        s.decision_add(actor=owner, meeting=meeting, text="   ")


def test_held_then_final_and_final_minutes_refuse_edits(jm, owner, meeting):
    with pytest.raises(ValidationError) as error:
        s.meeting_finalise(actor=owner, meeting=meeting, version=meeting.version)
    assert "会议召开后" in _messages(error)
    s.meeting_mark_held(actor=owner, meeting=meeting, version=meeting.version)
    with pytest.raises(ValidationError) as error:
        s.meeting_finalise(actor=owner, meeting=meeting, version=meeting.version)
    assert "请先填写会议纪要" in _messages(error)
    data = {"kind": "plenary", "title": meeting.title, "held_at": meeting.held_at, "agenda": meeting.agenda}
    s.meeting_update(actor=owner, meeting=meeting, version=meeting.version, minutes="会议议定三项。", **data)
    s.meeting_finalise(actor=owner, meeting=meeting, version=meeting.version)
    assert Meeting.objects.get(pk=meeting.pk).status == "final"
    final = str(s.MINUTES_FINAL)
    with pytest.raises(ValidationError, match=final):
        s.meeting_update(actor=owner, meeting=meeting, version=meeting.version, minutes="改过的纪要", **data)
    with pytest.raises(ValidationError, match=final):
        s.meeting_set_attendance(actor=owner, meeting=meeting, version=meeting.version,
                                 rows=[(jm["police_unit"], "present", "")])  # fmt: skip
    with pytest.raises(ValidationError, match=final):
        s.decision_add(actor=owner, meeting=meeting, text="补充一项")
    # The place may still be corrected; the minutes stay.
    s.meeting_update(actor=owner, meeting=meeting, version=meeting.version, minutes="会议议定三项。",
                     **{**data, "title": "更正后的名称"})  # fmt: skip
    assert Meeting.objects.get(pk=meeting.pk).minutes == "会议议定三项。"


def test_a_future_meeting_cannot_be_marked_held(owner):
    future = s.meeting_create(
        actor=owner, kind="special", title="专题会", held_at=timezone.now() + dt.timedelta(days=3)
    )
    with pytest.raises(ValidationError, match="会议时间还没到"):
        s.meeting_mark_held(actor=owner, meeting=future, version=future.version)


# --- tasks ----------------------------------------------------------------------------------------


def test_one_task_per_unit_owned_by_the_unit(jm, owner, decision):
    due = TODAY() + dt.timedelta(days=20)
    tasks = s.task_assign(actor=owner, decision=decision, title=" 排查 ", due_on=due,
                          units=[jm["police_unit"], jm["education"], jm["police_unit"], jm["secretariat_unit"]])  # fmt: skip
    assert [(t.unit, t.organisation, t.title) for t in tasks] == [
        (jm["police_unit"], jm["police"], "排查"), (jm["education_unit"], jm["education"], "排查"),
        (jm["secretariat_unit"], jm["city"], "排查"),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action="jm.task.assign").count() == 3


@pytest.mark.parametrize("which", ["civil_affairs", "inactive", "county"])
def test_a_task_for_a_unit_outside_the_joint_meeting_is_refused(jm, owner, decision, which):
    if which == "inactive":
        unit = MemberUnit.objects.create(organisation=jm["civil_affairs"], active=False)
    else:
        unit = jm[which]  # a plain organisation, not a member unit
    with pytest.raises(ValidationError) as error:
        s.task_assign(actor=owner, decision=decision, units=[jm["police_unit"], unit], title="任务",
                      due_on=TODAY() + dt.timedelta(days=5))  # fmt: skip
    assert error.value.message_dict["units"] == ["该单位不是联席会议成员单位，不能交办任务。"]
    assert not Task.objects.exists()


def test_a_task_needs_a_title_units_and_a_deadline_after_the_meeting(jm, owner, decision, meeting):
    with pytest.raises(ValidationError) as error:
        s.task_assign(actor=owner, decision=decision, units=[], title="", due_on=days_ago(20).date())
    assert error.value.message_dict["units"] == ["请选择承办单位。"]
    assert error.value.message_dict["title"] == ["请填写任务。"]
    assert "不能早于会议日期" in error.value.message_dict["due_on"][0]
    meeting_day = timezone.localdate(meeting.held_at)
    [task] = s.task_assign(
        actor=owner, decision=decision, units=[jm["police_unit"]], title="当天办结", due_on=meeting_day
    )
    assert task.due_on == meeting_day


def test_a_liaison_cannot_assign_tasks(jm, colleague, decision):
    with pytest.raises(PermissionDenied):
        s.task_assign(actor=colleague, decision=decision, units=[jm["police_unit"]], title="自己派的任务",
                      due_on=TODAY())  # fmt: skip


def test_a_liaison_sees_only_their_units_tasks(jm, owner, colleague, outsider, police_task, education_task):
    assert list(visible(colleague, Task)) == [police_task]
    assert list(visible(outsider, Task)) == [education_task]
    assert set(visible(owner, Task)) == {police_task, education_task}
    with pytest.raises(Http404):
        get_for_user(outsider, Task, police_task.pk)
    assert list(q.unit_open_tasks(colleague)) == [police_task]


def test_the_liaison_reports_progress_on_their_own_units_task(colleague, police_task):
    progress = s.task_report_progress(actor=colleague, task=police_task, text="已在三所学校宣讲。", completed=True)
    assert progress.reported_by == colleague
    assert AuditEvent.objects.filter(action="jm.task.progress", target_id=str(police_task.pk)).exists()
    with pytest.raises(ValidationError, match="请填写进展情况"):
        s.task_report_progress(actor=colleague, task=police_task, text="  ")


@pytest.mark.parametrize("who", ["education_liaison", "secretary"])
def test_nobody_reports_for_another_unit(jm, police_task, who):
    with pytest.raises(ValidationError) as error:
        s.task_report_progress(actor=jm[who], task=police_task, text="代为填报")
    assert error.value.messages == ["只能填报本单位的任务进展。"]
    assert not TaskProgress.objects.exists()


def test_a_closed_task_takes_no_more_progress(owner, colleague, police_task):
    s.task_close(actor=owner, task=police_task, version=police_task.version)
    with pytest.raises(ValidationError, match="已办结或已撤销"):
        s.task_report_progress(actor=colleague, task=police_task, text="补充材料")


def test_the_secretariat_closes_reopens_cancels_and_redates(owner, colleague, police_task, meeting):
    with pytest.raises(PermissionDenied):
        s.task_close(actor=colleague, task=police_task, version=police_task.version)
    s.task_close(actor=owner, task=police_task, version=police_task.version, note="材料齐全")
    assert Task.objects.get(pk=police_task.pk).done_at is not None
    with pytest.raises(EditConflict):
        s.task_reopen(actor=owner, task=police_task, version=1, reason="材料不全")
    with pytest.raises(ValidationError, match="请写明重新交办的理由"):
        s.task_reopen(actor=owner, task=police_task, version=police_task.version, reason="")
    s.task_reopen(actor=owner, task=police_task, version=police_task.version, reason="材料不全")
    task = Task.objects.get(pk=police_task.pk)
    assert (task.status, task.done_at) == ("open", None)
    with pytest.raises(ValidationError, match="不能早于会议日期"):
        s.task_change_due(actor=owner, task=task, version=task.version, due_on=days_ago(30).date(), reason="提前")
    with pytest.raises(ValidationError, match="请写明调整期限的理由"):
        s.task_change_due(actor=owner, task=task, version=task.version, due_on=TODAY(), reason=" ")
    s.task_change_due(actor=owner, task=task, version=task.version, due_on=TODAY() + dt.timedelta(days=60),
                      reason="需跨学期完成")  # fmt: skip
    event = AuditEvent.objects.get(action="jm.task.due")
    assert event.detail["reason"] == "需跨学期完成"
    s.task_cancel(actor=owner, task=task, version=task.version, reason="并入其他任务")
    assert Task.objects.get(pk=task.pk).status == "cancelled"
    # The unit sees why: the secretariat's notes are on the task's history.
    notes = list(TaskProgress.objects.filter(task=task).values_list("text", flat=True))
    assert any("需跨学期完成" in n for n in notes)
    assert any("并入其他任务" in n for n in notes)


# --- escalation ------------------------------------------------------------------------------------


def test_overdue_tasks_are_raised_once(jm, owner, decision, police_task):
    [late] = s.task_assign(actor=owner, decision=decision, units=[jm["education_unit"]], title="逾期任务",
                           due_on=TODAY() - dt.timedelta(days=1))  # fmt: skip
    [done] = s.task_assign(actor=owner, decision=decision, units=[jm["police_unit"]], title="已办结",
                           due_on=TODAY() - dt.timedelta(days=2))  # fmt: skip
    s.task_close(actor=owner, task=done, version=done.version)
    [today_due] = s.task_assign(actor=owner, decision=decision, units=[jm["police_unit"]], title="今天到期",
                                due_on=TODAY())  # fmt: skip
    assert s.escalate_overdue_tasks() == 1
    assert s.escalate_overdue_tasks() == 0
    assert AuditEvent.objects.filter(action="jm.task.overdue").count() == 1
    assert Task.objects.get(pk=late.pk).escalated_at is not None
    assert Task.objects.get(pk=today_due.pk).escalated_at is None
    assert list(q.escalated_tasks(owner)) == [late]
    # A new deadline that passes is raised again, once.
    late.refresh_from_db()
    s.task_change_due(actor=owner, task=late, version=late.version, due_on=TODAY(), reason="延期")
    assert s.escalate_overdue_tasks(today=TODAY() + dt.timedelta(days=1)) == 2  # with the one due today
    assert s.escalate_overdue_tasks(today=TODAY() + dt.timedelta(days=1)) == 0


def test_the_job_is_in_the_workers_upkeep():
    from fulian.core.upkeep import escalate_joint_meeting_tasks, periodic_jobs

    assert (3600.0, escalate_joint_meeting_tasks) in periodic_jobs()


def test_tasks_awaiting_closure_follow_the_latest_report(owner, colleague, police_task, education_task):
    s.task_report_progress(actor=colleague, task=police_task, text="完成", completed=True)
    assert list(q.awaiting_closure(owner)) == [police_task]
    s.task_report_progress(actor=colleague, task=police_task, text="发现遗漏，继续办理", completed=False)
    assert not q.awaiting_closure(owner).exists()
