"""Back-office sessions end after a period without activity (等保: 会话超时)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.audit.services import audit_record

KEY = "fulian_last_seen"
# Write the time back at most this often: a session save on every request would cost more than the check.
RESOLUTION = 30


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(KEY)
            if isinstance(last, int) and now - last > settings.IDLE_TIMEOUT_MINUTES * 60:
                audit_record(action="session.timeout", actor=user)
                logout(request)
                messages.info(
                    request,
                    _("您已超过 %(m)d 分钟未操作，为保护数据已自动退出，请重新登录。")
                    % {"m": settings.IDLE_TIMEOUT_MINUTES},
                )
                return redirect(f"{settings.LOGIN_URL_PATH}?{urlencode({'next': request.path})}")
            if not isinstance(last, int) or now - last >= RESOLUTION:
                request.session[KEY] = now
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """A back-office password older than PASSWORD_MAX_AGE_DAYS must be changed before anything else."""

    OPEN = ("/admin/account/", "/admin/logout/", "/admin/login/", "/admin/2fa/", "/admin/jsi18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        days = settings.PASSWORD_MAX_AGE_DAYS
        user = getattr(request, "user", None)
        if days and user is not None and request.path.startswith("/admin/") and not request.path.startswith(self.OPEN):
            profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
            changed = profile.password_changed_at if profile is not None else None
            if changed is not None and timezone.now() - changed > dt.timedelta(days=days):
                messages.warning(request, _("您的密码已使用超过 %(d)d 天，请先修改密码。") % {"d": days})
                return redirect("wagtailadmin_account")
        return self.get_response(request)
