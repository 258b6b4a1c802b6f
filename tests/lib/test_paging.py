"""Long lists count at most `cap + 1` rows and stop paging at the cap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fulian.lib.paging import CappedPaginator, day_start
from fulian.orgs.models import Organisation
from tests.factories import make_org_tree

pytestmark = pytest.mark.django_db


def test_the_count_stops_at_the_cap():
    make_org_tree()
    everything = Organisation.objects.order_by("pk")  # five organisations
    capped = CappedPaginator(everything, per_page=2, cap=3)
    assert capped.count == 4
    assert capped.capped
    assert capped.num_pages == 2
    assert capped.get_page(99).number == 2
    whole = CappedPaginator(everything, per_page=2, cap=10)
    assert whole.count == 5
    assert not whole.capped
    assert whole.num_pages == 3


def test_a_day_starts_at_local_midnight():
    start = day_start(dt.date(2026, 11, 29))
    assert timezone.localtime(start).hour == 0
    assert start.utcoffset() == dt.timedelta(hours=8)
