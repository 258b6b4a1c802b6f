"""Roles and login: the three administrators kept apart, lockout and unlock, demo accounts outside the demo."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from fulian.accounts import lockout
from fulian.accounts.models import LoginLock, StaffProfile
from fulian.accounts.roles import BY_CODE
from fulian.accounts.services import staff_set_roles
from fulian.audit.models import AuditEvent
from tests.factories import login_verified, make_org_tree, make_staff

pytestmark = pytest.mark.django_db
PASSWORD = "Tongling-2026-safe!"


@pytest.fixture
def orgs(db):
    return make_org_tree()


@pytest.fixture
def caseworker(orgs):
    user = make_staff("caseworker1", orgs["county"], "caseworker")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.mark.parametrize(
    ("first", "second"),
    [("system_admin", "security_admin"), ("security_admin", "audit_admin"), ("system_admin", "audit_admin")],
)
def test_no_account_holds_two_administrator_roles(orgs, first, second):
    with pytest.raises(ValidationError, match="不同的人"):
        make_staff("admin1", orgs["city"], first, second)
    user = make_staff("admin2", orgs["city"], first)
    group = Group.objects.get(name=BY_CODE[second].group)
    # Any path that adds the group is refused: the user's groups, or the group's members.
    with pytest.raises(ValidationError), transaction.atomic():
        user.groups.add(group)
    with pytest.raises(ValidationError), transaction.atomic():
        group.user_set.add(user)
    assert list(user.groups.values_list("name", flat=True)) == [BY_CODE[first].group]


def test_role_changes_are_audited(orgs):
    user = make_staff("someone", orgs["county"], "hotline_operator")
    staff_set_roles(actor=None, user=user, roles=["caseworker"])
    assert AuditEvent.objects.filter(action="role.change", target_id=str(user.pk)).exists()


def _login(client, password=PASSWORD, address="10.0.0.1"):
    return client.post("/admin/login/", {"username": "caseworker1", "password": password}, REMOTE_ADDR=address)


def test_five_failures_lock_the_account_and_say_so(client, caseworker):
    for _ in range(5):
        _login(client, "wrong-password")
    response = _login(client)  # even the right password is refused now
    assert response.status_code == 200
    assert "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.locked").exists()
    assert AuditEvent.objects.filter(action="login.failure").count() >= 5


def test_failures_from_one_address_lock_that_address(client, caseworker, orgs):
    other = make_staff("other1", orgs["county"], "caseworker")
    for n in range(5):
        client.post("/admin/login/", {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR="10.0.0.9")
    assert "已被锁定" in _login(client, address="10.0.0.9").content.decode()
    assert _login(client, address="10.0.0.2").status_code == 302  # another address is not locked
    del other


def test_the_security_administrator_unlocks(client, caseworker, orgs):
    for _ in range(5):
        _login(client, "wrong-password")
    security = make_staff("security1", orgs["city"], "security_admin")
    lock = LoginLock.objects.get(kind="account", key="caseworker1")
    lockout.unlock(actor=security, lock=lock)
    LoginLock.objects.filter(kind="address").delete()
    assert _login(client).status_code == 302
    assert AuditEvent.objects.filter(action="login.unlock", actor_username="security1").exists()


def test_a_lock_ends_after_its_time(client, caseworker, settings):
    settings.LOCKOUT_MINUTES = 0
    for _ in range(5):
        _login(client, "wrong-password")
    assert _login(client).status_code == 302


def test_demo_accounts_are_refused_outside_the_demo(client, caseworker, settings):
    StaffProfile.objects.filter(user=caseworker).update(demo=True)
    settings.DEMO_ACCOUNTS = False
    assert _login(client).status_code == 200
    settings.DEMO_ACCOUNTS = True
    assert _login(client).status_code == 302


def test_an_idle_session_ends_and_says_why(client, caseworker, settings, monkeypatch):
    import time

    login_verified(client, caseworker)
    assert client.get("/admin/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + settings.IDLE_TIMEOUT_MINUTES * 60 + 5)
    response = client.get("/admin/", follow=True)
    assert "未操作" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="session.timeout", actor_username="caseworker1").exists()


def test_activity_keeps_the_session(client, caseworker, settings, monkeypatch):
    import time

    login_verified(client, caseworker)
    now = time.time()
    for minutes in (10, 20, 30):  # each visit within the limit of the one before
        monkeypatch.setattr(time, "time", lambda m=minutes: now + m * 60)
        assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Tongling2026!x", True),
        ("tongling-2026-x", True),
        ("tonglingfulian", False),
        ("TONGLING20262026", False),
        ("Short1!", False),
    ],
)
def test_the_password_policy(caseworker, password, ok):
    from django.contrib.auth.password_validation import validate_password

    if ok:
        validate_password(password, caseworker)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, caseworker)


def test_an_old_password_must_be_changed_first(client, caseworker, settings):
    import datetime as dt

    from django.utils import timezone

    login_verified(client, caseworker)
    assert client.get("/admin/").status_code == 200
    StaffProfile.objects.filter(user=caseworker).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    response = client.get("/admin/", follow=True)
    assert "请先修改密码" in response.content.decode()
    caseworker.set_password("Another-Strong-2026!")
    caseworker.save()
    assert client.get("/admin/").status_code in {200, 302}
    changed = StaffProfile.objects.get(user=caseworker).password_changed_at
    assert changed is not None
    assert changed > timezone.now() - dt.timedelta(minutes=1)


def test_permission_changes_are_audited(orgs):
    from django.contrib.auth.models import Permission

    group = Group.objects.get(name="接线员")
    group.permissions.add(Permission.objects.get(codename="view_auditevent"))
    event = AuditEvent.objects.filter(action="role.permissions").latest("seq")
    assert event.detail == {"change": "add", "permissions": ["view_auditevent"]}


def test_the_user_form_refuses_two_administrator_roles_with_a_message(admin_client, orgs):
    user = make_staff("admin3", orgs["city"], "system_admin")
    groups = [Group.objects.get(name="系统管理员").pk, Group.objects.get(name="审计管理员").pk]
    response = admin_client.post(
        reverse("wagtailusers_users:edit", args=[user.pk]),
        {"username": "admin3", "email": "a3@example.com", "first_name": "A", "last_name": "B", "groups": groups,
         "is_active": "on", "password1": "", "password2": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "不同的人" in response.content.decode()
    assert list(user.groups.values_list("name", flat=True)) == ["系统管理员"]


def test_a_forged_csrf_token_gets_a_chinese_refusal_not_an_error(caseworker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/admin/login/", {"username": "caseworker1", "password": PASSWORD, "csrfmiddlewaretoken": "forged"}
    )
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    assert "验证失败" in response.content.decode()
    assert "_auth_user_id" not in client.session
