"""Who is visiting, decided from the WSGI environ alone (shared by Django views and the page cache).

Nothing here stores an address: a visitor is a keyed hash of address and browser that
changes every day, used only to ignore quick repeat loads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone

# Search engines, feed readers, link checkers and HTTP libraries. Chinese engines first: they
# dominate a .gov.cn site's crawler traffic.
CRAWLER_PATTERN = re.compile(
    r"bot\b|bot/|spider|crawl|slurp|baiduspider|sogou|360spider|haosouspider|yisouspider|bytespider|"
    r"petalbot|yandex|bingpreview|facebookexternalhit|headless-?shell|phantomjs|python-requests|"
    r"python-urllib|aiohttp|httpx|go-http-client|java/|okhttp|libwww|wget|curl|scrapy|apache-httpclient|"
    r"feed|rss|monitor|uptime|check_http|lighthouse|pagespeed|preview",
    re.IGNORECASE,
)

EDGE_COUNTS_HEADER = "HTTP_X_FULIAN_EDGE_COUNTS"


@lru_cache(maxsize=4096)
def is_crawler(user_agent: str) -> bool:
    # A browser always sends a User-Agent; an empty one is a script. (Cached: the same few
    # hundred agents make almost all requests, and the pattern is long.)
    if not user_agent or len(user_agent) < 10:
        return True
    return CRAWLER_PATTERN.search(user_agent) is not None


@lru_cache(maxsize=1)
def _trusted_proxies() -> frozenset[str]:
    return frozenset(settings.TRUSTED_PROXIES)


def client_address(environ: Mapping[str, Any]) -> str:
    """The visitor's address: REMOTE_ADDR, or the nearest untrusted hop behind our own proxies."""
    remote = str(environ.get("REMOTE_ADDR", ""))
    if remote not in _trusted_proxies():
        return remote
    forwarded = str(environ.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if hop not in _trusted_proxies():
            return hop[:64]
    return remote


def edge_counts(environ: Mapping[str, Any]) -> bool:
    """True when a trusted reverse proxy (nginx) counts this request itself from its log."""
    return environ.get(EDGE_COUNTS_HEADER) == "1" and str(environ.get("REMOTE_ADDR", "")) in _trusted_proxies()


@lru_cache(maxsize=2)
def _daily_key(day: str) -> bytes:
    return hashlib.blake2b(f"{settings.SECRET_KEY}|visitor|{day}".encode(), digest_size=32).digest()


@lru_cache(maxsize=2)
def _today(minute: int) -> str:
    return timezone.localdate().isoformat()


def visitor_key(address: str, user_agent: str, *, today: dt.date | None = None) -> str:
    day = today.isoformat() if today else _today(int(time.time()) // 60)
    return hashlib.blake2b(f"{address}|{user_agent}".encode(), key=_daily_key(day), digest_size=12).hexdigest()


def countable_visitor(environ: Mapping[str, Any]) -> str | None:
    """The visitor key when this request should count as a view, else None."""
    if edge_counts(environ):
        return None
    user_agent = str(environ.get("HTTP_USER_AGENT", ""))[:512]
    if is_crawler(user_agent):
        return None
    return visitor_key(client_address(environ), user_agent)
