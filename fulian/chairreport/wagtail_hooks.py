"""工作报告 in the admin: the report's pages under /admin/chairreport/ and its item in the 联席会议
submenu (shown to whoever may view reports: the secretariat)."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from fulian.chairreport import document_views, views
from fulian.chairreport.models import ChairReport
from fulian.security.access import may


class ReportMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", ChairReport)


hooks.register("register_admin_urls", lambda: [path("chairreport/", include(views.urls() + document_views.urls()))])
hooks.register(
    "register_joint_meeting_menu_item",
    lambda: ReportMenuItem(_("工作报告"), reverse("chairreport_list"), icon_name="doc-full", order=60),
)
