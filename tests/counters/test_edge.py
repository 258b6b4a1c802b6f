"""Counting pages nginx served from its own cache, from its hit log."""

from __future__ import annotations

import os

import pytest

from fulian.counters.backends import get_counter
from fulian.counters.edge import ingest_hit_log, parse_hits
from tests.factories import BROWSER_UA, make_article

pytestmark = pytest.mark.django_db


def _line(page_id: int, address: str, ua: str = BROWSER_UA) -> bytes:
    return f"{page_id}\t{address}\t{ua}\n".encode()


def test_each_logged_view_is_counted_once(channel, counter_backend, tmp_path):
    article = make_article(channel)
    log = tmp_path / "hits.log"
    log.write_bytes(b"".join(_line(article.pk, f"10.0.0.{i}") for i in range(7)))
    report = ingest_hit_log(str(log))
    assert (report.lines, report.counted) == (7, 7)
    assert get_counter().page_views(article.pk) == 7
    # Reading again finds nothing new.
    assert ingest_hit_log(str(log)).lines == 0
    assert get_counter().page_views(article.pk) == 7


def test_crawlers_repeats_and_garbage_are_skipped(channel, counter_backend, tmp_path):
    article = make_article(channel)
    log = tmp_path / "hits.log"
    log.write_bytes(
        _line(article.pk, "10.0.0.1")
        + _line(article.pk, "10.0.0.1")  # quick repeat
        + _line(article.pk, "10.0.0.2", "Baiduspider")
        + b"not a hit line\n-\t-\t-\n"
    )
    report = ingest_hit_log(str(log))
    assert report.counted == 1
    assert get_counter().page_views(article.pk) == 1


def test_a_half_written_line_waits_for_the_next_read(channel, counter_backend, tmp_path):
    article = make_article(channel)
    log = tmp_path / "hits.log"
    whole = _line(article.pk, "10.0.0.1")
    log.write_bytes(whole + whole[:5])
    assert ingest_hit_log(str(log)).counted == 1
    with log.open("ab") as handle:
        handle.write(_line(article.pk, "10.0.0.2")[5:].replace(b"10.0.0.1", b"10.0.0.2"))
    with log.open("ab") as handle:
        handle.write(_line(article.pk, "10.0.0.3"))
    assert ingest_hit_log(str(log)).counted == 2
    assert get_counter().page_views(article.pk) == 3


def test_rotation_loses_nothing(channel, counter_backend, tmp_path):
    article = make_article(channel)
    log = tmp_path / "hits.log"
    log.write_bytes(_line(article.pk, "10.0.0.1"))
    ingest_hit_log(str(log))
    with log.open("ab") as handle:  # written after the last read, before rotation
        handle.write(_line(article.pk, "10.0.0.2"))
    os.replace(log, tmp_path / "hits.log.1")
    log.write_bytes(_line(article.pk, "10.0.0.3"))
    assert ingest_hit_log(str(log)).counted == 2
    assert get_counter().page_views(article.pk) == 3


def test_a_missing_log_is_not_an_error(tmp_path):
    assert ingest_hit_log(str(tmp_path / "absent.log")).lines == 0


def test_escaped_user_agents_are_decoded():
    hits = parse_hits(b"5\t1.2.3.4\tMozilla/5.0 \\xE4\\xB8\\xAD (Windows NT 10.0) Chrome/120\n")
    assert hits[0][0] == 5
    assert hits[0][1] is not None
