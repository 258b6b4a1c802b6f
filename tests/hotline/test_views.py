"""Hotline screens: intake with caller history, double submission, bad input, scope, counselling's audience."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.hotline import services
from fulian.hotline.models import Contact, CounsellingRecord
from tests.factories import login_verified, make_contact

pytestmark = pytest.mark.django_db


def _as(user):
    return login_verified(Client(), user)


def _intake(orgs, **extra):
    data = {
        "organisation": orgs["county"].pk, "channel": "phone", "call_type": "consultation",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "caller_phone": "13905621234",
        "caller_sex": "F", "caller_age_band": "35_59", "caller_education": "unknown", "affected_is_caller": "on",
        "affected_sex": "U", "affected_age_band": "unknown", "narrative": "咨询离婚财产分割", "outcome": "advised",
        "satisfaction": "not_asked", "submission": "6f1c1c9e-8a0b-4c7b-9a51-0e4b7f4a2d11",
    }  # fmt: skip
    data.update(extra)
    return data


def test_the_intake_saves_once_on_a_double_click(orgs, owner):
    client = _as(owner)
    first = client.post("/admin/hotline/new/", _intake(orgs))
    second = client.post("/admin/hotline/new/", _intake(orgs))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Contact.objects.count() == 1


def test_the_intake_shows_earlier_contacts_of_the_number(orgs, owner):
    make_contact(orgs["county"], owner, caller_phone="13905621234", outcome="callback")
    services.caller_flag(actor=owner, organisation=orgs["county"], phone="13905621234", kind="at_risk")
    html = _as(owner).post("/admin/hotline/history/", {"phone": "139-0562-1234"}).content.decode()
    assert "此前来电 1 次" in html
    assert "高危来电人" in html
    assert _as(owner).post("/admin/hotline/history/", {"phone": "13800000000"}).content.decode().strip() == ""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"received_at": "2999-01-01T10:00"}, "晚于现在"),
        ({"caller_phone": "abc"}, "电话号码"),
        ({"narrative": "", "call_type": "complaint"}, "来电内容"),
        ({"narrative": "<script>alert(1)</script>" + "x" * 10001}, "10000"),
        ({"received_at": "not a time"}, "日期"),
    ],
)
def test_bad_intake_is_a_message_and_nothing_is_saved(orgs, owner, extra, message):
    response = _as(owner).post("/admin/hotline/new/", _intake(orgs, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contact.objects.exists()


def test_script_is_shown_as_text(orgs, owner):
    contact = make_contact(orgs["county"], owner, narrative="<script>alert(1)</script>")
    html = _as(owner).get(f"/admin/hotline/{contact.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_outsider_gets_404_on_every_contact_screen(orgs, owner, outsider):
    contact = make_contact(orgs["county"], owner)
    client = _as(outsider)
    for url in (f"/admin/hotline/{contact.pk}/", f"/admin/hotline/{contact.pk}/edit/",
                f"/admin/hotline/{contact.pk}/counselling/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/hotline/{contact.pk}/flag/", {"kind": "prank"}).status_code == 404
    assert "139****1234" not in client.get("/admin/hotline/").content.decode()


def test_the_list_is_masked_and_audited_and_lookup_uses_post(orgs, owner):
    make_contact(orgs["county"], owner)
    client = _as(owner)
    html = client.get("/admin/hotline/?channel=phone&from=bad").content.decode()
    assert "139****1234" in html
    assert "13905621234" not in html
    assert "陈**" in html
    found = client.post("/admin/hotline/", {"phone": "13905621234"}).content.decode()
    assert "139****1234" in found
    assert AuditEvent.objects.filter(action="contact.list").count() == 2


def test_a_concurrent_edit_of_a_contact_is_refused(orgs, owner, colleague):
    contact = make_contact(orgs["county"], owner)
    stale = contact.version
    services.contact_update(actor=colleague, contact=contact, version=stale, outcome="callback")
    data = _intake(orgs, version=stale, outcome="none")
    response = _as(owner).post(f"/admin/hotline/{contact.pk}/edit/", data)
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).outcome == "callback"


def test_counselling_screens_are_for_counsellors(orgs, owner, counsellor, colleague):
    contact = make_contact(orgs["county"], owner, call_type="counselling")
    assert _as(owner).get(f"/admin/hotline/{contact.pk}/counselling/").status_code in (302, 403)
    response = _as(counsellor).post(
        f"/admin/hotline/{contact.pk}/counselling/", {"presenting_problem": "焦虑失眠", "risk_level": "high"}
    )
    assert response.status_code == 302
    assert CounsellingRecord.objects.get().risk_level == "high"
    assert "焦虑失眠" in _as(colleague).get(f"/admin/hotline/{contact.pk}/").content.decode()
    assert "焦虑失眠" not in _as(owner).get(f"/admin/hotline/{contact.pk}/").content.decode()


def test_an_online_request_is_answered_from_the_contact(orgs, owner):
    request = services.online_request_submit(
        narrative="遭受家暴", phone="13905625678", district=orgs["county"], consent_to_contact=True
    )
    client = _as(owner)
    assert request.tracking_number in client.get("/admin/hotline/").content.decode()
    response = client.post(f"/admin/hotline/{request.contact.pk}/reply/", {"reply": "已安排联系", "status": "replied"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.public_reply == "已安排联系"


def test_the_call_centre_announces_a_ringing_call(orgs, owner, outsider, client):
    _system, token = services.call_centre_create(actor=None, name="呼叫中心", organisation=orgs["county"])
    make_contact(orgs["county"], owner)

    def ring(body, auth=f"Bearer {token}"):
        return client.post("/api/hotline/ring/", data=body, content_type="application/json", HTTP_AUTHORIZATION=auth)

    response = ring(json.dumps({"phone": "13905621234", "operator": "hotline_owner"}))
    assert response.status_code == 200
    answer = response.json()
    assert answer["previous_contacts"] == 1
    assert "13905621234" not in answer["url"]
    page = _as(owner).get(answer["url"].split("testserver")[-1]).content.decode()
    assert 'value="13905621234"' in page
    assert "此前来电 1 次" in page
    # Only that operator's screen is filled in.
    assert 'value="13905621234"' not in _as(outsider).get(answer["url"].split("testserver")[-1]).content.decode()
    assert ring("{}", auth="Bearer wrong").status_code == 401
    assert ring("not json").status_code == 400
    assert ring(json.dumps({"phone": "1", "operator": "hotline_owner"})).status_code == 422
    assert ring(json.dumps({"phone": "13905621234", "operator": "hotline_outsider"})).status_code == 422
    assert ring(json.dumps({"phone": "13905621234", "operator": "nobody"})).status_code == 404


def test_the_contact_list_keeps_its_query_count(orgs, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_contact(orgs["county"], owner, outcome="callback")
    client = _as(owner)
    client.get("/admin/hotline/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/hotline/")
    for n in range(12):
        make_contact(orgs["county"], owner, outcome="callback" if n % 2 else "advised")
    services.online_request_submit(
        narrative="求助", phone="13905625678", district=orgs["county"], consent_to_contact=True
    )
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/hotline/")
    assert len(many) == len(few)
