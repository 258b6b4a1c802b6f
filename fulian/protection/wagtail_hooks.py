from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from fulian.protection import views
from fulian.protection.models import MandatoryReport
from fulian.security.access import may


class ReportMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", MandatoryReport)


hooks.register("register_admin_urls", lambda: [path("protection/reports/", include(views.urls()))])
hooks.register(
    "register_admin_menu_item",
    lambda: ReportMenuItem(_("强制报告"), reverse("protection_report_list"), icon_name="warning", order=215),
)
