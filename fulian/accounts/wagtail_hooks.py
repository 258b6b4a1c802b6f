from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from fulian.accounts import reauth, twofactor, views


class LockMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.has_perm(views.PERMISSION))


def register_urls() -> list[Any]:
    return [
        path("locks/", views.lock_list, name="accounts_lock_list"),
        path("locks/<int:pk>/unlock/", views.lock_release, name="accounts_lock_release"),
        path("2fa/", twofactor.enrol, name="accounts_2fa_enrol"),
        path("2fa/verify/", twofactor.verify, name="accounts_2fa_verify"),
        path("2fa/reauth/", reauth.reauth, name="accounts_reauth"),
    ]


def register_menu() -> MenuItem:
    return LockMenuItem(_("登录锁定"), reverse("accounts_lock_list"), icon_name="lock", order=850)


hooks.register("register_admin_urls", register_urls)
hooks.register("register_admin_menu_item", register_menu)
