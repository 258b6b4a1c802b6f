"""The admin login form, with a clear message for a locked account or address."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.forms.auth import LoginForm

from fulian.accounts import lockout
from fulian.audit.context import client_ip


class StaffLoginForm(LoginForm):
    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        until = lockout.locked_until(username, client_ip(self.request)) if username and self.request else None
        if until:
            minutes = max(int((until - timezone.now()).total_seconds() // 60) + 1, 1)
            raise forms.ValidationError(
                _("登录失败次数过多，已被锁定。请 %(m)d 分钟后再试，或联系安全管理员解锁。") % {"m": minutes},
                code="locked",
            )
        return super().clean()
