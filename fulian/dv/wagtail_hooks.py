from __future__ import annotations

from django.urls import include, path
from wagtail import hooks

from fulian.dv import views

hooks.register("register_admin_urls", lambda: [path("dv/", include(views.urls()))])
# Sections on the casework pages (fulian/cases/views.py `_panels`): each returns HTML or None.
hooks.register("case_detail_panels", views.case_panel)
hooks.register("my_work_sections", views.my_work_section)
