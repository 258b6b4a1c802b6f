from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from fulian.ledger import import_views, stats_views, views
from fulian.ledger.models import Family, FamilyType, RiskGrade
from fulian.security.access import may


class LedgerMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", Family)


hooks.register(
    "register_admin_urls",
    lambda: [path("ledger/", include(views.urls() + import_views.urls() + stats_views.urls()))],
)
hooks.register(
    "register_admin_menu_item",
    lambda: LedgerMenuItem(_("重点家庭台账"), reverse("ledger_family_list"), icon_name="home", order=230),
)
hooks.register("my_work_sections", views.my_work_section)


def admin_css() -> str:
    return format_html('<link rel="stylesheet" href="{}">', static("fulian/css/admin.css"))


hooks.register("insert_global_admin_css", admin_css)


class FamilyTypeViewSet(ModelViewSet):
    """Family types, kept by the system administrator (deactivate rather than delete once used)."""

    model = FamilyType
    icon = "tag"
    menu_label = _("家庭类型")
    menu_order = 830
    add_to_admin_menu = True
    form_fields = ["code", "name", "order", "active"]
    list_display = ["name", "code", "order", "active"]
    inspect_view_enabled = False
    copy_view_enabled = False


class RiskGradeViewSet(ModelViewSet):
    """Risk grades and the visit period each sets."""

    model = RiskGrade
    icon = "warning"
    menu_label = _("风险等级")
    menu_order = 831
    add_to_admin_menu = True
    form_fields = ["code", "name", "colour", "visit_every_days", "severity", "opens_case", "active"]
    list_display = ["name", "visit_every_days", "severity", "opens_case", "active"]
    inspect_view_enabled = False
    copy_view_enabled = False


family_types = FamilyTypeViewSet("ledger_family_types")
risk_grades = RiskGradeViewSet("ledger_risk_grades")
hooks.register("register_admin_viewset", lambda: family_types)
hooks.register("register_admin_viewset", lambda: risk_grades)
