"""Plain Django views of the portal: error pages, reading-mode switch, search, 在线维权 (online help requests)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from fulian.counters.visitors import client_address
from fulian.hotline.services import online_request_lookup as lookup_request
from fulian.hotline.services import online_request_submit
from fulian.lib import ratelimit
from fulian.pagecache.keys import CARE_COOKIE
from fulian.portal import online_forms
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


# --- 在线维权: the public help request and its status lookup ------------------------------------------
# These pages carry a person's answers: never cached (never_cache sends no-store; the page cache keeps
# only Wagtail pages), and nothing personal ever goes into a URL. The tracking number reaches the
# "done" page through the session.

DONE_SESSION_KEY = "online_request_done"
PENDING = "pending"
# A request body of the form is a few kilobytes (2000 Chinese characters are 18 kB URL-encoded).
MAX_BODY_BYTES = 64 * 1024


def _token_key(token: str) -> str:
    return f"online_request:token:{token}"


PENDING_WAIT_SECONDS = 5.0


def _pause() -> None:
    time.sleep(0.1)


def _tracking_number_of(key: str) -> str | None:
    """The number a used token produced; waits a moment for a first click that is still being saved."""
    deadline = time.monotonic() + PENDING_WAIT_SECONDS
    value = cache.get(key)
    while value == PENDING and time.monotonic() < deadline:
        _pause()
        value = cache.get(key)
    return value if isinstance(value, str) and value != PENDING else None


def _sent_before(request: HttpRequest, form: online_forms.OnlineRequestForm, key: str) -> HttpResponse:
    """A second click on "submit" (or a resent form): the first request's number, never a second request."""
    used = _tracking_number_of(key)
    if used:
        return _done(request, used)
    form.add_error(None, _("您的求助正在提交，请不要重复点击；稍等片刻后再次点击“提交”。"))
    return _show_form(request, form)


def _done(request: HttpRequest, tracking_number: str) -> HttpResponse:
    # An empty number: the trap field was filled. The script sees "success", nothing was saved.
    request.session[DONE_SESSION_KEY] = {"n": tracking_number, "t": int(time.time())}
    return redirect("online_request_done")


def _show_form(request: HttpRequest, form: online_forms.OnlineRequestForm, *, status: int = 200) -> HttpResponse:
    form.renew_stamp_if_needed()
    return render(request, "portal/online_request.html", {"form": form}, status=status)


def _body_too_big(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return True


@never_cache
@require_http_methods(["GET", "POST"])
def online_request(request: HttpRequest) -> HttpResponse:
    """在线求助: a person asks the federation for help; the request lands in the hotline's queue."""
    if request.method != "POST":
        return _show_form(request, online_forms.OnlineRequestForm())
    if _body_too_big(request):
        return render(
            request,
            "portal/online_request.html",
            {"form": online_forms.OnlineRequestForm(), "refusal": _("提交的内容过长，请精简后重新填写。")},
            status=413,
        )
    if request.POST.get(online_forms.HONEYPOT):
        return _done(request, "")
    form = online_forms.OnlineRequestForm(request.POST)
    if not form.is_valid():
        return _show_form(request, form)
    key = _token_key(form.token)
    if cache.get(key) is not None:
        return _sent_before(request, form, key)
    address = client_address(request.META)
    if not ratelimit.allow(
        "online_request:hour", address, limit=settings.ONLINE_REQUEST_PER_HOUR, window=3600
    ) or not ratelimit.allow("online_request:day", address, limit=settings.ONLINE_REQUEST_PER_DAY, window=86400):
        form.add_error(
            None,
            _("从您的网络提交的求助过多，请稍后再试。如情况紧急，请直接拨打 12338；正面临人身危险，请立即拨打 110。"),
        )
        return _show_form(request, form, status=429)
    if not cache.add(key, PENDING, timeout=settings.ONLINE_REQUEST_MAX_AGE_SECONDS):
        return _sent_before(request, form, key)
    try:
        submitted = online_request_submit(**form.submission())
    except ValidationError as error:
        cache.delete(key)
        _add_service_errors(form, error)
        return _show_form(request, form)
    except BaseException:
        cache.delete(key)
        raise
    cache.set(key, submitted.tracking_number, timeout=settings.ONLINE_REQUEST_MAX_AGE_SECONDS)
    return _done(request, submitted.tracking_number)


def _add_service_errors(form: online_forms.OnlineRequestForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages in error.message_dict.items():
        name = online_forms.SERVICE_FIELDS.get(field)
        for message in messages:
            form.add_error(name, message)


@never_cache
@require_GET
def online_request_done(request: HttpRequest) -> HttpResponse:
    entry: Any = request.session.get(DONE_SESSION_KEY)
    if not isinstance(entry, dict) or time.time() - int(entry.get("t", 0)) > settings.ONLINE_REQUEST_MAX_AGE_SECONDS:
        request.session.pop(DONE_SESSION_KEY, None)
        return redirect("online_request")
    return render(request, "portal/online_request_done.html", {"tracking_number": str(entry.get("n") or "")})


@never_cache
@require_http_methods(["GET", "POST"])
def online_request_lookup(request: HttpRequest) -> HttpResponse:
    """办理查询: the status and public reply of a request, by its number and the phone's last four digits.

    POST only, so neither ever appears in an address; an unknown number and wrong digits get the same answer.
    """
    context: dict[str, Any] = {"form": online_forms.OnlineLookupForm(), "found": None, "message": ""}
    status = 200
    if request.method == "POST":
        form = online_forms.OnlineLookupForm(request.POST)
        context["form"] = form
        allowed = ratelimit.allow(
            "online_request:lookup",
            client_address(request.META),
            limit=settings.ONLINE_LOOKUP_LIMIT,
            window=settings.ONLINE_LOOKUP_WINDOW_SECONDS,
        )
        if not allowed:
            context["message"] = _("查询过于频繁，请稍后再试。如需帮助，请拨打 12338。")
            status = 429
        elif form.is_valid():
            found = lookup_request(form.cleaned_data["tracking_number"], form.cleaned_data["last_four"])
            if found is None:
                context["message"] = _("没有找到相符的记录。请核对查询编号和联系电话后四位后再试。")
            else:
                context["found"] = found
                context["form"] = online_forms.OnlineLookupForm()
    return render(request, "portal/online_request_lookup.html", context, status=status)
