"""Storage of rendered public pages, and the one-round-trip "serve and count" of a cache hit.

An entry is ``<page id>\\n<headers as JSON>\\n<body>``; the body carries the markers
``PAGE_VIEWS_MARK`` and ``SITE_VISITS_MARK`` where the live counts go, so a page served
from the cache still shows (and makes) the exact count.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from django.conf import settings

from fulian.counters.backends import RedisCounter, get_counter
from fulian.lib.fastredis import ScriptCaller
from fulian.pagecache import memo

PAGE_VIEWS_MARK = b"\x00PV\x00"
SITE_VISITS_MARK = b"\x00SV\x00"


_MARK_RE = re.compile(re.escape(PAGE_VIEWS_MARK) + b"|" + re.escape(SITE_VISITS_MARK))


@dataclass
class CachedPage:
    page_id: int
    headers: list[tuple[str, str]]
    body: bytes

    @cached_property
    def pieces(self) -> list[bytes]:
        """The body cut at the count markers (text, mark, text, mark, …), so a hit joins instead of searching."""
        pieces: list[bytes] = []
        last = 0
        for match in _MARK_RE.finditer(self.body):
            pieces += [self.body[last : match.start()], match.group()]
            last = match.end()
        pieces.append(self.body[last:])
        return pieces

    def render(self, page_views: int, site_visits: int) -> bytes:
        values = {PAGE_VIEWS_MARK: str(page_views).encode(), SITE_VISITS_MARK: str(site_visits).encode()}
        return b"".join([values.get(piece, piece) if i % 2 else piece for i, piece in enumerate(self.pieces)])


def encode_entry(page_id: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    return b"%d\n%s\n%s" % (page_id, json.dumps(headers).encode(), body)


def decode_entry(blob: bytes) -> CachedPage:
    head, headers, body = blob.split(b"\n", 2)
    return CachedPage(int(head), [tuple(h) for h in json.loads(headers)], body)


# KEYS: entry, site total, dirty set, content generation.
# ARGV: page-key prefix, seen-key prefix, visitor ('' = don't count), repeat window,
#       generation of the copy this process holds ('' = none), page id of that copy ('' = none).
# The entry itself is only sent when this process's copy is missing or out of date, so a
# typical hit moves a few bytes. Returns nil on a miss or when counts need seeding (Django does it).
HIT_SCRIPT = """
local gen = redis.call('GET', KEYS[4]) or ''
local blob = ''
local pid = ARGV[6]
if gen ~= ARGV[5] or pid == '' then
  local found = redis.call('GET', KEYS[1])
  if not found then return nil end
  blob = found
  pid = string.match(found, '^(%d+)\\n')
end
local pkey = ARGV[1] .. pid
local p = redis.call('GET', pkey)
local s = redis.call('GET', KEYS[2])
if not p or not s then return nil end
local counted = 0
if ARGV[3] ~= '' then
  local fresh = true
  if ARGV[4] ~= '0' then fresh = redis.call('SET', ARGV[2] .. pid .. ':' .. ARGV[3], '1', 'NX', 'EX', ARGV[4]) end
  if fresh then
    p = redis.call('INCR', pkey)
    s = redis.call('INCR', KEYS[2])
    redis.call('SADD', KEYS[3], pid, 'site')
    counted = 1
  end
end
return {blob, tonumber(p), tonumber(s), counted, gen}
"""

# KEYS: entry, index set, content generation. ARGV: entry, seconds, generation when rendering began, key.
# A page rendered from data older than the latest publish is not stored.
PUT_SCRIPT = """
if (redis.call('GET', KEYS[3]) or '') ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]) * 2)
return 1
"""

LOCAL_COPIES = 512


@dataclass(frozen=True)
class Hit:
    page: CachedPage
    page_views: int
    site_visits: int


class RedisPageStore:
    """Entries in Redis, shared by all workers; each worker also keeps the pages it serves in memory."""

    def __init__(self, counter: RedisCounter, seconds: int) -> None:
        self.counter = counter
        self.client = counter.client
        self.seconds = seconds
        self.entry_prefix = f"{counter.prefix}:page:"
        self.index_key = f"{counter.prefix}:page:index"
        self._hit = ScriptCaller(settings.REDIS_URL, HIT_SCRIPT)
        self._put = self.client.register_script(PUT_SCRIPT)
        # key -> (generation, expiry, page): copies served without moving the body over the wire.
        self._local: dict[str, tuple[bytes, float, CachedPage]] = {}

    def hit(self, key: str, visitor: str | None) -> Hit | None:
        held = self._local.get(key)
        if held is not None and held[1] < time.monotonic():
            held = None
        result = self._hit(
            [self.entry_prefix + key, self.counter.site_key, self.counter.dirty_key, memo.generation_key()],
            [
                self.counter.page_prefix,
                self.counter.seen_prefix,
                visitor or "",
                settings.VIEW_REPEAT_WINDOW_SECONDS,
                held[0] if held else "",
                held[2].page_id if held else "",
            ],
        )
        if result is None:
            self._local.pop(key, None)
            return None
        blob, page_views, site_visits, _counted, generation = result
        if blob:
            if len(self._local) >= LOCAL_COPIES:
                self._local.clear()
            page = decode_entry(blob)
            self._local[key] = (generation, time.monotonic() + self.seconds, page)
        else:
            page = held[2]  # type: ignore[index]
        return Hit(page, int(page_views), int(site_visits))

    def put(self, key: str, entry: bytes, generation: str) -> None:
        self._put(
            keys=[self.entry_prefix + key, self.index_key, memo.generation_key()],
            args=[entry, self.seconds, generation, key],
        )

    def clear(self) -> None:
        self._local.clear()
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

    def put(self, key: str, entry: bytes, generation: str) -> None:
        if str(memo.current_generation() or "") != generation:
            return  # rendered from data older than the latest publish
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
