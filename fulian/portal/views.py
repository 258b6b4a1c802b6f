"""Plain Django views of the portal: error pages, reading-mode switch, search."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from fulian.pagecache.keys import CARE_COOKIE
from fulian.portal.models import ArticlePage


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No database or context processors here: the error may be the database itself.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def _safe_next(request: HttpRequest) -> str:
    """Where to go back to: ?next=, else the page the switch was clicked on, never another site."""
    target = request.GET.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return "/"
    return target


@require_GET
def toggle_care_mode(request: HttpRequest) -> HttpResponse:
    """适老化: switch large text and high contrast on or off; remembered for a year, works without JavaScript."""
    response = HttpResponseRedirect(_safe_next(request))
    if request.GET.get("on") == "1":
        response.set_cookie(
            CARE_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", secure=settings.HTTPS, httponly=True
        )
    else:
        response.delete_cookie(CARE_COOKIE, samesite="Lax")
    return response


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    from fulian.portal.search import run_search

    return render(request, "portal/search.html", run_search(request))


@require_GET
def legacy_article(request: HttpRequest) -> HttpResponse:
    """Old links (newsinfo.asp?id=N) lead permanently to the imported article."""
    raw = request.GET.get("id", "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise Http404
    article = ArticlePage.objects.live().public().filter(legacy_id=int(raw)).first()
    if article is None:
        raise Http404
    return HttpResponsePermanentRedirect(article.get_url(request))
