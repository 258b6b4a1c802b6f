"""Staff screening over HTTP: scope (404 outside), masked and audited lists, Chinese errors, once-only forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from fulian.audit.models import AuditEvent
from fulian.screening.models import ChildrenRole, ChildrenWorker, Screening
from tests.factories import login_verified
from tests.screening.helpers import check

pytestmark = pytest.mark.django_db

DETAILS = "查询结果只记录“有”或“无”相关违法犯罪记录，不得记录其他细节。"


def _as(user):
    return login_verified(Client(), user)


def _errors(response):
    """The messages the form shows (beside fields and above the form)."""
    return " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


def _form(today, **changes):
    data = {
        "authorised": "on", "authorised_on": (today - dt.timedelta(days=2)).isoformat(),
        "checked_on": today.isoformat(), "channel": "police", "result": "no_record", "decision": "hire",
        "once": "6f1c2f4e-8a1b-4c8e-9a53-2f1a4b9c0d11",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_outsiders_and_missing_workers_get_404(owner, colleague, outsider, operator, worker):
    check(owner, worker)
    role = ChildrenRole.objects.create(
        organisation=worker.organisation, worker=worker, role="manager", assigned_on=worker.screenings.get().checked_on
    )
    for url in (
        f"/admin/screening/{worker.pk}/",
        f"/admin/screening/{worker.pk}/check/",
        f"/admin/screening/{worker.pk}/role/",
    ):
        assert _as(outsider).get(url).status_code == 404
        assert _as(owner).get(url).status_code == 200
        assert _as(colleague).get(url).status_code == 200
    assert _as(owner).get("/admin/screening/999999/").status_code == 404
    assert _as(outsider).post(f"/admin/screening/roles/{role.pk}/end/").status_code == 404
    role.refresh_from_db()
    assert role.ended_on is None
    # A role without rights on screening records: no menu, no list, no page.
    assert _as(operator).get("/admin/screening/").status_code in {302, 403}
    assert _as(operator).get(f"/admin/screening/{worker.pk}/").status_code == 404
    assert "/admin/screening/" not in _as(operator).get("/admin/").content.decode()
    assert "/admin/screening/" in _as(owner).get("/admin/").content.decode()


def test_the_worker_page_is_an_audited_read(owner, worker):
    html = _as(owner).get(f"/admin/screening/{worker.pk}/").content.decode()
    assert "340705198803120028" not in html
    assert "340705********0028" in html
    assert "尚未进行入职查询" in html
    assert AuditEvent.objects.filter(action="childrenworker.view", target_id=str(worker.pk)).exists()


def test_lists_are_masked_scoped_and_audited(orgs, owner, outsider, worker):
    html = _as(owner).get("/admin/screening/").content.decode()
    assert "周**" in html
    assert "周慧敏" not in html
    assert "未查询，不得上岗" in html
    event = AuditEvent.objects.filter(action="childrenworker.list").latest("seq")
    assert event.detail["shown"] == [worker.pk]
    assert event.actor_username == "ms_owner"
    assert "周**" not in _as(outsider).get("/admin/screening/").content.decode()
    assert AuditEvent.objects.filter(action="childrenworker.list").latest("seq").detail["shown"] == []


def test_registering_through_the_screen(orgs, owner):
    client = _as(owner)
    data = {
        "organisation": orgs["county"].pk, "name": "吴晓燕", "id_number": "340705199207150048",
        "kind": "volunteer", "centre": "天井湖社区儿童之家", "once": "0b8e4a5c-3c1d-4f0e-8d55-1a2b3c4d5e6f",
    }  # fmt: skip
    bad = client.post("/admin/screening/new/", data)
    assert bad.status_code == 200
    assert "身份证号校验位不正确" in _errors(bad)
    assert "身份证号校验位不正确" in bad.content.decode()
    assert not ChildrenWorker.objects.exists()
    response = client.post("/admin/screening/new/", {**data, "id_number": "340705199207150049"})
    worker = ChildrenWorker.objects.get()
    # Addresses carry the record's id only, never personal data.
    assert response["Location"] == f"/admin/screening/{worker.pk}/"
    assert worker.name == "吴晓燕"
    again = client.post("/admin/screening/new/", {**data, "id_number": "340705199207150049"})
    assert again.status_code == 302
    assert ChildrenWorker.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"authorised": None}, "未取得书面授权的，不得查询"),
        ({"details": "2019年因故意伤害被判刑"}, DETAILS),
        ({"offence": "故意伤害"}, DETAILS),
        ({"notes": ""}, DETAILS),
        ({"result": "record: 盗窃罪"}, DETAILS),
        ({"result": "record", "decision": "hire"}, "依法不得录用"),
        ({"checked_on": "2999-01-01"}, "不能晚于今天"),
        ({"checked_on": "昨天"}, "有效的日期"),
    ],
)
def test_bad_checks_get_a_chinese_message_and_save_nothing(owner, worker, today, changes, message):
    response = _as(owner).post(f"/admin/screening/{worker.pk}/check/", _form(today, **changes))
    assert response.status_code == 200
    assert message in _errors(response)
    assert message in response.content.decode()
    assert not Screening.objects.exists()


def test_a_double_submission_saves_once(owner, worker, today):
    client = _as(owner)
    first = client.post(f"/admin/screening/{worker.pk}/check/", _form(today))
    second = client.post(f"/admin/screening/{worker.pk}/check/", _form(today))
    assert first.status_code == second.status_code == 302
    assert Screening.objects.filter(worker=worker).count() == 1
    assert "未重复保存" in client.get(f"/admin/screening/{worker.pk}/").content.decode()
    # A refused submission releases its token: corrected, the same form goes through.
    fresh = {"once": "a0c1e2f3-0000-4000-8000-000000000001"}
    refused = client.post(
        f"/admin/screening/{worker.pk}/role/", {"role": "manager", "assigned_on": "2000-01-01", **fresh}
    )
    assert refused.status_code == 200
    assert "先查询、后上岗" in _errors(refused)
    assert client.post(f"/admin/screening/{worker.pk}/role/", {"role": "manager", **fresh}).status_code == 302
    assert client.post(f"/admin/screening/{worker.pk}/role/", {"role": "manager", **fresh}).status_code == 302
    assert ChildrenRole.objects.filter(worker=worker).count() == 1


def test_a_person_with_a_record_cannot_be_given_a_role_on_screen(owner, worker, today):
    client = _as(owner)
    assert client.post(f"/admin/screening/{worker.pk}/check/", _form(today)).status_code == 302
    client.post(
        f"/admin/screening/{worker.pk}/role/", {"role": "manager", "once": "a0c1e2f3-0000-4000-8000-000000000002"}
    )
    role = ChildrenRole.objects.get()
    recheck = _form(today, result="record", decision="not_hire", once="a0c1e2f3-0000-4000-8000-000000000003")
    assert client.post(f"/admin/screening/{worker.pk}/check/", recheck).status_code == 302
    role.refresh_from_db()
    assert role.ended_on == today
    page = client.get(f"/admin/screening/{worker.pk}/").content.decode()
    assert "有相关违法犯罪记录" in page
    assert "查询结果或决定不允许从事，自动终止" in page
    response = client.post(
        f"/admin/screening/{worker.pk}/role/", {"role": "tutor", "once": "a0c1e2f3-0000-4000-8000-000000000004"}
    )
    assert response.status_code == 200
    assert "依法不得安排从事儿童相关工作" in _errors(response)
    assert "依法不得安排从事儿童相关工作" in response.content.decode()
    assert not ChildrenRole.objects.filter(ended_on__isnull=True).exists()


def test_ending_a_role(owner, worker):
    check(owner, worker)
    client = _as(owner)
    client.post(f"/admin/screening/{worker.pk}/role/", {"role": "volunteer"})
    role = ChildrenRole.objects.get()
    assert client.post(f"/admin/screening/roles/{role.pk}/end/").status_code == 302
    role.refresh_from_db()
    assert role.ended_on is not None
    assert role.end_reason == "left"
    client.post(f"/admin/screening/roles/{role.pk}/end/")
    assert "该岗位已经结束" in client.get(f"/admin/screening/{worker.pk}/").content.decode()


def test_the_recheck_list_shows_what_is_due_in_scope(orgs, owner, colleague, outsider, worker):
    from fulian.screening.services import worker_register

    check(owner, worker, days_ago=350)
    fine = worker_register(
        actor=owner, organisation=orgs["county"], name="吴晓燕", id_number="340705199207150049", kind="volunteer",
        centre="某儿童之家",
    )  # fmt: skip
    check(owner, fine, days_ago=10)
    for user in (owner, colleague):
        html = _as(user).get("/admin/screening/due/").content.decode()
        assert "周**" in html
        assert "吴**" not in html
        assert "周慧敏" not in html
    assert "周**" not in _as(outsider).get("/admin/screening/due/").content.decode()
    event = AuditEvent.objects.filter(action="childrenworker.list").latest("seq")
    assert event.detail == {"shown": [], "list": "recheck_due"}


def test_my_work_shows_the_rechecks_due_in_scope(orgs, owner, outsider, operator, worker):
    check(owner, worker, days_ago=400)  # overdue
    html = _as(owner).get("/admin/mywork/").content.decode()
    assert "入职查询复查提醒" in html
    assert "周**" in html
    assert "已超期" in html
    assert "周慧敏" not in html
    outside = _as(outsider).get("/admin/mywork/").content.decode()
    assert "入职查询复查提醒" in outside
    assert "周**" not in outside
    assert "入职查询复查提醒" not in _as(operator).get("/admin/mywork/").content.decode()


def test_the_demo_shows_each_situation(orgs, owner, today):
    from fulian.screening.demo import load_screening_demo
    from fulian.screening.services import assignment_problem, due_screenings

    due, working, barred = load_screening_demo(orgs["county"], owner)
    assert load_screening_demo(orgs["county"], owner) == [due, working, barred]
    assert ChildrenWorker.objects.count() == 3
    assert list(due_screenings(today).values_list("worker", flat=True)) == [due.pk]
    assert working.roles.filter(ended_on__isnull=True).count() == 1
    assert barred.screenings.get().result == "record"
    assert barred.screenings.get().decision == "not_hire"
    assert not barred.roles.exists()
    assert assignment_problem(barred, today)
    assert assignment_problem(working, today) is None
