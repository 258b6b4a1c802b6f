"""Per-process memory of what public pages are built from, valid for one "content generation".

Routing a URL to a page, the channel bar, the footer settings, an article's neighbours and
its rendered body change only when editors publish something. Every such change bumps the
content generation (a Redis key, or the modification time of a file when there is no Redis);
each request first checks the generation and, if it moved, forgets everything memorised.
So memorised values are never older than the last publish, in every worker process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings

from fulian.lib.env import redis_errors
from fulian.lib.fastredis import ScriptCaller

T = TypeVar("T")
logger = logging.getLogger(__name__)

MAX_ENTRIES = 20_000

_lock = threading.Lock()
_entries: dict[Any, tuple[float, Any]] = {}
_generation: object = None


@lru_cache(maxsize=1)
def _redis() -> Any:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


@lru_cache(maxsize=1)
def _read_generation() -> ScriptCaller:
    # Read once per request: the lean caller costs a fraction of redis-py's GET.
    return ScriptCaller(settings.REDIS_URL, "return redis.call('GET', KEYS[1])")


@lru_cache(maxsize=1)
def generation_key() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'fulian')}:content:generation"


def _generation_file() -> Path:
    return Path(settings.DATA_DIR) / "content.generation"


def current_generation() -> object:
    if settings.REDIS_URL:
        return _read_generation()([generation_key()], [])
    try:
        return os.stat(_generation_file()).st_mtime_ns
    except FileNotFoundError:
        return None


def bump_generation() -> None:
    """Public content changed: every process forgets what it memorised."""
    if settings.REDIS_URL:
        _redis().incr(generation_key())
    else:
        path = _generation_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        # Two bumps within the file system's timestamp resolution must still differ.
        now = time.time_ns()
        os.utime(path, ns=(now, now))
    forget_all()


def sync() -> None:
    """Called once per request: drop memorised values if content changed since they were made.

    If the generation cannot be read (Redis down), nothing memorised can be trusted: forget
    everything and serve this request from the database.
    """
    global _generation
    try:
        generation = current_generation()
    except redis_errors():
        logger.warning("content generation unavailable; serving without memorised content", exc_info=True)
        forget_all()
        return
    if generation != _generation:
        with _lock:
            _entries.clear()
            _generation = generation


def synced_generation() -> str | None:
    """The generation this process last read (as text), or None if content changed since."""
    if isinstance(_generation, bytes):
        return _generation.decode()
    if _generation is None or isinstance(_generation, int):
        return "" if _generation is None else str(_generation)
    return None


def forget_all() -> None:
    global _generation
    with _lock:
        _entries.clear()
        _generation = object()  # never equal to a real generation: the next sync re-reads it


def remember(key: Any, compute: Callable[[], T], *, seconds: float | None = None) -> T:
    """The memorised value for key, computing it on first use (or after `seconds`)."""
    now = time.monotonic()
    hit = _entries.get(key)
    if hit is not None and (hit[0] == 0 or hit[0] > now):
        return hit[1]
    value = compute()
    if len(_entries) >= MAX_ENTRIES:
        with _lock:
            _entries.clear()
    _entries[key] = (now + seconds if seconds else 0, value)
    return value
