"""N parallel views raise the count by exactly N."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from fulian.counters.backends import get_counter
from tests.factories import BROWSER_UA, make_article, make_channel, make_home

PARALLEL_VIEWS = 40


def _parallel_views(url: str, n: int) -> list[int]:
    statuses: list[int] = []
    barrier = threading.Barrier(n)

    def view(i: int) -> None:
        client = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=f"10.1.{i // 250}.{i % 250}")
        barrier.wait()
        try:
            statuses.append(client.get(url).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=view, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_views_are_counted_exactly(counter_backend):
    if counter_backend == "database" and connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database is not shared between threads; runs on PostgreSQL")
    article = make_article(make_channel(make_home()))
    statuses = _parallel_views(article.url, PARALLEL_VIEWS)
    assert statuses == [200] * PARALLEL_VIEWS
    assert get_counter().page_views(article.pk) == PARALLEL_VIEWS
    assert get_counter().site_visits() == PARALLEL_VIEWS
