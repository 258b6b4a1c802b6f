"""Pagination for long back-office lists: the count stops at a cap.

Counting every matching row of a million-row table costs more than showing the page; past a few
thousand rows nobody pages through a list anyway, they narrow the filters. So the count reads at
most `cap + 1` rows, the list says "more than N", and pages stop at the cap.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.utils import timezone


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    def __init__(self, object_list: Any, per_page: int, cap: int = 2000, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # COUNT over a LIMITed subquery of ids: at most cap + 1 rows are read.
        rows: Any = self.object_list
        return int(rows.order_by().values("pk")[: self.cap + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        return super().num_pages if not self.capped else -(-self.cap // self.per_page)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the site's time zone (date filters as index-friendly time ranges)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
