"""What every public page's frame needs: the channel bar, the date line, the reading mode."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from wagtail.models import Site

from fulian.pagecache.keys import CARE_COOKIE

WEEKDAYS = "一二三四五六日"


def date_line(now: Any = None) -> str:
    today = timezone.localdate(now)
    return f"{today.year}年{today.month}月{today.day}日 星期{WEEKDAYS[today.weekday()]}"


def portal(request: HttpRequest) -> dict[str, Any]:
    if request.path.startswith("/admin/"):
        return {}

    def nav() -> list[Any]:
        from fulian.portal.selectors import nav_pages

        site = Site.find_for_request(request)
        if site is None:
            return []
        return nav_pages(site.root_page)

    def home() -> Any:
        site = Site.find_for_request(request)
        return site.root_page if site else None

    return {
        "nav_pages": nav,  # callables are evaluated lazily by the template engine, once
        "site_home": home,
        "today_line": date_line(),
        "care_mode": request.COOKIES.get(CARE_COOKIE) == "1",
    }
