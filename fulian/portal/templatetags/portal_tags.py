from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _tally(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return getattr(request, "fulian_views", None)


@register.simple_tag(takes_context=True)
def page_views(context: dict[str, Any]) -> SafeString:
    """被阅览数, wrapped in markers so a cached copy of the page gets the live number."""
    tally = _tally(context)
    return mark_safe(f"<!--pv-->{tally.page_views if tally else 0}<!--/pv-->")  # noqa: S308 - an int


@register.simple_tag(takes_context=True)
def site_visits(context: dict[str, Any]) -> SafeString:
    """总访问量, likewise marked for the page cache."""
    tally = _tally(context)
    if tally is None:
        from fulian.counters.backends import get_counter

        count = get_counter().site_visits()
    else:
        count = tally.site_visits
    return mark_safe(f"<!--sv-->{count}<!--/sv-->")  # noqa: S308 - an int
