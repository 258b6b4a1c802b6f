"""A WSGI layer in front of Django that answers public-page cache hits without entering Django.

A hit costs one cache round trip, which also counts the view, and the body gets the
fresh counts spliced in. Everything else (misses, admin, forms, logged-in editors) goes to
Django, whose middleware stores cacheable pages for next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from fulian.counters.visitors import countable_visitor
from fulian.pagecache.keys import cache_key
from fulian.pagecache.store import get_store

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class PageCacheApp:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = cache_key(environ)
        if key is not None:
            try:
                hit = get_store().hit(key, countable_visitor(environ))
            except Exception:
                # The cache is an accelerator: if it is down, Django serves (and counts) the page.
                logger.warning("page cache unavailable", exc_info=True)
                hit = None
            if hit is not None:
                body = hit.page.render(hit.page_views, hit.site_visits)
                headers = [*hit.page.headers, ("Content-Length", str(len(body))), ("X-Page-Cache", "hit")]
                start_response("200 OK", headers)
                return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]
        return self.app(environ, start_response)
