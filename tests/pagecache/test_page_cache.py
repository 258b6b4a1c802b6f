"""The public-page cache: hits skip Django yet still count and show the live count."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import RequestFactory

from fulian.counters.backends import get_counter
from fulian.counters.services import set_page_views
from fulian.pagecache.wsgi import PageCacheApp
from tests.factories import BROWSER_UA, make_article

pytestmark = pytest.mark.django_db


class Served:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status, self.headers, self.body = status, dict(headers), body
        self.text = body.decode()


@pytest.fixture
def app(settings, counter_backend):
    settings.PAGE_CACHE_ENABLED = True
    # As Django's test client does: keep the test's transaction open across "requests".
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield PageCacheApp(get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def get(app: PageCacheApp, path: str, *, address: str = "10.0.0.1", ua: str = BROWSER_UA, **extra: Any) -> Served:
    environ = RequestFactory().get(path, HTTP_USER_AGENT=ua, REMOTE_ADDR=address, **extra).environ
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured["status"], captured["headers"] = status, headers

    body = b"".join(app(environ, start_response))
    return Served(captured["status"], captured["headers"], body)


def test_a_second_visitor_is_served_from_the_cache_and_counted(channel, app):
    article = make_article(channel, "缓存文章")
    set_page_views(page_id=article.pk, count=100)
    first = get(app, article.url, address="10.0.0.1")
    second = get(app, article.url, address="10.0.0.2")
    assert first.headers["X-Page-Cache"] == "miss"
    assert second.headers["X-Page-Cache"] == "hit"
    assert "<!--pv-->101<!--/pv-->" in first.text
    assert "<!--pv-->102<!--/pv-->" in second.text
    assert get_counter().page_views(article.pk) == 102
    assert second.headers["Content-Length"] == str(len(second.body))
    assert second.headers["X-Fulian-Page"] == str(article.pk)
    assert "Content-Security-Policy" in second.headers


def test_cache_hits_follow_the_same_counting_rules(channel, app):
    article = make_article(channel)
    get(app, article.url, address="10.0.0.1")
    get(app, article.url, address="10.0.0.1")  # quick reload
    crawler = get(app, article.url, address="10.0.0.3", ua="Mozilla/5.0 (compatible; Baiduspider/2.0)")
    assert crawler.headers["X-Page-Cache"] == "hit"
    assert get_counter().page_views(article.pk) == 1


def test_publishing_empties_the_cache(channel, app, django_capture_on_commit_callbacks):
    get(app, channel.url)
    assert get(app, channel.url, address="10.0.0.2").headers["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        make_article(channel, "刚发布的新文章")
    fresh = get(app, channel.url, address="10.0.0.3")
    assert fresh.headers["X-Page-Cache"] == "miss"
    assert "刚发布的新文章" in fresh.text


def test_logged_in_editors_always_get_a_fresh_page(channel, app):
    get(app, channel.url)
    served = get(app, channel.url, HTTP_COOKIE="sessionid=abc")
    assert served.headers.get("X-Page-Cache") != "hit"


def test_care_mode_and_language_are_separate_copies(channel, app):
    get(app, channel.url)
    care = get(app, channel.url, HTTP_COOKIE="care=1")
    assert care.headers["X-Page-Cache"] == "miss"
    assert 'class="care"' in care.text
    assert get(app, channel.url, HTTP_COOKIE="care=1").headers["X-Page-Cache"] == "hit"


def test_odd_requests_bypass_the_cache(channel, app):
    long_query = get(app, channel.url + "?x=" + "y" * 200)
    assert long_query.status.startswith("200")
    assert long_query.headers.get("X-Page-Cache") == "miss"
    assert get(app, channel.url + "?x=" + "y" * 200).headers.get("X-Page-Cache") == "miss"
    missing = get(app, "/nowhere/")
    assert missing.status.startswith("404")
    assert "X-Page-Cache" not in missing.headers


def test_a_broken_cache_falls_back_to_django(channel, app, settings, monkeypatch):
    from fulian.pagecache import store

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr(store.get_store(), "hit", broken)
    served = get(app, channel.url)
    assert served.status.startswith("200")
    assert channel.title in served.text


def test_print_views_and_searches_are_not_cached(channel, app):
    article = make_article(channel)
    get(app, article.url + "print/")
    assert get(app, article.url + "print/").headers.get("X-Page-Cache") is None
    get(app, "/search/?q=x")
    assert get(app, "/search/?q=x").headers.get("X-Page-Cache") is None
