"""The joint meeting over HTTP: menus by role, the overview, meetings (secretariat only), tasks
(a liaison sees and reports only their unit's), bad input answered in Chinese, never a 500."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.jointmeeting import services as s
from fulian.jointmeeting.models import Attendance, Decision, Meeting, MemberUnit, Task, TaskProgress
from tests.factories import login_verified, make_staff

pytestmark = pytest.mark.django_db

BASE = "/admin/jointmeeting"


def _as(user):
    return login_verified(Client(), user)


def _once():
    return str(uuid.uuid4())


def test_menus_by_role(jm, owner, colleague):
    html = _as(owner).get("/admin/").content.decode()
    for url in (f"{BASE}/", f"{BASE}/meetings/", f"{BASE}/tasks/", "/admin/jm_units/", "/admin/jm_officers/",
                "/admin/jm_mechanisms/"):  # fmt: skip
        assert url in html, url
    html = _as(colleague).get("/admin/").content.decode()
    assert f"{BASE}/tasks/" in html
    assert f"{BASE}/" in html
    assert f"{BASE}/meetings/" not in html
    assert "/admin/jm_units/" not in html
    caseworker = make_staff("city_caseworker", jm["city"], "caseworker")
    html = _as(caseworker).get("/admin/").content.decode()
    assert "/admin/jointmeeting/" not in html
    assert _as(caseworker).get(f"{BASE}/tasks/").status_code in {302, 403}
    assert _as(caseworker).get(f"{BASE}/").status_code in {302, 403}


def test_the_overview_shows_units_liaisons_and_officers(jm, owner, colleague):
    from fulian.jointmeeting.models import Officer

    Officer.objects.create(post="chair", name="王芳", title="副市长")
    page = _as(colleague).get(f"{BASE}/").content.decode()
    assert "市公安局" in page
    assert "police_liaison" in page
    assert "王芳" in page
    assert "强制报告机制" in page
    assert "管理成员单位" not in page  # read-only for a liaison
    assert "管理成员单位" in _as(owner).get(f"{BASE}/").content.decode()


def test_a_liaison_cannot_see_meetings(colleague, meeting):
    client = _as(colleague)
    assert client.get(f"{BASE}/meetings/").status_code in {302, 403}
    assert client.get(f"{BASE}/meetings/{meeting.pk}/").status_code == 404
    assert client.post(f"{BASE}/meetings/{meeting.pk}/decisions/", {"text": "偷加"}).status_code == 404
    assert not Decision.objects.exists()


def test_the_secretary_plans_a_meeting_once(owner):
    client = _as(owner)
    assert client.get(f"{BASE}/meetings/new/").status_code == 200
    post = {"kind": "task", "title": "工作任务布置会", "held_at": "2026-03-15T09:30", "place": "三楼", "once": _once()}
    response = client.post(f"{BASE}/meetings/new/", post)
    meeting = Meeting.objects.get()
    assert response["Location"] == f"{BASE}/meetings/{meeting.pk}/"
    assert client.post(f"{BASE}/meetings/new/", post).status_code == 302  # the double click
    assert Meeting.objects.count() == 1
    assert timezone.localtime(meeting.held_at).strftime("%Y-%m-%d %H:%M") == "2026-03-15 09:30"
    page = client.get(f"{BASE}/meetings/{meeting.pk}/").content.decode()
    assert "工作任务布置会" in page
    assert "上传附件" in page


@pytest.mark.parametrize("held_at", ["not-a-date", "2026-13-45T99:99", ""])
def test_a_bad_meeting_date_is_a_chinese_form_error(owner, held_at):
    response = _as(owner).post(f"{BASE}/meetings/new/", {"kind": "task", "title": "会", "held_at": held_at,
                                                         "once": _once()})  # fmt: skip
    assert response.status_code == 200
    assert "请填写有效的会议时间" in response.content.decode() or "请填写会议时间。" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("query", ["year=abc", "year=99999", "kind=party", "p=zz", "year=2026&kind=plenary"])
def test_the_meeting_list_takes_any_query(owner, meeting, query):
    response = _as(owner).get(f"{BASE}/meetings/?{query}")
    assert response.status_code == 200


def test_the_meeting_list_filters_by_year_and_kind(owner, meeting):
    year = timezone.localtime(meeting.held_at).year
    assert meeting.title in _as(owner).get(f"{BASE}/meetings/?year={year}&kind=plenary").content.decode()
    assert meeting.title not in _as(owner).get(f"{BASE}/meetings/?year={year - 1}").content.decode()
    assert meeting.title not in _as(owner).get(f"{BASE}/meetings/?kind=special").content.decode()


def test_a_stale_meeting_edit_shows_a_chinese_message(owner, meeting):
    client = _as(owner)
    post = {"kind": "plenary", "title": "改名", "held_at": "2026-03-15T09:30", "version": meeting.version}
    assert client.post(f"{BASE}/meetings/{meeting.pk}/edit/", post).status_code == 302
    response = client.post(f"{BASE}/meetings/{meeting.pk}/edit/", {**post, "title": "又改名"})
    assert response.status_code == 200
    assert "该会议已被他人修改" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).title == "改名"


def test_attendance_grid(jm, owner, meeting):
    client = _as(owner)
    page = client.get(f"{BASE}/meetings/{meeting.pk}/attendance/").content.decode()
    assert "市教育体育局" in page
    police, education = jm["police_unit"].pk, jm["education_unit"].pk
    post = {"version": meeting.version, f"status_{police}": "present", f"attendees_{police}": "王某（副局长）",
            f"status_{education}": "leave"}  # fmt: skip
    assert client.post(f"{BASE}/meetings/{meeting.pk}/attendance/", post).status_code == 302
    assert dict(Attendance.objects.values_list("unit_id", "status")) == {police: "present", education: "leave"}
    response = client.post(f"{BASE}/meetings/{meeting.pk}/attendance/", {"version": "x", f"status_{police}": "zzz"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert "请求无效，请刷新页面后重试。" in response.content.decode()  # the tampered version


def test_final_minutes_refuse_edits_over_http(jm, owner, meeting):
    s.meeting_mark_held(actor=owner, meeting=meeting, version=meeting.version)
    data = {"kind": "plenary", "title": meeting.title, "held_at": meeting.held_at, "agenda": meeting.agenda}
    s.meeting_update(actor=owner, meeting=meeting, version=meeting.version, minutes="纪要正文", **data)
    client = _as(owner)
    assert client.post(f"{BASE}/meetings/{meeting.pk}/status/final/", {"version": meeting.version}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "final"
    response = client.get(f"{BASE}/meetings/{meeting.pk}/attendance/", follow=True)
    assert "会议纪要已定稿" in response.content.decode()
    post = {"kind": "plenary", "title": meeting.title, "held_at": "2026-03-15T09:30", "minutes": "改掉纪要",
            "agenda": "改掉议程", "version": meeting.version}  # fmt: skip
    client.post(f"{BASE}/meetings/{meeting.pk}/edit/", post)
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.agenda) == ("纪要正文", data["agenda"])  # disabled fields: the stored text stays
    response = client.post(f"{BASE}/meetings/{meeting.pk}/decisions/", {"text": "补充", "once": _once()}, follow=True)
    assert "会议纪要已定稿" in response.content.decode()
    assert not Decision.objects.filter(meeting=meeting).exists()


@pytest.mark.parametrize("name", ["held", "final", "nonsense"])
def test_status_buttons_with_bad_versions_never_fail(owner, meeting, name):
    response = _as(owner).post(f"{BASE}/meetings/{meeting.pk}/status/{name}/", {"version": "abc"}, follow=True)
    assert response.status_code == 200
    assert "请求无效" in response.content.decode()


def test_decisions_and_assigning_tasks(jm, owner, meeting):
    client = _as(owner)
    client.post(f"{BASE}/meetings/{meeting.pk}/decisions/", {"text": "开展联合宣传", "once": _once()})
    decision = Decision.objects.get()
    assert decision.number == 1
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    post = {"units": [jm["police_unit"].pk, jm["education_unit"].pk], "title": "进校园宣传", "due_on": due,
            "once": _once()}  # fmt: skip
    assert client.post(f"{BASE}/decisions/{decision.pk}/assign/", post).status_code == 302
    assert client.post(f"{BASE}/decisions/{decision.pk}/assign/", post).status_code == 302  # resent
    assert {(t.organisation_id, t.title) for t in Task.objects.all()} == {
        (jm["police"].pk, "进校园宣传"), (jm["education"].pk, "进校园宣传")
    }  # fmt: skip
    assert "进校园宣传" in client.get(f"{BASE}/meetings/{meeting.pk}/").content.decode()


@pytest.mark.parametrize(
    ("units", "due_on", "message"),
    [
        (["999999"], "2030-01-01", "该单位不是联席会议成员单位，不能交办任务。"),
        (["abc"], "2030-01-01", "该单位不是联席会议成员单位，不能交办任务。"),
        (["inactive"], "2030-01-01", "该单位不是联席会议成员单位，不能交办任务。"),
        (["police"], "not-a-date", "请填写有效的日期"),
        (["police"], "2000-01-01", "不能早于会议日期"),
        ([], "2030-01-01", "请选择承办单位。"),
    ],
)
def test_bad_assignments_are_chinese_form_errors(jm, owner, decision, units, due_on, message):
    ids = {"police": jm["police_unit"].pk,
           "inactive": MemberUnit.objects.create(organisation=jm["civil_affairs"], active=False).pk}  # fmt: skip
    post = {"units": [ids.get(u, u) for u in units], "title": "任务", "due_on": due_on, "once": _once()}
    response = _as(owner).post(f"{BASE}/decisions/{decision.pk}/assign/", post)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Task.objects.exists()


def test_assigning_from_a_missing_or_forbidden_decision_is_404(colleague, owner, decision):
    assert _as(owner).get(f"{BASE}/decisions/999999/assign/").status_code == 404
    assert _as(colleague).get(f"{BASE}/decisions/{decision.pk}/assign/").status_code == 404


def test_a_liaison_sees_only_their_units_tasks(owner, colleague, outsider, police_task, education_task):
    page = _as(colleague).get(f"{BASE}/tasks/").content.decode()
    assert police_task.title in page
    assert education_task.title not in page
    page = _as(owner).get(f"{BASE}/tasks/").content.decode()
    assert police_task.title in page
    assert education_task.title in page
    assert _as(colleague).get(f"{BASE}/tasks/{police_task.pk}/").status_code == 200
    assert _as(outsider).get(f"{BASE}/tasks/{police_task.pk}/").status_code == 404
    assert _as(outsider).get(f"{BASE}/tasks/{police_task.pk}/progress/").status_code == 404
    assert _as(colleague).get(f"{BASE}/tasks/999999/").status_code == 404


@pytest.mark.parametrize("query", ["unit=abc", "unit=999999", "status=lost", "overdue=maybe", "p=-1", "status=open"])
def test_the_task_list_takes_any_query(owner, colleague, police_task, query):
    assert _as(owner).get(f"{BASE}/tasks/?{query}").status_code == 200
    assert _as(colleague).get(f"{BASE}/tasks/?{query}").status_code == 200


def test_the_task_list_filters_and_marks_overdue(jm, owner, decision, police_task):
    [late] = s.task_assign(actor=owner, decision=decision, units=[jm["education_unit"]], title="逾期的任务",
                           due_on=timezone.localdate() - dt.timedelta(days=1))  # fmt: skip
    client = _as(owner)
    page = client.get(f"{BASE}/tasks/?overdue=on").content.decode()
    assert "逾期的任务" in page
    assert police_task.title not in page
    assert "fulian-overdue" in page
    page = client.get(f"{BASE}/tasks/?unit={jm['police_unit'].pk}").content.decode()
    assert police_task.title in page
    assert "逾期的任务" not in page
    assert late.title not in client.get(f"{BASE}/tasks/?status=done").content.decode()


def test_the_liaison_reports_progress(colleague, police_task):
    client = _as(colleague)
    page = client.get(f"{BASE}/tasks/{police_task.pk}/").content.decode()
    assert f"/tasks/{police_task.pk}/progress/" in page
    assert f"{police_task.pk}/do/close/" not in page  # the secretariat's buttons are not offered
    post = {"text": "已在三所学校宣讲。", "completed": "on", "once": _once()}
    assert client.post(f"{BASE}/tasks/{police_task.pk}/progress/", post).status_code == 302
    assert client.post(f"{BASE}/tasks/{police_task.pk}/progress/", post).status_code == 302  # resent
    progress = TaskProgress.objects.get()
    assert progress.completed
    assert "已在三所学校宣讲" in client.get(f"{BASE}/tasks/{police_task.pk}/").content.decode()
    assert client.get(f"{BASE}/tasks/{police_task.pk}/do/close/").status_code == 404  # liaisons do not close


def test_the_secretariat_cannot_report_for_a_unit(owner, police_task):
    client = _as(owner)
    assert f"/tasks/{police_task.pk}/progress/" not in client.get(f"{BASE}/tasks/{police_task.pk}/").content.decode()
    response = client.post(f"{BASE}/tasks/{police_task.pk}/progress/", {"text": "代报", "once": _once()})
    assert response.status_code == 200
    assert "只能填报本单位的任务进展。" in response.content.decode()
    assert not TaskProgress.objects.exists()


def test_the_secretariat_closes_and_redates_with_conflicts_answered(owner, police_task):
    client = _as(owner)
    url = f"{BASE}/tasks/{police_task.pk}/do/"
    bad = client.post(url + "due/", {"version": police_task.version, "due_on": "31/02/2026", "reason": "x"})
    assert bad.status_code == 200
    assert "请填写有效的日期" in bad.content.decode()
    new_due = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    post = {"version": police_task.version, "due_on": new_due, "reason": "延期"}
    assert client.post(url + "due/", post).status_code == 302
    stale = client.post(url + "close/", {"version": police_task.version})
    assert "该任务已被他人修改" in stale.content.decode()
    assert client.post(url + "close/", {"version": police_task.version + 1}).status_code == 302
    assert Task.objects.get(pk=police_task.pk).status == "done"
    response = client.get(url + "close/", follow=True)  # not open any more
    assert "任务当前状态下不能进行该操作" in response.content.decode()
    assert client.get(url + "nonsense/", follow=True).status_code == 200
    assert AuditEvent.objects.filter(action__in=["jm.task.due", "jm.task.close"]).count() == 2


def test_my_work_sections(rf, jm, owner, colleague, outsider, decision, police_task):
    from fulian.jointmeeting.views import my_work_section

    today = timezone.localdate()
    s.task_assign(actor=owner, decision=decision, units=[jm["police_unit"]], title="逾期的任务",
                  due_on=today - dt.timedelta(days=1))  # fmt: skip
    s.escalate_overdue_tasks()
    s.task_report_progress(actor=colleague, task=police_task, text="完成", completed=True)

    def section(user):
        request = rf.get("/admin/mywork/")
        request.user = user
        return my_work_section(request, today) or ""

    secretariat = section(owner)
    assert "联席会议任务超期" in secretariat
    assert "逾期的任务" in secretariat
    assert "待办结" in secretariat
    assert police_task.title in secretariat
    liaison = section(colleague)
    assert "本单位承办的联席会议任务" in liaison
    assert "逾期的任务" in liaison
    assert police_task.title in liaison
    assert "超期" in liaison
    assert section(outsider) == ""  # the education bureau has no tasks here
    page = _as(colleague).get("/admin/mywork/").content.decode()
    assert "本单位承办的联席会议任务" in page


def test_the_secretariat_configures_member_units_through_the_service(jm, owner, colleague):
    client = _as(owner)
    form = client.get("/admin/jm_units/new/").content.decode()
    assert "市民政局" in form
    assert "铜官区妇联" not in form  # a county federation cannot be a member unit
    assert "学校" in form  # the sectors as choices
    post = {"organisation": jm["civil_affairs"].pk, "role": "member", "duties": "困境儿童保障",
            "report_sectors": ["welfare"], "order": 3, "signs_letter": "on", "active": "on"}  # fmt: skip
    assert client.post("/admin/jm_units/new/", post).status_code == 302
    unit = MemberUnit.objects.get(organisation=jm["civil_affairs"])
    assert unit.report_sectors == ["welfare"]
    assert AuditEvent.objects.filter(action="jm.unit.save", target_id=str(unit.pk)).exists()
    response = client.post(f"/admin/jm_units/edit/{unit.pk}/", {**post, "role": "secretariat"})
    assert response.status_code == 200
    assert "联席会议办公室设在市妇联" in response.content.decode()
    assert _as(colleague).get("/admin/jm_units/").status_code in {302, 403}


def test_meeting_documents_are_attached_and_kept_from_liaisons(owner, colleague, meeting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fulian.files.services import attachments_of

    client = _as(owner)
    page = f"{BASE}/meetings/{meeting.pk}/"
    upload = "/admin/files/upload/" + client.get(page).content.decode().split('action="/admin/files/upload/')[1]
    upload = upload.split('"')[0]
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(upload, {"file": SimpleUploadedFile("会议材料.pdf", pdf), "next": page}, follow=True)
    assert "已上传" in response.content.decode()
    attachment = attachments_of(meeting).get()
    assert "会议材料.pdf" in client.get(page).content.decode()
    assert client.get(f"/admin/files/{attachment.pk}/").status_code == 200
    assert _as(colleague).get(f"/admin/files/{attachment.pk}/").status_code == 404


def test_a_tampered_task_version_is_answered(owner, police_task):
    response = _as(owner).post(f"{BASE}/tasks/{police_task.pk}/do/close/", {"version": "abc"})
    assert response.status_code == 200
    assert "请求无效，请刷新页面后重试。" in response.content.decode()
    assert Task.objects.get(pk=police_task.pk).status == "open"
