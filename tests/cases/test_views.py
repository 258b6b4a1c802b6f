"""Casework screens: the whole loop over HTTP, each screen refusing the outsider, bad input as messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fulian.audit.models import AuditEvent
from fulian.cases import services as s
from fulian.cases.models import Case, CaseEvent, Referral, ReferralStatus, Status
from fulian.hotline.models import Contact
from tests.factories import login_verified, make_case, make_contact, make_staff, mark_fresh_login

pytestmark = pytest.mark.django_db


def _as(user):
    return login_verified(Client(), user)


def _ok(response, status=302):
    body = response.content.decode() if status != 302 and hasattr(response, "content") else ""
    assert response.status_code == status, body[:2000]
    return response


def test_from_call_to_closed_case_through_the_screens(orgs, owner, colleague, liaison):
    operator = make_staff("op1", orgs["county"], "hotline_operator")
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    # 1. The operator records the call.
    response = _as(operator).post(
        "/admin/hotline/new/",
        {"organisation": orgs["county"].pk, "channel": "phone", "received_at": now, "call_type": "complaint",
         "caller_phone": "13905621234", "caller_name": "陈晓梅", "caller_sex": "F", "caller_age_band": "35_59",
         "caller_education": "senior", "affected_is_caller": "on", "affected_sex": "U", "affected_age_band": "unknown",
         "risk_domestic_violence": "on", "narrative": "丈夫多次殴打", "advice": "建议报警并申请保护令",
         "outcome": "case", "satisfaction": "satisfied", "submission": "0b5f6a8e-3d3c-4a5e-9d0f-1a2b3c4d5e6f"},
    )  # fmt: skip
    contact = Contact.objects.get()
    assert response["Location"] == f"/admin/hotline/{contact.pk}/"
    # 2. The caseworker opens a case from it.
    caseworker = _as(owner)
    page = caseworker.get(f"/admin/cases/new/?contact={contact.pk}").content.decode()
    assert "13905621234" in page  # pre-filled from the call for the person opening the case
    response = caseworker.post(
        "/admin/cases/new/",
        {"contact": contact.pk, "organisation": orgs["county"].pk, "name": "陈晓梅", "phone": "13905621234",
         "sex": "F", "age": "36", "summary": "长期家暴"},
    )  # fmt: skip
    case = Case.objects.get()
    assert response["Location"] == f"/admin/cases/{case.pk}/"
    # 3. Consent, then referral to the police.
    _ok(caseworker.post(f"/admin/cases/{case.pk}/add/consent/",
                        {"purpose": "share", "member_unit": orgs["police"].pk, "given": "yes", "given_by": "self"}))  # fmt: skip
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    _ok(caseworker.post(f"/admin/cases/{case.pk}/add/referral/",
                        {"member_unit": orgs["police"].pk, "request": "请出警并开具告诫书", "deadline": deadline,
                         "shared_details": "求助人陈女士"}))  # fmt: skip
    referral = Referral.objects.get()
    # 4. The police liaison accepts and records the result.
    police = _as(liaison)
    detail = police.get(f"/admin/referrals/{referral.pk}/").content.decode()
    assert "请出警并开具告诫书" in detail
    assert "长期家暴" not in detail  # the case itself is not shared
    _ok(police.post(f"/admin/referrals/{referral.pk}/accept/", {"version": referral.version}))
    _ok(police.post(f"/admin/referrals/{referral.pk}/act/", {"text": "已出警"}))
    referral.refresh_from_db()
    _ok(
        police.post(
            f"/admin/referrals/{referral.pk}/complete/", {"version": referral.version, "result": "已开具告诫书"}
        )
    )
    assert Referral.objects.get().status == ReferralStatus.DONE
    assert police.get(f"/admin/cases/{case.pk}/").status_code == 404
    # 5. Workflow to closing, approved by the supervisor.
    for name, data in (("assess", {"assessment": "高风险"}), ("plan", {"plan": "法律援助+心理疏导"})):
        case.refresh_from_db()
        _ok(caseworker.post(f"/admin/cases/{case.pk}/do/{name}/", {"version": case.version, **data}))
    supervisor = _as(colleague)
    case.refresh_from_db()
    _ok(supervisor.post(f"/admin/cases/{case.pk}/do/decide/", {"version": case.version, "decision": "approve"}))
    case.refresh_from_db()
    _ok(caseworker.post(f"/admin/cases/{case.pk}/do/close/", {"version": case.version, "reason": "已解决"}))
    case.refresh_from_db()
    assert "待我审批" in supervisor.get("/admin/mywork/").content.decode()
    _ok(supervisor.post(f"/admin/cases/{case.pk}/do/decide/", {"version": case.version, "decision": "approve"}))
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    timeline = caseworker.get(f"/admin/cases/{case.pk}/").content.decode()
    for text in ("立案", "转介市公安局", "市公安局已接收转介", "市公安局办结转介", "批准结案待审批"[:4]):
        assert text in timeline, text
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"contact.create", "case.open", "case.consent", "case.referral_send", "case.referral_accept",
            "case.referral_done", "case.approve"} <= actions  # fmt: skip


def test_every_case_screen_answers_404_to_the_outsider(orgs, owner, outsider):
    case = make_case(orgs["county"], owner)
    party = case.parties.get()
    client = _as(outsider)
    for url in (f"/admin/cases/{case.pk}/", f"/admin/cases/{case.pk}/do/assess/", f"/admin/cases/{case.pk}/add/note/",
                f"/admin/cases/{case.pk + 999}/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/cases/{case.pk}/add/note/", {"text": "x"}).status_code == 404
    assert client.post(f"/admin/cases/parties/{party.pk}/reveal/name/").status_code in (302, 404)
    assert not case.notes.exists()
    assert "铜妇维" not in client.get("/admin/cases/").content.decode()


def test_a_concurrent_edit_is_refused_with_a_message(orgs, owner, colleague):
    case = make_case(orgs["county"], owner)
    stale = case.version
    s.case_update(actor=colleague, case=case, version=stale, summary="领导先改")
    response = _as(owner).post(
        f"/admin/cases/{case.pk}/do/edit/", {"version": stale, "summary": "承办人后改", "minor_involved": ""}
    )
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    assert Case.objects.get(pk=case.pk).summary == "领导先改"


def test_opening_a_second_case_for_the_same_person_warns_first(orgs, owner):
    existing = make_case(orgs["county"], owner)
    client = _as(owner)
    data = {"organisation": orgs["county"].pk, "name": "陈晓梅", "phone": "139 0562 1234", "sex": "F"}
    response = client.post("/admin/cases/new/", data)
    assert response.status_code == 200
    assert existing.number in response.content.decode()
    assert Case.objects.count() == 1
    _ok(client.post("/admin/cases/new/", {**data, "confirm_new": "on"}))
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("incident", {"occurred_on": "2999-01-01", "kind": "physical"}, "晚于今天"),
        ("party", {"role": "alleged", "name": "王某", "id_number": "340702199001011238", "sex": "M"}, "校验位"),
        ("task", {"title": "回访", "kind": "follow_up", "due_on": "2000-01-01"}, "早于今天"),
        ("referral", {"member_unit": "", "request": "", "deadline": ""}, "必需"),
        ("note", {"text": "x" * 6000}, "5000"),
    ],
)
def test_bad_input_on_case_forms_is_a_message(orgs, owner, name, data, message):
    case = make_case(orgs["county"], owner)
    response = _as(owner).post(f"/admin/cases/{case.pk}/add/{name}/", data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_referral_without_consent_is_blocked_on_the_screen(orgs, owner):
    case = make_case(orgs["county"], owner)
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = _as(owner).post(
        f"/admin/cases/{case.pk}/add/referral/",
        {"member_unit": orgs["police"].pk, "request": "请处理", "deadline": deadline, "override_reason": "紧急"},
    )
    assert response.status_code == 200
    assert "分管领导" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_case_list_filters_and_keeps_its_query_count(orgs, owner):
    for _ in range(3):
        make_case(orgs["county"], owner)
    client = _as(owner)
    client.get("/admin/cases/")  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/cases/?status=registered").status_code == 200
    for _ in range(12):
        make_case(orgs["county"], owner)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/admin/cases/?status=registered").content.decode()
    assert html.count("/admin/cases/") >= 15
    assert len(many) == len(few)
    assert "陈**" in html  # the helped person, masked
    assert "13905621234" not in html
    assert client.get("/admin/cases/?status=nonsense&opened_from=notadate").status_code == 200


def test_my_work_lists_my_tasks_and_the_liaison_s_incoming_referrals(orgs, owner, liaison):
    case = make_case(orgs["county"], owner)
    s.consent_record(actor=owner, case=case, purpose="share", member_unit=orgs["police"])
    s.referral_send(actor=owner, case=case, member_unit=orgs["police"], request="请协查",
                    deadline=timezone.localdate() + dt.timedelta(days=3))  # fmt: skip
    assert "完成初步评估" in _as(owner).get("/admin/mywork/").content.decode()
    assert case.number in _as(liaison).get("/admin/mywork/").content.decode()


def test_reveal_of_a_party_needs_fresh_login_and_is_audited(orgs, owner):
    case = make_case(orgs["county"], owner)
    party = case.parties.get()
    client = _as(owner)
    response = client.post(f"/admin/cases/parties/{party.pk}/reveal/phone/")
    assert response.status_code == 302
    assert "/admin/2fa/reauth/" in response["Location"]
    mark_fresh_login(client)
    response = client.post(f"/admin/cases/parties/{party.pk}/reveal/phone/")
    assert "13905621234" in response.content.decode()
    assert AuditEvent.objects.filter(action="case.reveal", target_id=str(case.pk)).exists()


def test_the_timeline_records_every_step(orgs, owner):
    case = make_case(orgs["county"], owner)
    s.note_add(actor=owner, case=case, text="电话回访")
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == ["open", "note"]


def test_a_double_click_saves_once(orgs, owner):
    import uuid

    from fulian.cases.models import CaseNote

    case = make_case(orgs["county"], owner)
    client = _as(owner)
    token = str(uuid.uuid4())
    for _ in range(2):
        assert client.post(f"/admin/cases/{case.pk}/add/note/", {"text": "电话回访", "once": token}).status_code == 302
    assert CaseNote.objects.filter(case=case).count() == 1
    # A failed submission does not use up its token: corrected, it saves.
    other = str(uuid.uuid4())
    assert client.post(f"/admin/cases/{case.pk}/add/task/", {"title": "回访", "kind": "follow_up", "due_on": "2000-01-01",
                                                            "once": other}).status_code == 200  # fmt: skip
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    client.post(
        f"/admin/cases/{case.pk}/add/task/", {"title": "回访", "kind": "follow_up", "due_on": due, "once": other}
    )
    assert case.tasks.filter(title="回访").count() == 1
    data = {
        "organisation": orgs["county"].pk,
        "name": "王芳",
        "phone": "13600000001",
        "sex": "F",
        "once": str(uuid.uuid4()),
    }
    client.post("/admin/cases/new/", data)
    client.post("/admin/cases/new/", data)
    assert Case.objects.count() == 2


def test_a_later_call_is_linked_by_case_number_and_parties_are_edited(orgs, owner, outsider):
    case = make_case(orgs["county"], owner)
    later = make_contact(orgs["county"], owner)
    response = _as(outsider).post(f"/admin/cases/link-contact/{later.pk}/", {"number": case.number})
    assert response.status_code == 404
    client = _as(owner)
    assert client.post(f"/admin/cases/link-contact/{later.pk}/", {"number": "不存在"}).status_code == 302
    response = client.post(f"/admin/cases/link-contact/{later.pk}/", {"number": case.number})
    assert response["Location"] == f"/admin/cases/{case.pk}/"
    assert Contact.objects.get(pk=later.pk).case == case
    party = case.parties.get()
    assert _as(outsider).get(f"/admin/cases/parties/{party.pk}/edit/").status_code == 404
    page = client.get(f"/admin/cases/parties/{party.pk}/edit/").content.decode()
    assert "139****1234" in page
    assert "13905621234" not in page
    data = {"role": "helped", "name": "", "phone": "", "sex": "F", "age": "37", "relationship": ""}
    assert client.post(f"/admin/cases/parties/{party.pk}/edit/", data).status_code == 302
    party.refresh_from_db()
    assert party.age == 37
    assert party.phone == "13905621234"  # blank kept the stored value
