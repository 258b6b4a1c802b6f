"""Fresh re-authentication before exports, reveals and bulk actions (the person at the screen is the user)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import user_has_device

from fulian.accounts import lockout
from fulian.audit.context import client_ip
from fulian.audit.services import audit_record

KEY = "fulian_reauth_at"


def is_fresh(request: HttpRequest) -> bool:
    at = request.session.get(KEY)
    return isinstance(at, int) and time.time() - at <= settings.REAUTH_MINUTES * 60


def fresh_login_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Ask for the password (and a code) again unless given in the last REAUTH_MINUTES.

    After a POST (reveal), the user comes back to the page they were on and repeats the action.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if is_fresh(request):
            return view(request, *args, **kwargs)
        back = request.META.get("HTTP_REFERER", "") if request.method == "POST" else request.get_full_path()
        if not back or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/admin/"
        return redirect(f"{reverse('accounts_reauth')}?{urlencode({'next': back})}")

    return wrapped


class ReauthForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("密码"), widget=forms.PasswordInput, max_length=256)
    code = forms.CharField(label=gettext_lazy("验证码"), max_length=16, required=False)


def reauth(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(reverse("wagtailadmin_login"))
    target = request.GET.get("next") or request.POST.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    needs_code = user_has_device(request.user)
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from fulian.accounts.twofactor import matching_device

        ok = request.user.check_password(form.cleaned_data["password"])
        if ok and needs_code:
            ok = matching_device(request.user, form.cleaned_data["code"].strip()) is not None
        if ok:
            request.session[KEY] = int(time.time())
            audit_record(action="reauth.success")
            return redirect(target)
        audit_record(action="reauth.failure", outcome="failed")
        lockout.record_failure(request.user.get_username(), client_ip(request))
        form.add_error(None, _("密码或验证码不正确。"))
    return render(request, "accounts/reauth.html", {"form": form, "next": target, "needs_code": needs_code})
