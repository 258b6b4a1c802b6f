"""The write paths for view counts (被阅览数, 总访问量)."""

from __future__ import annotations

import logging

from django.http import HttpRequest

from fulian.counters.backends import DatabaseCounter, ViewTally, get_counter
from fulian.counters.visitors import countable_visitor
from fulian.lib.env import redis_errors

logger = logging.getLogger(__name__)


def record_view(*, page_id: int, visitor: str | None) -> ViewTally:
    """Count one view of a page by a visitor (None: show the counts, count nothing)."""
    return get_counter().record(page_id=page_id, visitor=visitor)


def count_request_view(request: HttpRequest, *, page_id: int) -> ViewTally:
    """Count the view a request makes and keep the tally on the request for the template and page cache.

    If the live counter (Redis) is unreachable the page is still served, with the last
    counts the database holds: a lost view is better than a lost page.
    """
    try:
        tally = record_view(page_id=page_id, visitor=countable_visitor(request.META))
    except redis_errors():
        logger.warning("view counter unavailable; page served without counting", exc_info=True)
        database = DatabaseCounter()
        tally = ViewTally(False, database.page_views(page_id), database.site_visits())
    request.fulian_views = tally  # type: ignore[attr-defined]
    request.fulian_page_id = page_id  # type: ignore[attr-defined]
    return tally


def set_page_views(*, page_id: int, count: int) -> None:
    """Set a page's count outright (imported from the old site, or corrected by an administrator)."""
    if count < 0:
        raise ValueError("count must not be negative")
    get_counter().set_page_views(page_id=page_id, count=count)


def set_site_visits(*, count: int) -> None:
    if count < 0:
        raise ValueError("count must not be negative")
    get_counter().set_site_visits(count=count)


def flush_to_database() -> int:
    return get_counter().flush_to_database()
