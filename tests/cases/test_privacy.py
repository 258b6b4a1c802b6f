"""Minor-protection cases: the child's name (and everything that identifies the child) is shown
only on the case page, to the case's caseworker and supervisors, and to a member unit that has
accepted a referral."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fulian.cases import services as s
from fulian.cases.privacy import may_see_parties
from fulian.files.services import attachment_add
from fulian.protection.services import minor_protection_category
from tests.factories import login_verified, make_case, make_staff, mark_fresh_login

pytestmark = pytest.mark.django_db

CHILD = "林小雨"
MASKED = "林**"


@pytest.fixture
def child_case(orgs, owner):
    case = make_case(
        orgs["county"], owner, category=minor_protection_category(), minor_involved=True,
        helped={"name": CHILD, "phone": "13905620101", "sex": "F", "age": 12}, summary=f"{CHILD}在校外遭受侵害。",
    )  # fmt: skip
    assert case.caseworker == owner
    return case


@pytest.fixture
def adult_case(orgs, owner):
    return make_case(orgs["county"], owner, helped={"name": "陈晓梅", "phone": "13905621234", "sex": "F", "age": 34})


def _page(user, url):
    return login_verified(Client(), user).get(url)


def test_the_caseworker_and_the_supervisor_see_the_child_on_the_case_page(child_case, owner, colleague):
    for user in (owner, colleague):
        page = _page(user, f"/admin/cases/{child_case.pk}/").content.decode()
        assert MASKED in page
        assert f"{CHILD}在校外遭受侵害" in page
        assert "只向本案承办人和分管领导显示" not in page


@pytest.mark.parametrize("role", ["caseworker", "grassroots", "hotline_operator", "counsellor"])
def test_everyone_else_who_may_open_the_case_sees_it_hidden(orgs, child_case, role):
    other = make_staff(f"other_{role}", orgs["county"], role)
    response = _page(other, f"/admin/cases/{child_case.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert MASKED not in page
    assert CHILD not in page
    assert "（已隐藏）" in page
    assert "只向本案承办人和分管领导显示" in page


def test_an_ordinary_case_is_not_hidden_from_colleagues(orgs, adult_case):
    deskmate = make_staff("deskmate", orgs["county"], "caseworker")
    page = _page(deskmate, f"/admin/cases/{adult_case.pk}/").content.decode()
    assert "陈**" in page
    assert "（已隐藏）" not in page


def test_the_list_hides_the_child_even_from_the_caseworker(child_case, adult_case, owner):
    page = _page(owner, "/admin/cases/").content.decode()
    assert MASKED not in page
    assert "（已隐藏）" in page
    assert "陈**" in page


def test_reveal_edit_and_files_are_404_for_colleagues_without_the_right(orgs, child_case, owner):
    deskmate = make_staff("deskmate", orgs["county"], "caseworker")
    party = child_case.parties.get()
    client = mark_fresh_login(login_verified(Client(), deskmate))
    assert client.post(f"/admin/cases/parties/{party.pk}/reveal/name/").status_code == 404
    assert client.get(f"/admin/cases/parties/{party.pk}/edit/").status_code == 404
    with transaction_atomic():
        attachment = attachment_add(actor=owner, record=child_case, filename="验伤报告.txt", data=b"report")
    assert client.get(f"/admin/files/{attachment.pk}/").status_code == 404
    owners = login_verified(Client(), owner)
    assert owners.get(f"/admin/files/{attachment.pk}/").status_code == 200


def transaction_atomic():
    from django.db import transaction

    return transaction.atomic()


def test_a_liaison_sees_the_child_only_after_accepting(orgs, child_case, owner, liaison):
    s.consent_record(actor=owner, case=child_case, purpose="share", member_unit=orgs["police"],
                     given_by="guardian", guardian_name="林母")  # fmt: skip
    referral = s.referral_send(
        actor=owner,
        case=child_case,
        member_unit=orgs["police"],
        request="请依法调查",
        deadline=timezone.localdate() + dt.timedelta(days=7),
    )
    client = login_verified(Client(), liaison)
    assert CHILD not in client.get(f"/admin/referrals/{referral.pk}/").content.decode()
    assert client.get(f"/admin/cases/{child_case.pk}/").status_code == 404
    s.referral_accept(actor=liaison, referral=referral, version=referral.version)
    assert CHILD in client.get(f"/admin/referrals/{referral.pk}/").content.decode()


def test_the_rule_itself(orgs, child_case, adult_case, owner, colleague, outsider):
    deskmate = make_staff("deskmate", orgs["county"], "caseworker")
    assert may_see_parties(owner, child_case)
    assert may_see_parties(colleague, child_case)
    assert not may_see_parties(deskmate, child_case)
    assert not may_see_parties(outsider, child_case)
    assert may_see_parties(deskmate, adult_case)


def test_the_dv_and_protection_panels_hide_the_people_too(orgs, child_case, owner):
    from fulian.dv import services as dv

    abuser = s.party_add(actor=owner, case=child_case, role="alleged", name="赵某强", sex="M", age=40)
    victim = child_case.parties.get(role="helped")
    day = timezone.localdate() - dt.timedelta(days=2)
    letter = dv.letter_record(actor=owner, case=child_case, number="告字002号", police_unit="某派出所",
                              issued_on=day, abuser=abuser, victim=victim, facts="殴打")  # fmt: skip
    dv.visit_record(actor=owner, letter=letter, visited_on=day, visited_by="居委会", findings="赵某强仍在威胁")
    deskmate = make_staff("deskmate", orgs["county"], "caseworker")
    page = _page(deskmate, f"/admin/cases/{child_case.pk}/").content.decode()
    assert "赵*" not in page
    assert "仍在威胁" not in page
    assert _page(deskmate, f"/admin/dv/cases/{child_case.pk}/letters/new/").status_code == 404
    assert "赵**" in _page(owner, f"/admin/cases/{child_case.pk}/").content.decode()
