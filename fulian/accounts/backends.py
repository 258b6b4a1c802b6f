"""Login for back-office staff: locked accounts and addresses, and demo accounts outside the demo, are refused."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from fulian.accounts import lockout
from fulian.audit.context import client_ip


class StaffBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        address = client_ip(request) if request is not None else ""
        if username and lockout.locked_until(username, address):
            return None  # the login form explains the lock (accounts/forms.py)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            if username:
                lockout.record_failure(username, address)
            return None
        profile = getattr(user, "staff_profile", None)
        if profile is not None and profile.demo and not settings.DEMO_ACCOUNTS:
            return None
        lockout.record_success(username or "")
        return user
