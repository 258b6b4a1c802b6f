from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from fulian.security.access import may
from fulian.targets import document_views, views
from fulian.targets.models import Letter, Return


class YearMenuItem(MenuItem):
    """The secretariat's years: letters per unit, rounds, the assessment."""

    def is_shown(self, request: Any) -> bool:
        return bool(request.user.has_perm("fulian_targets.view_targetyear"))


class LetterMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", Letter)


class ReturnMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", Return)


hooks.register(
    "register_admin_urls",
    lambda: [path("targets/", include(views.urls() + document_views.urls()))],
)
# Items of the joint meeting's submenu (built by fulian.jointmeeting from this hook).
hooks.register(
    "register_joint_meeting_menu_item",
    lambda: YearMenuItem(_("责任书与考核"), reverse("targets_year_list"), icon_name="date", order=40),
)
hooks.register(
    "register_joint_meeting_menu_item",
    lambda: LetterMenuItem(_("目标管理责任书"), reverse("targets_letter_list"), icon_name="doc-full", order=45),
)
hooks.register(
    "register_joint_meeting_menu_item",
    lambda: ReturnMenuItem(_("目标进展报送"), reverse("targets_return_list"), icon_name="upload", order=50),
)
hooks.register("my_work_sections", views.my_work_section)
