from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from fulian.cases import views
from fulian.cases.models import Case, Referral
from fulian.security.access import may


class CaseMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", Case)


class ReferralMenuItem(MenuItem):
    """The member units' liaisons: referrals sent to their unit. Federation staff see referrals on the case."""

    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", Referral) and not may(request.user, "view", Case)


class MyWorkMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return views.sees_my_work(request.user)


def register_urls() -> list[Any]:
    return [
        path("cases/", include(views.urls())),
        path("referrals/", include(views.referral_urls())),
        path("mywork/", views.my_work, name="cases_my_work"),
    ]


hooks.register("register_admin_urls", register_urls)
hooks.register(
    "register_admin_menu_item",
    lambda: MyWorkMenuItem(_("我的工作"), reverse("cases_my_work"), icon_name="tasks", order=100),
)
hooks.register(
    "register_admin_menu_item",
    lambda: CaseMenuItem(_("维权个案"), reverse("cases_case_list"), icon_name="folder-open-inverse", order=210),
)
hooks.register(
    "register_admin_menu_item",
    lambda: ReferralMenuItem(_("转介办理"), reverse("cases_referral_list"), icon_name="resubmit", order=220),
)
