"""With REDIS_URL set but Redis unreachable, public pages are still served."""

from __future__ import annotations

import pytest

from fulian.counters import backends
from fulian.pagecache import memo, store
from tests.factories import BROWSER_UA, make_article

pytestmark = pytest.mark.django_db


def test_pages_are_served_when_redis_is_down(channel, client, settings):
    article = make_article(channel, "断线测试")
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    backends.get_counter.cache_clear()
    store.get_store.cache_clear()
    memo._read_generation.cache_clear()
    memo.forget_all()
    response = client.get(article.url, HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 200
    assert "断线测试" in response.content.decode()
    assert "<!--pv-->0<!--/pv-->" in response.content.decode()


def test_search_and_404_pages_are_served_when_redis_is_down(home, client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    backends.get_counter.cache_clear()
    memo._read_generation.cache_clear()
    memo.forget_all()
    assert client.get("/search/", {"q": "家庭"}).status_code == 200
    assert client.get("/missing/").status_code == 404
