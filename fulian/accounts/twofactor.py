"""Two-factor login (TOTP, RFC 6238) for every role that can read personal data, with recovery codes.

django-otp keeps the devices and refuses a code already used (it remembers the last time step);
this module decides who must use it and runs enrolment and verification in the admin.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fulian.accounts import lockout
from fulian.accounts.roles import ADMINISTRATOR_GROUPS, PERSONAL_DATA_GROUPS
from fulian.audit.context import client_ip
from fulian.audit.services import audit_record

RECOVERY_CODES = 10
OPEN_PATHS = ("/admin/2fa/", "/admin/logout/", "/admin/login/", "/admin/jsi18n/")


def required_for(user: Any) -> bool:
    """Roles that read personal data, and the three administrators, must use a second factor."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    names = set(user.groups.values_list("name", flat=True))
    return bool(names & (PERSONAL_DATA_GROUPS | ADMINISTRATOR_GROUPS))


class TwoFactorMiddleware:
    """After django-otp's middleware: an unverified user who needs a second factor may only enrol or verify."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        path = request.path
        if (
            settings.TWO_FACTOR_REQUIRED
            and user is not None
            and path.startswith("/admin/")
            and not path.startswith(OPEN_PATHS)
            and user.is_authenticated
            and not user.is_verified()
            and required_for(user)
        ):
            target = "accounts_2fa_verify" if user_has_device(user) else "accounts_2fa_enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': path})}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/admin/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/admin/"


def _failed(request: HttpRequest, form: CodeForm) -> HttpResponse | None:
    """A wrong code counts like a wrong password: five and the account is locked and logged out."""
    username = request.user.get_username()
    audit_record(action="2fa.failure", outcome="failed")
    lockout.record_failure(username, client_ip(request))
    if lockout.locked_until(username, client_ip(request)):
        logout(request)
        return redirect(reverse("wagtailadmin_login"))
    form.add_error("code", _("验证码不正确或已使用过，请输入验证器上最新的 6 位数字。"))
    return None


def enrol(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(reverse("wagtailadmin_login"))
    if user_has_device(request.user):
        return redirect(reverse("accounts_2fa_verify"))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first() or TOTPDevice.objects.create(
        user=request.user, name="TOTP", confirmed=False
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            with transaction.atomic():
                device.confirmed = True
                device.save()
                codes = _recovery_codes(request.user)
                audit_record(action="2fa.enrol")
            otp_login(request, device)
            return render(request, "accounts/2fa_codes.html", {"codes": codes, "next": _next(request)})
        if (done := _failed(request, form)) is not None:
            return done
    import segno

    uri = device.config_url
    return render(
        request,
        "accounts/2fa_enrol.html",
        {
            "form": form,
            "qr": segno.make(uri, error="m").svg_inline(scale=5),
            "secret": _base32(device),
            "next": _next(request),
        },
    )


def verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(reverse("wagtailadmin_login"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = matching_device(request.user, form.cleaned_data["code"].strip().replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            audit_record(action="2fa.success", detail={"recovery_code": isinstance(device, StaticDevice)})
            lockout.record_success(request.user.get_username())
            return redirect(_next(request))
        if (done := _failed(request, form)) is not None:
            return done
    return render(request, "accounts/2fa_verify.html", {"form": form, "next": _next(request)})


def matching_device(user: Any, code: str) -> Any:
    """Six digits: the authenticator; eight: a recovery code. Each kind is throttled on its own."""
    if not code.isdigit():
        return None
    model = TOTPDevice if len(code) == 6 else StaticDevice if len(code) == 8 else None
    if model is None:
        return None
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


def _base32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _recovery_codes(user: Any) -> list[str]:
    """Ten single-use codes for a lost phone; shown once, stored by django-otp."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes
