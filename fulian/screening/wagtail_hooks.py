from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from fulian.screening import views
from fulian.screening.models import ChildrenWorker
from fulian.security.access import may


class ScreeningMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", ChildrenWorker)


hooks.register("register_admin_urls", lambda: [path("screening/", include(views.urls()))])
hooks.register(
    "register_admin_menu_item",
    lambda: ScreeningMenuItem(_("入职查询"), reverse("screening_worker_list"), icon_name="user", order=216),
)
hooks.register("my_work_sections", views.my_work_section)
