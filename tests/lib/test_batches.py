from __future__ import annotations

import pytest
from django.utils import timezone

from fulian.cases.models import CaseTask
from fulian.lib.batches import batched, claim_unset
from tests.factories import make_case, make_org_tree

pytestmark = pytest.mark.django_db


def test_batches_keep_every_item_in_order():
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]
    assert list(batched([], 2)) == []


def test_a_row_is_claimed_once():
    case = make_case(make_org_tree()["county"])
    tasks = [CaseTask.objects.create(case=case, title=f"事项{n}", due_on=timezone.localdate()) for n in range(3)]
    now = timezone.now()
    assert claim_unset(CaseTask, [tasks[0].pk], "escalated_at", now) == {tasks[0].pk}
    assert claim_unset(CaseTask, [t.pk for t in tasks], "escalated_at", now) == {tasks[1].pk, tasks[2].pk}
    assert claim_unset(CaseTask, [t.pk for t in tasks], "escalated_at", now) == set()
    assert claim_unset(CaseTask, [], "escalated_at", now) == set()
    assert CaseTask.objects.filter(escalated_at=now).count() == 3
