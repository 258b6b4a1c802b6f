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


class RoleMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.has_perm(views.ROLES_PERMISSION))


def register_urls() -> list[Any]:
    return [
        path("locks/", views.lock_list, name="accounts_lock_list"),
        path("locks/<int:pk>/unlock/", views.lock_release, name="accounts_lock_release"),
        path("roles/", views.role_list, name="accounts_role_list"),
        path("roles/<int:pk>/", views.role_edit, name="accounts_role_edit"),
        path("2fa/", twofactor.enrol, name="accounts_2fa_enrol"),
        path("2fa/verify/", twofactor.verify, name="accounts_2fa_verify"),
        path("2fa/reauth/", reauth.reauth, name="accounts_reauth"),
    ]


def register_menu() -> MenuItem:
    return LockMenuItem(_("登录锁定"), reverse("accounts_lock_list"), icon_name="lock", order=850)


def register_role_menu() -> MenuItem:
    return RoleMenuItem(_("角色分配"), reverse("accounts_role_list"), icon_name="group", order=840)


hooks.register("register_admin_urls", register_urls)
hooks.register("register_admin_menu_item", register_role_menu)
hooks.register("register_admin_menu_item", register_menu)
