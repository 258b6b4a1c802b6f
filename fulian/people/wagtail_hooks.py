from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from fulian.people import views
from fulian.people.models import Person
from fulian.security.access import may


class PersonMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return may(request.user, "view", Person)


def register_urls() -> list[Any]:
    return [path("people/", include(views.urls()))]


def register_menu() -> MenuItem:
    return PersonMenuItem(_("服务对象"), reverse("people_person_list"), icon_name="user", order=300)


hooks.register("register_admin_urls", register_urls)
hooks.register("register_admin_menu_item", register_menu)
