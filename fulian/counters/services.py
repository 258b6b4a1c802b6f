"""The write paths for view counts (被阅览数, 总访问量)."""

from __future__ import annotations

from django.http import HttpRequest

from fulian.counters.backends import ViewTally, get_counter
from fulian.counters.visitors import countable_visitor, edge_counts


def record_view(*, page_id: int, visitor: str | None) -> ViewTally:
    """Count one view of a page by a visitor (None: show the counts, count nothing)."""
    return get_counter().record(page_id=page_id, visitor=visitor)


def count_request_view(request: HttpRequest, *, page_id: int) -> ViewTally:
    """Count the view a request makes and keep the tally on the request for the template and page cache."""
    tally = record_view(page_id=page_id, visitor=countable_visitor(request.META))
    request.fulian_views = tally  # type: ignore[attr-defined]
    request.fulian_page_id = page_id  # type: ignore[attr-defined]
    request.fulian_edge_counts = edge_counts(request.META)  # type: ignore[attr-defined]
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
