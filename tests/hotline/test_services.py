"""Hotline services: intake, double submissions, caller history and flags, counselling's narrow audience,
ringing calls, and online requests with their tracking lookup."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fulian.hotline import services as s
from fulian.hotline.models import Category, Contact, CounsellingRecord
from fulian.security.access import EditConflict, visible
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db


def test_a_double_click_records_one_contact(orgs, owner):
    token = uuid.uuid4()
    first = make_contact(orgs["county"], owner, submission=token)
    second = make_contact(orgs["county"], owner, submission=token)
    assert first.pk == second.pk
    assert Contact.objects.count() == 1


def test_bad_intake_gets_chinese_messages(orgs, owner):
    family = Category.objects.get(name="婚姻家庭", parent=None)
    labour_child = Category.objects.get(name="劳动权益")
    cases: list[tuple[dict, str]] = [
        ({"received_at": timezone.now() + dt.timedelta(hours=2)}, "晚于现在"),
        ({"caller_phone": "12"}, "电话号码"),
        ({"category": family, "subcategory": labour_child}, "不属于"),
        ({"category": labour_child}, "一级分类"),
        ({"narrative": "  ", "call_type": "complaint"}, "来电内容"),
    ]
    for data, message in cases:
        with pytest.raises(ValidationError, match=message):
            make_contact(orgs["county"], owner, **data)
    # A silent call needs no narrative.
    assert make_contact(orgs["county"], owner, call_type="silent", narrative="", caller_phone="").pk


def test_script_in_text_is_kept_as_text(orgs, owner):
    contact = make_contact(orgs["county"], owner, narrative="<script>alert(1)</script>求助")
    assert Contact.objects.get(pk=contact.pk).narrative == "<script>alert(1)</script>求助"


def test_caller_history_is_found_by_the_number_within_scope(orgs, owner, outsider, colleague):
    make_contact(orgs["county"], owner, caller_phone="139 0562 1234")
    make_contact(orgs["county"], owner, caller_phone="+86 13905621234", outcome="callback")
    make_contact(orgs["county"], owner, caller_phone="13800000000")
    recent, total, _ = s.caller_history(owner, "13905621234")
    assert total == 2
    assert [c.outcome for c in recent] == ["callback", "advised"]
    assert s.caller_history(outsider, "13905621234")[1] == 0
    assert s.caller_history(colleague, "13905621234")[1] == 2
    assert s.caller_history(owner, "abc") == ([], 0, [])


def test_flagged_callers_show_in_the_history(orgs, owner, outsider):
    flag = s.caller_flag(actor=owner, organisation=orgs["county"], phone="13905621234", kind="abusive", note="多次辱骂")
    assert [f.pk for f in s.caller_history(owner, "13905621234")[2]] == [flag.pk]
    with pytest.raises(PermissionDenied):
        s.caller_flag(actor=outsider, organisation=orgs["county"], phone="13905621234", kind="prank")
    s.caller_unflag(actor=owner, flag=flag)
    assert s.caller_history(owner, "13905621234")[2] == []


def test_counselling_is_for_counsellors_and_their_supervisor_only(orgs, owner, counsellor, colleague):
    contact = make_contact(orgs["county"], owner, call_type="counselling")
    with pytest.raises(PermissionDenied):
        s.counselling_save(actor=owner, contact=contact, presenting_problem="焦虑")
    record = s.counselling_save(actor=counsellor, contact=contact, presenting_problem="焦虑失眠", risk_level="medium")
    assert list(visible(counsellor, CounsellingRecord)) == [record]
    assert list(visible(colleague, CounsellingRecord)) == [record]
    assert not visible(owner, CounsellingRecord).exists()
    caseworker = make_staff("cw_c", orgs["county"], "caseworker")
    assert not visible(caseworker, CounsellingRecord).exists()
    with pytest.raises(EditConflict):
        s.counselling_save(actor=counsellor, contact=contact, version=99, intervention="认知调整")


def test_a_ringing_call_names_a_random_key_not_the_number(orgs, owner, outsider):
    system, token = s.call_centre_create(actor=None, name="12338 呼叫中心", organisation=orgs["county"])
    assert s.call_centre_for_token(token) == system
    assert s.call_centre_for_token(token + "x") is None
    assert system.token_hash != token
    ring = s.ring_announce(system=system, phone="13905621234", operator=owner)
    assert "13905621234" not in ring.key
    assert s.ring_for_user(owner, ring.key) == ring
    assert s.ring_for_user(outsider, ring.key) is None
    with pytest.raises(ValidationError, match="接线员"):
        s.ring_announce(system=system, phone="13905621234", operator=outsider)


def test_an_online_request_lands_in_the_queue_and_is_tracked(orgs, owner):
    request = s.online_request_submit(
        narrative="遭受家暴，希望得到帮助", phone="13905625678", district=orgs["county"], consent_to_contact=True
    )
    assert request.tracking_number.startswith("WQ")
    assert request.contact.organisation == orgs["county"]
    assert request.contact.channel == "online"
    assert list(s.queue(owner)) == [request.contact]
    assert s.online_request_lookup(request.tracking_number, "5678") == request
    assert s.online_request_lookup(request.tracking_number, "1234") is None
    assert s.online_request_lookup("WQ000", "5678") is None
    s.online_request_reply(actor=owner, request=request, reply="已安排工作人员联系您", status="replied")
    found = s.online_request_lookup(request.tracking_number.lower(), "5678")
    assert found is not None
    assert found.public_reply == "已安排工作人员联系您"
    with pytest.raises(ValidationError, match="同意"):
        s.online_request_submit(narrative="x", phone="13905625678", consent_to_contact=False)


def test_the_add_call_centre_command_prints_a_working_token(orgs):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("add_call_centre", "呼叫中心", "340705", stdout=out)
    token = next(line for line in out.getvalue().splitlines() if "令牌" in line).split("：")[-1].strip()
    system = s.call_centre_for_token(token)
    assert system is not None
    assert system.organisation == orgs["county"]
    with pytest.raises(CommandError, match="找不到"):
        call_command("add_call_centre", "呼叫中心", "999999", stdout=io.StringIO())
