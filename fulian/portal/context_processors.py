"""What every public page's frame needs: site settings, the channel bar, the date line, the reading mode."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from fulian.pagecache.keys import CARE_COOKIE
from fulian.pagecache.memo import remember

WEEKDAYS = "一二三四五六日"


def date_line(now: Any = None) -> str:
    today = timezone.localdate(now)
    return f"{today.year}年{today.month}月{today.day}日 星期{WEEKDAYS[today.weekday()]}"


def portal(request: HttpRequest) -> dict[str, Any]:
    if request.path.startswith("/admin/"):
        return {}
    from fulian.portal.models import PortalSettings
    from fulian.portal.selectors import nav_pages
    from fulian.portal.serving import site_for

    site = site_for(request)
    if site is None:
        return {"today_line": date_line(), "care_mode": False}
    return {
        "portal_settings": remember(("settings", site.pk), lambda: PortalSettings.for_site(site)),
        "site_home": remember(("home", site.pk), lambda: site.root_page.specific),
        "nav_pages": remember(("nav", site.pk), lambda: nav_pages(site.root_page)),
        "today_line": date_line(),
        "care_mode": request.COOKIES.get(CARE_COOKIE) == "1",
    }
