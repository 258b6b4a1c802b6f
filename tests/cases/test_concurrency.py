"""Concurrency on PostgreSQL: case numbers never repeat, and of two simultaneous edits one is refused."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from fulian.cases import services as s
from fulian.cases.models import Case
from fulian.security.access import EditConflict
from tests.factories import make_case, make_org_tree, make_staff

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL"),
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


def test_simultaneous_cases_get_distinct_numbers():
    assert connection.vendor == "postgresql"
    orgs = make_org_tree()
    owner = make_staff("case_owner", orgs["county"], "caseworker")
    results = _in_threads(8, lambda n: make_case(orgs["county"], owner, helped={"name": f"求助人{n}"}).number)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 8
    assert sorted(int(str(r)[-5:-1]) for r in results) == list(range(1, 9))


def test_of_two_simultaneous_edits_one_is_refused():
    orgs = make_org_tree()
    owner = make_staff("case_owner", orgs["county"], "caseworker")
    colleague = make_staff("case_colleague", orgs["city"], "supervisor")
    case = make_case(orgs["county"], owner)
    seen = case.version
    actors = [owner, colleague]

    def edit(n: int) -> str:
        fresh = Case.objects.get(pk=case.pk)
        s.case_update(actor=actors[n], case=fresh, version=seen, summary=f"修改{n}")
        return f"修改{n}"

    results = _in_threads(2, edit)
    conflicts = [r for r in results if isinstance(r, EditConflict)]
    saved = [r for r in results if isinstance(r, str)]
    assert len(conflicts) == 1
    assert len(saved) == 1
    assert Case.objects.get(pk=case.pk).summary == saved[0]
