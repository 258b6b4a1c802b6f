from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from fulian.hotline import views
from fulian.hotline.models import Category, Contact
from fulian.security.access import may


class HotlineMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", Contact)


def register_urls() -> list[Any]:
    return [path("hotline/", include(views.urls()))]


def register_menu() -> MenuItem:
    return HotlineMenuItem(_("12338 热线"), reverse("hotline_contact_list"), icon_name="mail", order=200)


hooks.register("register_admin_urls", register_urls)
hooks.register("register_admin_menu_item", register_menu)


class CategoryViewSet(ModelViewSet):
    """The two-level complaint categories, kept by the system administrator (never deleted once used)."""

    model = Category
    icon = "list-ul"
    menu_label = _("问题分类")
    menu_order = 810
    add_to_admin_menu = True
    form_fields = ["parent", "name", "order", "active"]
    list_display = ["name", "parent", "order", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    inspect_view_enabled = False
    copy_view_enabled = False


category_viewset = CategoryViewSet("hotline_categories")
hooks.register("register_admin_viewset", lambda: category_viewset)
