"""Two-factor login: required for roles that read personal data, enrolment, codes used once, recovery codes."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fulian.audit.models import AuditEvent
from tests.factories import make_org_tree, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(db):
    return make_org_tree()


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_a_caseworker_must_enrol_before_anything_else(client, orgs):
    client.force_login(make_staff("cw", orgs["county"], "caseworker"))
    response = client.get("/admin/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/2fa/")
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page  # the QR code, drawn here: nothing fetched from the internet


def test_roles_without_personal_data_are_not_asked(client, orgs):
    client.force_login(make_staff("editor1", orgs["city"], "web_editor"))
    assert client.get("/admin/").status_code == 200


def test_enrolment_then_codes_are_single_use(client, orgs):
    user = make_staff("cw", orgs["county"], "caseworker")
    client.force_login(user)
    client.get("/admin/2fa/")
    device = TOTPDevice.objects.get(user=user)
    used = _code(device)
    response = client.post("/admin/2fa/", {"code": used})
    codes = response.context["codes"]
    assert len(codes) == 10
    assert client.get("/admin/people/").status_code == 200
    assert AuditEvent.objects.filter(action="2fa.enrol", actor_username="cw").exists()

    # A new login: the code just used is refused (replay), a recovery code works once.
    client.logout()
    client.force_login(user)
    device.refresh_from_db()
    response = client.post("/admin/2fa/verify/", {"code": used})  # the very code already used
    assert "已使用过" in response.content.decode()
    assert client.post("/admin/2fa/verify/", {"code": codes[0]}).status_code == 302
    client.logout()
    client.force_login(user)
    assert "已使用过" in client.post("/admin/2fa/verify/", {"code": codes[0]}).content.decode()


def test_a_wrong_code_gets_a_message(client, orgs):
    client.force_login(make_staff("cw", orgs["county"], "caseworker"))
    client.get("/admin/2fa/")
    assert "验证码不正确" in client.post("/admin/2fa/", {"code": "000000"}).content.decode()
    assert "验证码不正确" in client.post("/admin/2fa/", {"code": "not a code"}).content.decode()


def test_five_wrong_codes_lock_the_account(client, orgs):
    user = make_staff("cw", orgs["county"], "caseworker")
    TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    client.force_login(user)
    for _ in range(5):
        response = client.post("/admin/2fa/verify/", {"code": "123456"}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="2fa.failure").count() == 5


def test_the_next_address_stays_on_this_site(client, orgs):
    user = make_staff("cw", orgs["county"], "caseworker")
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    client.force_login(user)
    response = client.post("/admin/2fa/verify/?next=https://evil.example/", {"code": _code(device)})
    assert response["Location"] == "/admin/"
