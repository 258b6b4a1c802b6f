from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from fulian.protection import views
from fulian.protection.models import MandatoryReport, OneStopSite
from fulian.security.access import may


class ReportMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", MandatoryReport)


hooks.register("register_admin_urls", lambda: [path("protection/reports/", include(views.urls()))])
hooks.register(
    "register_admin_menu_item",
    lambda: ReportMenuItem(_("强制报告"), reverse("protection_report_list"), icon_name="warning", order=215),
)


class OneStopSiteViewSet(ModelViewSet):
    """一站式询问救助场所, kept by the system administrator (never deleted once used: deactivate)."""

    model = OneStopSite
    icon = "home"
    menu_label = _("一站式场所")
    menu_order = 820
    add_to_admin_menu = True
    form_fields = ["organisation", "name", "address", "rooms", "contact", "active"]
    list_display = ["name", "organisation", "address", "active"]
    list_filter = ["active"]
    search_fields = ["name", "address"]
    inspect_view_enabled = False
    copy_view_enabled = False


site_viewset = OneStopSiteViewSet("protection_sites")
hooks.register("register_admin_viewset", lambda: site_viewset)
hooks.register("case_detail_panels", views.case_panel)
hooks.register("my_work_sections", views.my_work_section)
