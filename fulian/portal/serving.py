"""Serving public pages: Wagtail's own serve view, with routing memorised per content generation.

Stock Wagtail looks up the site, walks the page tree (two queries a level) and reads view
restrictions on every request. Here those answers are memorised until the next publish
(see fulian.pagecache.memo); the security hooks still run for every request.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from wagtail import hooks
from wagtail.models import Site
from wagtail.url_routing import RouteResult
from wagtail.views import serve_chain
from wagtail.wagtail_hooks import check_view_restrictions

from fulian.pagecache.memo import remember


def site_for(request: HttpRequest) -> Site | None:
    """The Wagtail site of this request (memorised by host), also cached on the request as Wagtail expects."""
    if not hasattr(request, "_wagtail_site"):
        try:
            host = request.get_host()
        except Exception:  # noqa: BLE001 - DisallowedHost etc.: let Wagtail decide as it would
            host = ""
        request._wagtail_site = remember(("site", host), lambda: Site.find_for_request(request))  # type: ignore[attr-defined]
        request._wagtail_cached_site_root_paths = remember(("root-paths",), Site.get_site_root_paths)  # type: ignore[attr-defined]
    return request._wagtail_site  # type: ignore[attr-defined]


def _route(site: Site, request: HttpRequest, path: str) -> RouteResult | None:
    components = [component for component in path.split("/") if component]
    try:
        return site.root_page.localized.specific.route(request, components)
    except Http404:
        return None


def serve_page(request: HttpRequest, path: str) -> HttpResponse:
    site = site_for(request)
    if site is None:
        raise Http404
    route = remember(("route", site.pk, path), lambda: _route(site, request, path))
    if route is None:
        raise Http404
    page, args, kwargs = route
    request._wagtail_route_for_request = route  # type: ignore[attr-defined]

    restricted = remember(("restricted", page.pk), lambda: page.get_view_restrictions().exists())
    chain: Any = serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        if fn is check_view_restrictions and not restricted:
            continue  # no restriction on this page or its ancestors: nothing to check
        chain = fn(chain)
    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return chain(page, request, args, kwargs)
