"""服务对象 in the admin: scoped, masked, revealed only with the permission and always audited."""

from __future__ import annotations

import pytest
from django.db import connection

from fulian.audit.models import AuditEvent
from fulian.people.models import Person
from tests.factories import login_verified, make_org_tree, make_person, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(db):
    return make_org_tree()


@pytest.fixture
def person(orgs):
    return make_person(orgs["township"], name="陈晓梅", phone="13905621234", address="铜官区五一社区某小区")


@pytest.fixture
def caseworker(orgs, client):
    user = make_staff("cw", orgs["county"], "caseworker")
    login_verified(client, user)
    return user


def _as(client, user):
    return login_verified(client, user)


def test_the_list_is_masked_and_scoped(client, orgs, person, caseworker):
    make_person(orgs["sibling"], name="王丽", phone="13605620000")
    html = client.get("/admin/people/").content.decode()
    assert "陈**" in html
    assert "139****1234" in html
    assert "13905621234" not in html
    assert "陈晓梅" not in html
    assert "136****0000" not in html  # another county's person


def test_outsiders_and_missing_records_get_404(client, orgs, person):
    _as(client, make_staff("other", orgs["sibling"], "caseworker"))
    assert client.get(f"/admin/people/{person.pk}/").status_code == 404
    assert client.get("/admin/people/999999/").status_code == 404


def _reauthenticate(client, user):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user.set_password("Reveal-Check-2026!")
    user.save()
    client.force_login(user)
    login_verified(client, user)
    device = TOTPDevice.objects.get(user=user)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(
        "/admin/2fa/reauth/", {"password": "Reveal-Check-2026!", "code": code, "next": "/admin/people/"}
    )
    assert response.status_code == 302


def test_reveal_asks_for_the_password_and_code_again(client, person, caseworker):
    response = client.post(f"/admin/people/{person.pk}/reveal/phone/", HTTP_REFERER=f"/admin/people/{person.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/2fa/reauth/")
    assert not AuditEvent.objects.filter(action="person.reveal").exists()
    wrong = client.post("/admin/2fa/reauth/", {"password": "wrong", "code": "123456"})
    assert "不正确" in wrong.content.decode()


def test_reveal_needs_the_permission_and_is_audited(client, orgs, person, caseworker):
    _reauthenticate(client, caseworker)
    response = client.post(f"/admin/people/{person.pk}/reveal/phone/")
    assert "13905621234" in response.content.decode()
    event = AuditEvent.objects.filter(action="person.reveal").latest("seq")
    assert (event.actor_username, event.target_id, event.detail) == ("cw", str(person.pk), {"field": "phone"})
    operator = make_staff("op", orgs["county"], "hotline_operator")  # operators may view, not reveal
    _reauthenticate(client, operator)
    assert client.post(f"/admin/people/{person.pk}/reveal/phone/").status_code == 404
    assert client.get(f"/admin/people/{person.pk}/reveal/phone/").status_code == 405


def test_a_bad_id_number_gets_a_chinese_message_and_nothing_is_saved(client, orgs, caseworker):
    before = Person.objects.count()
    response = client.post(
        "/admin/people/add/",
        {"name": "李娜", "id_number": "340702199001011230", "sex": "F", "organisation": orgs["county"].pk},
    )
    assert "校验位不正确" in response.content.decode()
    assert Person.objects.count() == before


def test_a_concurrent_edit_is_refused_not_overwritten(client, orgs, person, caseworker):
    form = {"sex": "F", "organisation": orgs["township"].pk, "version": person.version}
    assert client.post(f"/admin/people/{person.pk}/edit/", {**form, "address": "新地址一"}).status_code == 302
    response = client.post(f"/admin/people/{person.pk}/edit/", {**form, "address": "新地址二"})
    assert "已被他人修改" in response.content.decode()
    assert Person.objects.get(pk=person.pk).address == "新地址一"
    event = AuditEvent.objects.filter(action="person.change").latest("seq")
    assert event.detail == {"changed": {"address": "changed", "sex": ["U", "F"]}}  # plain: old → new


def test_blank_personal_fields_keep_their_values_on_edit(client, orgs, person, caseworker):
    form = {"sex": "M", "organisation": orgs["township"].pk, "version": person.version}
    client.post(f"/admin/people/{person.pk}/edit/", form)
    saved = Person.objects.get(pk=person.pk)
    assert (saved.name, saved.phone, saved.sex) == ("陈晓梅", "13905621234", "M")
    assert "139****1234" in client.get(f"/admin/people/{person.pk}/edit/").content.decode()
    assert "13905621234" not in client.get(f"/admin/people/{person.pk}/edit/").content.decode()


@pytest.mark.parametrize("query", ["139 0562 1234", "+86 13905621234"])
def test_find_by_phone_through_the_blind_index(client, person, caseworker, query):
    assert "陈**" in client.post("/admin/people/", {"q": query}).content.decode()


def test_a_lookup_never_puts_the_number_in_the_address(client, person, caseworker):
    response = client.get("/admin/people/", {"q": "13905621234"})
    assert "陈**" in response.content.decode()  # a GET query is ignored: the full list
    assert 'method="post" role="search"' in response.content.decode()
    event = AuditEvent.objects.filter(action="person.list").latest("seq")
    assert "13905621234" not in str(event.detail)


def test_a_fragment_gets_an_explanation(client, person, caseworker):
    html = client.post("/admin/people/", {"q": "陈"}).content.decode()
    assert "不能按片段搜索" in html
    assert "陈**" not in html


def test_tampered_data_stops_with_a_clear_page(client, person, caseworker):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM fulian_people_person WHERE id = %s", [person.pk])
        raw = cursor.fetchone()[0]
        cursor.execute("UPDATE fulian_people_person SET phone = %s WHERE id = %s", [raw[:-6] + "AAAAAA", person.pk])
    response = client.get(f"/admin/people/{person.pk}/")
    assert response.status_code == 409
    assert "完整性校验" in response.content.decode()
    assert AuditEvent.objects.filter(action="data.integrity").exists()
