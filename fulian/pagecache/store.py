"""Storage of rendered public pages, and the one-round-trip "serve and count" of a cache hit.

An entry is ``<page id>\\n<headers as JSON>\\n<body>``; the body carries the markers
``PAGE_VIEWS_MARK`` and ``SITE_VISITS_MARK`` where the live counts go, so a page served
from the cache still shows (and makes) the exact count.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from fulian.counters.backends import RedisCounter, get_counter

PAGE_VIEWS_MARK = b"\x00PV\x00"
SITE_VISITS_MARK = b"\x00SV\x00"


@dataclass(frozen=True)
class CachedPage:
    page_id: int
    headers: list[tuple[str, str]]
    body: bytes


def encode_entry(page_id: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    return b"%d\n%s\n%s" % (page_id, json.dumps(headers).encode(), body)


def decode_entry(blob: bytes) -> CachedPage:
    head, headers, body = blob.split(b"\n", 2)
    return CachedPage(int(head), [tuple(h) for h in json.loads(headers)], body)


# KEYS: entry key, site key, dirty set. ARGV: page-key prefix, seen-key prefix, visitor ('' = don't count), window.
# Returns nil on a miss; {entry, -1, -1, 0} when the counts still need seeding (Django path does it).
HIT_SCRIPT = """
local blob = redis.call('GET', KEYS[1])
if not blob then return nil end
local pid = string.match(blob, '^(%d+)\\n')
local pkey = ARGV[1] .. pid
local p = redis.call('GET', pkey)
local s = redis.call('GET', KEYS[2])
if not p or not s then return {blob, -1, -1, 0} end
if ARGV[3] ~= '' then
  local fresh = true
  if ARGV[4] ~= '0' then fresh = redis.call('SET', ARGV[2] .. pid .. ':' .. ARGV[3], '1', 'NX', 'EX', ARGV[4]) end
  if fresh then
    p = redis.call('INCR', pkey)
    s = redis.call('INCR', KEYS[2])
    redis.call('SADD', KEYS[3], pid, 'site')
    return {blob, p, s, 1}
  end
end
return {blob, tonumber(p), tonumber(s), 0}
"""


@dataclass(frozen=True)
class Hit:
    page: CachedPage
    page_views: int
    site_visits: int


class RedisPageStore:
    def __init__(self, counter: RedisCounter, seconds: int) -> None:
        self.counter = counter
        self.client = counter.client
        self.seconds = seconds
        self.entry_prefix = f"{counter.prefix}:page:"
        self.index_key = f"{counter.prefix}:page:index"
        self._hit = self.client.register_script(HIT_SCRIPT)

    def hit(self, key: str, visitor: str | None) -> Hit | None:
        result = self._hit(
            keys=[self.entry_prefix + key, self.counter.site_key, self.counter.dirty_key],
            args=[
                self.counter.page_prefix,
                self.counter.seen_prefix,
                visitor or "",
                settings.VIEW_REPEAT_WINDOW_SECONDS,
            ],
        )
        if result is None or int(result[1]) < 0:
            return None
        return Hit(decode_entry(result[0]), int(result[1]), int(result[2]))

    def put(self, key: str, entry: bytes) -> None:
        pipe = self.client.pipeline()
        pipe.set(self.entry_prefix + key, entry, ex=self.seconds)
        pipe.sadd(self.index_key, key)
        pipe.expire(self.index_key, self.seconds * 2)
        pipe.execute()

    def clear(self) -> None:
        keys = [
            self.entry_prefix + (k.decode() if isinstance(k, bytes) else str(k))
            for k in self.client.smembers(self.index_key)
        ]
        pipe = self.client.pipeline()
        for start in range(0, len(keys), 1000):
            pipe.delete(*keys[start : start + 1000])
        pipe.delete(self.index_key)
        pipe.execute()


class FilePageStore:
    """Pages as files (no Redis). Counting goes through the database counter."""

    def __init__(self, directory: Path, seconds: int) -> None:
        self.directory = directory
        self.seconds = seconds

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def hit(self, key: str, visitor: str | None) -> Hit | None:
        path = self._path(key)
        try:
            stat = path.stat()
            if time.time() - stat.st_mtime > self.seconds:
                return None
            blob = path.read_bytes()
        except OSError:
            return None
        page = decode_entry(blob)
        tally = get_counter().record(page_id=page.page_id, visitor=visitor)
        return Hit(page, tally.page_views, tally.site_visits)

    def put(self, key: str, entry: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{key}.{os.getpid()}.tmp")
        tmp.write_bytes(entry)
        os.replace(tmp, path)  # atomic: a reader sees the old file or the new one, never half

    def clear(self) -> None:
        if not self.directory.exists():
            return
        trash = self.directory.with_name(f"{self.directory.name}.old.{os.getpid()}.{time.time_ns()}")
        try:
            os.replace(self.directory, trash)
        except OSError:
            return
        shutil.rmtree(trash, ignore_errors=True)


@lru_cache(maxsize=1)
def get_store() -> RedisPageStore | FilePageStore:
    counter = get_counter()
    if isinstance(counter, RedisCounter):
        return RedisPageStore(counter, settings.PAGE_CACHE_SECONDS)
    return FilePageStore(settings.PAGE_CACHE_DIR, settings.PAGE_CACHE_SECONDS)


def clear_page_cache() -> None:
    get_store().clear()
