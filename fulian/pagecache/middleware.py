"""Stores anonymous public pages that Django rendered, for the WSGI front to serve next time."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from fulian.pagecache import memo
from fulian.pagecache.keys import cache_key
from fulian.pagecache.store import PAGE_VIEWS_MARK, SITE_VISITS_MARK, encode_entry, get_store

logger = logging.getLogger(__name__)

PAGE_VIEWS_RE = re.compile(rb"<!--pv-->\d+<!--/pv-->")
SITE_VISITS_RE = re.compile(rb"<!--sv-->\d+<!--/sv-->")
# Headers that describe one response to one client, not the page.
SKIP_HEADERS = {"content-length", "set-cookie", "x-page-cache"}


class PageCacheStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if hasattr(request, "fulian_page_id"):
            # Lets the edge server (nginx) log which page it served from its own cache.
            response.headers["X-Fulian-Page"] = str(request.fulian_page_id)
        if settings.PAGE_CACHE_ENABLED and self._cacheable(request, response):
            key = cache_key(request.META)
            generation = getattr(request, "fulian_generation", None)
            if key is not None and generation is not None:
                body = PAGE_VIEWS_RE.sub(b"<!--pv-->" + PAGE_VIEWS_MARK + b"<!--/pv-->", response.content)
                body = SITE_VISITS_RE.sub(b"<!--sv-->" + SITE_VISITS_MARK + b"<!--/sv-->", body)
                headers = [(k, v) for k, v in response.items() if k.lower() not in SKIP_HEADERS]
                try:
                    get_store().put(key, encode_entry(request.fulian_page_id, headers, body), generation)  # type: ignore[attr-defined]
                except Exception:
                    logger.warning("page cache store failed", exc_info=True)
            response.headers["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _cacheable(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            request.method == "GET"
            and response.status_code == 200
            and hasattr(request, "fulian_page_id")
            and not response.cookies
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and "private" not in response.get("Cache-Control", "")
        )


class ContentMemoMiddleware:
    """Checks the content generation once per request (see fulian.pagecache.memo)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(("/admin/", "/static/")):
            memo.sync()
            # What this response is built from: the page cache refuses it if a publish happens meanwhile.
            request.fulian_generation = memo.synced_generation()  # type: ignore[attr-defined]
        return self.get_response(request)
