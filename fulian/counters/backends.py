"""Where live counts are kept: Redis when REDIS_URL is set, the database otherwise.

Both backends are exact under concurrency: Redis by atomic Lua scripts, the database by
``UPDATE … SET count = count + 1`` inside a transaction. With Redis the database copy is
brought up to date by ``flush_to_database`` (run by the worker every few seconds).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from fulian.counters.models import PageViews, RecentView, VisitTotal
from fulian.lib.fastredis import ScriptCaller

SITE_TOTAL = "site"


@dataclass(frozen=True)
class ViewTally:
    counted: bool
    page_views: int
    site_visits: int


class DatabaseCounter:
    """Counts straight into the database (no Redis): one short transaction per view."""

    def record(self, *, page_id: int, visitor: str | None) -> ViewTally:
        if visitor is None:
            return ViewTally(False, self.page_views(page_id), self.site_visits())
        with transaction.atomic():
            if settings.VIEW_REPEAT_WINDOW_SECONDS > 0 and not _first_view_in_window(page_id, visitor):
                return ViewTally(False, self.page_views(page_id), self.site_visits())
            page_views = _increment(PageViews, "page_id", page_id)
            site_visits = _increment(VisitTotal, "name", SITE_TOTAL)
        return ViewTally(True, page_views, site_visits)

    def record_many(self, hits: list[tuple[int, str | None]]) -> int:
        return sum(self.record(page_id=page_id, visitor=visitor).counted for page_id, visitor in hits)

    def page_views(self, page_id: int) -> int:
        return PageViews.objects.filter(page_id=page_id).values_list("count", flat=True).first() or 0

    def site_visits(self) -> int:
        return VisitTotal.objects.filter(name=SITE_TOTAL).values_list("count", flat=True).first() or 0

    def set_page_views(self, *, page_id: int, count: int) -> None:
        PageViews.objects.update_or_create(page_id=page_id, defaults={"count": count})

    def set_site_visits(self, *, count: int) -> None:
        VisitTotal.objects.update_or_create(name=SITE_TOTAL, defaults={"count": count})

    def flush_to_database(self) -> int:
        return 0


def _first_view_in_window(page_id: int, visitor: str) -> bool:
    """Records the visit; False if the same visitor viewed the page within the repeat window.

    One atomic upsert: a row still inside its window is left alone (no row changed).
    """
    now = time.time()
    key = hashlib.blake2b(f"{page_id}:{visitor}".encode(), digest_size=16).hexdigest()
    table = connection.ops.quote_name(RecentView._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("key", "until") VALUES (%s, %s) '  # noqa: S608 - table name from the model
            f'ON CONFLICT ("key") DO UPDATE SET "until" = excluded."until" WHERE {table}."until" < %s',
            [key, now + settings.VIEW_REPEAT_WINDOW_SECONDS, now],
        )
        return cursor.rowcount == 1


def purge_recent_views() -> int:
    deleted, _ = RecentView.objects.filter(until__lt=time.time()).delete()
    return deleted


def _increment(model: Any, key_field: str, key: int | str) -> int:
    """count = count + 1, returning the new count, in one statement (UPDATE … RETURNING)."""
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(key_field).column)
    sql = f"UPDATE {table} SET count = count + 1 WHERE {column} = %s RETURNING count"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    try:
        with transaction.atomic():
            model.objects.create(**{key_field: key, "count": 1})
        return 1
    except IntegrityError:
        # Another request created the row first; add to it instead.
        return _increment(model, key_field, key)


# KEYS: page key, site key, seen key, dirty set. ARGV: page id, repeat window, count (1/0).
# Answers {-1,0,0} when a key is missing so Python can seed it from the database first.
RECORD_SCRIPT = """
local p = redis.call('GET', KEYS[1])
local s = redis.call('GET', KEYS[2])
if not p or not s then return {-1, 0, 0} end
if ARGV[3] == '1' then
  local fresh = true
  if ARGV[2] ~= '0' then fresh = redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[2]) end
  if fresh then
    p = redis.call('INCR', KEYS[1])
    s = redis.call('INCR', KEYS[2])
    redis.call('SADD', KEYS[4], ARGV[1], 'site')
    return {1, p, s}
  end
end
return {0, tonumber(p), tonumber(s)}
"""


class RedisCounter:
    """Live totals in Redis (one atomic script per view); the database holds the flushed copy."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        self.page_prefix = f"{prefix}:views:page:"
        self.site_key = f"{prefix}:views:site"
        self.dirty_key = f"{prefix}:views:dirty"
        self.seen_prefix = f"{prefix}:views:seen:"
        self._record_batch = self.client.register_script(RECORD_SCRIPT)  # pipelined, for batches
        self._record = ScriptCaller(url, RECORD_SCRIPT)  # one view per call, the request path

    def page_key(self, page_id: int) -> str:
        return f"{self.page_prefix}{page_id}"

    def seed(self, page_id: int) -> None:
        """Load the database counts into Redis where Redis has none (first view, or Redis restarted)."""
        db = DatabaseCounter()
        pipe = self.client.pipeline()
        pipe.set(self.page_key(page_id), db.page_views(page_id), nx=True)
        pipe.set(self.site_key, db.site_visits(), nx=True)
        pipe.execute()

    def record(self, *, page_id: int, visitor: str | None) -> ViewTally:
        keys = [self.page_key(page_id), self.site_key, f"{self.seen_prefix}{page_id}:{visitor}", self.dirty_key]
        args = [page_id, settings.VIEW_REPEAT_WINDOW_SECONDS, "1" if visitor else "0"]
        result = self._record(keys, args)
        if result[0] == -1:
            self.seed(page_id)
            result = self._record(keys, args)
        return ViewTally(result[0] == 1, int(result[1]), int(result[2]))

    def record_many(self, hits: list[tuple[int, str | None]]) -> int:
        """Count a batch (the edge hit log) in pipelined round trips."""
        page_ids = sorted({page_id for page_id, _ in hits})
        present = self.client.mget([self.page_key(pid) for pid in page_ids] + [self.site_key])
        for page_id, value in zip(page_ids, present[:-1], strict=True):
            if value is None or present[-1] is None:
                self.seed(page_id)
        counted = 0
        for start in range(0, len(hits), 1000):
            pipe = self.client.pipeline(transaction=False)
            for page_id, visitor in hits[start : start + 1000]:
                self._record_batch(
                    keys=[
                        self.page_key(page_id),
                        self.site_key,
                        f"{self.seen_prefix}{page_id}:{visitor}",
                        self.dirty_key,
                    ],
                    args=[page_id, settings.VIEW_REPEAT_WINDOW_SECONDS, "1" if visitor else "0"],
                    client=pipe,
                )
            counted += sum(1 for result in pipe.execute() if result[0] == 1)
        return counted

    def page_views(self, page_id: int) -> int:
        value = self.client.get(self.page_key(page_id))
        return int(value) if value is not None else DatabaseCounter().page_views(page_id)

    def site_visits(self) -> int:
        value = self.client.get(self.site_key)
        return int(value) if value is not None else DatabaseCounter().site_visits()

    def set_page_views(self, *, page_id: int, count: int) -> None:
        DatabaseCounter().set_page_views(page_id=page_id, count=count)
        self.client.set(self.page_key(page_id), count)

    def set_site_visits(self, *, count: int) -> None:
        DatabaseCounter().set_site_visits(count=count)
        self.client.set(self.site_key, count)

    def flush_to_database(self) -> int:
        """Copy the live totals of every page viewed since the last flush into the database.

        SPOP before GET: a view that lands in between puts the page back in the dirty set,
        so the next flush carries it; nothing is lost and nothing is added twice (we copy
        totals, not deltas).
        """
        flushed = 0
        while True:
            members = self.client.spop(self.dirty_key, 500)
            if not members:
                return flushed
            names = [m.decode() if isinstance(m, bytes) else str(m) for m in members]
            page_ids = [int(n) for n in names if n.isdigit()]
            values = self.client.mget([self.page_key(pid) for pid in page_ids] + [self.site_key])
            rows = [
                PageViews(page_id=pid, count=int(v))
                for pid, v in zip(page_ids, values[:-1], strict=True)
                if v is not None
            ]
            with transaction.atomic():
                if rows:
                    _upsert_page_views(rows)
                if "site" in names and values[-1] is not None:
                    VisitTotal.objects.update_or_create(name=SITE_TOTAL, defaults={"count": int(values[-1])})
            flushed += len(rows)


def _upsert_page_views(rows: list[PageViews]) -> None:
    from wagtail.models import Page

    # A page deleted since it was viewed has no row to attach the count to.
    existing = set(Page.objects.filter(pk__in=[r.page_id for r in rows]).values_list("pk", flat=True))
    PageViews.objects.bulk_create(
        [r for r in rows if r.page_id in existing],
        update_conflicts=True,
        unique_fields=["page"],
        update_fields=["count"],
    )


@lru_cache(maxsize=1)
def get_counter() -> DatabaseCounter | RedisCounter:
    if settings.REDIS_URL:
        return RedisCounter(settings.REDIS_URL, settings.CACHES["default"].get("KEY_PREFIX", "fulian"))
    return DatabaseCounter()
