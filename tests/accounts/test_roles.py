"""Who assigns roles: the security administrator alone, on their own screen; never to themselves."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fulian.accounts.services import staff_set_roles
from fulian.audit.models import AuditEvent
from tests.factories import login_verified, make_org_tree, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(db):
    return make_org_tree()


@pytest.fixture
def security_admin(orgs):
    return make_staff("secadmin", orgs["city"], "security_admin")


@pytest.fixture
def system_admin(orgs):
    return make_staff("sysadmin", orgs["city"], "system_admin")


@pytest.fixture
def operator(orgs):
    return make_staff("operator1", orgs["county"], "hotline_operator")


def _groups(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_the_security_administrator_assigns_roles_and_it_is_audited(security_admin, operator):
    client = login_verified(Client(), security_admin)
    listing = client.get(reverse("accounts_role_list"), {"q": "operator"})
    assert listing.status_code == 200
    assert "operator1" in listing.content.decode()
    assert "接线员" in listing.content.decode()
    response = client.post(reverse("accounts_role_edit", args=[operator.pk]), {"roles": ["caseworker"]})
    assert response.status_code == 302
    assert _groups(operator) == ["维权干部"]
    event = AuditEvent.objects.filter(action="role.change", target_id=str(operator.pk)).order_by("-seq").first()
    assert event is not None
    assert event.actor_username == "secadmin"


def test_separation_is_a_message_on_the_role_screen(security_admin, operator):
    client = login_verified(Client(), security_admin)
    response = client.post(
        reverse("accounts_role_edit", args=[operator.pk]), {"roles": ["system_admin", "audit_admin"]}
    )
    assert response.status_code == 200
    assert "不同的人" in response.content.decode()
    assert _groups(operator) == ["接线员"]


def test_nobody_assigns_their_own_roles(security_admin):
    with pytest.raises(ValidationError, match="自己"):
        staff_set_roles(actor=security_admin, user=security_admin, roles=["security_admin", "caseworker"])
    client = login_verified(Client(), security_admin)
    response = client.post(reverse("accounts_role_edit", args=[security_admin.pk]), {"roles": ["caseworker"]})
    assert response.status_code == 200
    assert "自己" in response.content.decode()
    assert _groups(security_admin) == ["安全管理员"]


@pytest.mark.parametrize("who", ["system_admin", "operator"])
def test_others_cannot_open_the_role_screen_or_call_the_service(request, who, operator):
    actor = request.getfixturevalue(who)
    client = login_verified(Client(), actor)
    assert client.get(reverse("accounts_role_list")).status_code in (302, 403)
    client.post(reverse("accounts_role_edit", args=[operator.pk]), {"roles": ["supervisor"]})
    assert _groups(operator) == ["接线员"]
    with pytest.raises(PermissionDenied):
        staff_set_roles(actor=actor, user=operator, roles=["supervisor"])


def test_the_system_administrator_edits_accounts_but_not_their_roles(system_admin, operator):
    client = login_verified(Client(), system_admin)
    edit_url = reverse("wagtailusers_users:edit", args=[operator.pk])
    page = client.get(edit_url)
    assert page.status_code == 200
    assert 'name="groups"' not in page.content.decode()
    assert 'name="is_superuser"' not in page.content.decode()
    assert client.get(reverse("wagtailusers_users:add")).status_code == 200
    # A forged POST that sends roles anyway changes the account's details but not its roles.
    supervisor = Group.objects.get(name="分管领导").pk
    response = client.post(
        edit_url,
        {"username": "operator1", "email": "op@example.com", "first_name": "新", "last_name": "名",
         "groups": [supervisor], "is_superuser": "on", "is_active": "on", "password1": "", "password2": ""},
    )  # fmt: skip
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.first_name == "新"
    assert not operator.is_superuser
    assert _groups(operator) == ["接线员"]


def test_the_role_menu_shows_only_for_the_security_administrator(security_admin, system_admin):
    url = reverse("accounts_role_list")
    assert url in login_verified(Client(), security_admin).get("/admin/").content.decode()
    assert url not in login_verified(Client(), system_admin).get("/admin/").content.decode()
