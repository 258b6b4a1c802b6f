"""Concurrency on PostgreSQL: two workers raise each reminder once; of two simultaneous rulings one is refused."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from fulian.cases.models import CaseEvent, PartyRole
from fulian.cases.services import party_add
from fulian.dv import services as dv
from fulian.dv.models import ProtectionOrder
from tests.dv.conftest import apply, granted
from tests.factories import make_case, make_org_tree, make_staff

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _in_threads(count: int, work) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as error:  # noqa: BLE001 - collected and asserted by the test
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _setup():
    orgs = make_org_tree()
    owner = make_staff("dv_owner", orgs["county"], "caseworker")
    case = make_case(orgs["county"], owner)
    abuser = party_add(actor=owner, case=case, role=PartyRole.ALLEGED, name="王某", relationship="丈夫")
    return owner, case, case.parties.get(role=PartyRole.HELPED), abuser


def test_simultaneous_workers_raise_each_reminder_once():
    owner, case, victim, abuser = _setup()
    for _n in range(3):
        apply(owner, case, victim, abuser, urgent=True, applied_at=timezone.now() - dt.timedelta(hours=30))
        granted(owner, case, victim, abuser, dv.add_months(timezone.localdate(), -6) + dt.timedelta(days=10))
    results = _in_threads(4, lambda n: dv.order_alerts())
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["ruling_overdue"] for r in results) == 3  # type: ignore[index]
    assert sum(r["expiring"] for r in results) == 3  # type: ignore[index]
    assert CaseEvent.objects.filter(kind="order_ruling_overdue").count() == 3
    assert CaseEvent.objects.filter(kind="order_expiring").count() == 3


def test_of_two_simultaneous_rulings_one_is_refused():
    owner, case, victim, abuser = _setup()
    order = apply(owner, case, victim, abuser, applied_at=timezone.now() - dt.timedelta(hours=5))

    def rule(n: int) -> str:
        fresh = ProtectionOrder.objects.select_related("case").get(pk=order.pk)
        outcome = "refused" if n else "granted"
        dv.order_rule(
            actor=owner, order=fresh, ruled_at=timezone.now(), outcome=outcome,
            measures_granted=[] if n else ["no_violence"], valid_until=None if n else timezone.localdate(),
        )  # fmt: skip
        return outcome

    results = _in_threads(2, rule)
    refused = [r for r in results if isinstance(r, ValidationError)]
    saved = [r for r in results if isinstance(r, str)]
    assert len(refused) == 1, results
    assert "已有裁定结果" in refused[0].messages[0]
    assert ProtectionOrder.objects.get(pk=order.pk).outcome == saved[0]
    assert CaseEvent.objects.filter(kind="order_ruling").count() == 1
