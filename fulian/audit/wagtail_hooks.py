from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from fulian.audit import views


class AuditMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.has_perm("fulian_audit.view_auditevent"))


def register_urls() -> list[Any]:
    return [
        path("audit/", views.audit_list, name="audit_list"),
        path("audit/export/", views.audit_export, name="audit_export"),
    ]


def register_menu() -> MenuItem:
    return AuditMenuItem(_("审计记录"), reverse("audit_list"), icon_name="list-ul", order=900)


hooks.register("register_admin_urls", register_urls)
hooks.register("register_admin_menu_item", register_menu)
