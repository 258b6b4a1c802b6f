"""The audit trail is append-only in effect: any edited, inserted or deleted row is found and named."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fulian.audit.chain import chain_hash, row_values
from fulian.audit.models import AuditEvent
from fulian.audit.services import audit_record
from fulian.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(db):
    return [audit_record(action="test.event", target_type="x", target_id=str(n), detail={"n": n}) for n in range(6)]


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify_fails_naming(seq: int) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=io.StringIO(), stderr=err)
    assert f"第 {seq} " in err.getvalue()
    return err.getvalue()


def test_an_intact_chain_verifies(chain):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"共 {AuditEvent.objects.count()} 条" in out.getvalue()
    assert [e.seq for e in chain] == list(range(chain[0].seq, chain[0].seq + 6))


def test_an_edited_row_is_named(chain):
    _sql("UPDATE fulian_audit_auditevent SET action = %s WHERE seq = %s", ["login.success", chain[2].seq])
    assert "被修改" in _verify_fails_naming(chain[2].seq)


def test_a_deleted_row_is_named(chain):
    _sql("DELETE FROM fulian_audit_auditevent WHERE seq = %s", [chain[3].seq])
    assert "缺失" in _verify_fails_naming(chain[3].seq)


def test_deleting_the_last_rows_is_found(chain):
    _sql("DELETE FROM fulian_audit_auditevent WHERE seq >= %s", [chain[4].seq])
    assert not verify_chain().ok


def test_an_inserted_row_is_named(chain):
    # A forger without the audit key: a row squeezed in with a recomputed plain SHA-256.
    forged = AuditEvent(**{**{f.name: getattr(chain[1], f.name) for f in AuditEvent._meta.fields if f.name != "id"}})
    forged.seq = chain[-1].seq + 1
    forged.prev_hash = chain[-1].hash
    forged.hash = "f" * 64
    forged.save(force_insert=True)
    assert "被修改" in _verify_fails_naming(forged.seq)


def test_the_hash_is_keyed(chain, settings):
    values = row_values(chain[0])
    settings.AUDIT_KEY = "another-key-" + "k" * 40
    from fulian.audit import chain as chain_module

    chain_module._key.cache_clear()
    try:
        assert chain_hash(chain[0].prev_hash, values) != chain[0].hash
    finally:
        chain_module._key.cache_clear()


def test_sm3_chains_too_and_a_chain_can_switch(chain, settings):
    settings.AUDIT_HASH = "sm3"
    event = audit_record(action="test.sm3")
    assert event.algorithm == "sm3"
    assert verify_chain().ok
    _sql("UPDATE fulian_audit_auditevent SET action = %s WHERE seq = %s", ["changed", event.seq])
    assert not verify_chain().ok


def test_pruning_keeps_the_chain_verifiable(chain, settings):
    import datetime as dt

    from django.utils import timezone

    from fulian.audit.services import audit_prune

    old = timezone.now() - dt.timedelta(days=400)
    moved = AuditEvent.objects.filter(seq__lte=chain[2].seq).update(at=old)  # as if written long ago
    settings.AUDIT_RETENTION_DAYS = 365
    _rechain()
    assert audit_prune() == moved
    assert not AuditEvent.objects.filter(seq__lte=chain[2].seq).exists()
    verdict = verify_chain()
    assert verdict.ok, verdict.problems
    assert AuditEvent.objects.filter(action="audit.prune").exists()


def test_retention_is_never_under_six_months(chain, settings):
    import datetime as dt

    from django.utils import timezone

    from fulian.audit.services import audit_prune

    AuditEvent.objects.filter(seq=chain[0].seq).update(at=timezone.now() - dt.timedelta(days=100))
    settings.AUDIT_RETENTION_DAYS = 30
    assert audit_prune() == 0


def _rechain():
    """Recompute every hash after a test moved rows back in time (what the chain would have held)."""
    from fulian.audit.models import AuditHead

    prev = "0" * 64
    for event in AuditEvent.objects.order_by("seq"):
        event.prev_hash = prev
        event.hash = chain_hash(prev, row_values(event))
        event.save(update_fields=["prev_hash", "hash"])
        prev = event.hash
    AuditHead.objects.filter(pk=1).update(hash=prev)


def test_many_records_written_at_once_chain_like_single_ones(chain):
    from fulian.audit.services import audit_record_many
    from fulian.orgs.models import Organisation

    targets = [Organisation.objects.create(name=f"单位{n}", kind="member_unit") for n in range(3)]
    assert audit_record_many(action="test.many", records=[(t, {"n": n}) for n, t in enumerate(targets)]) == 3
    after = audit_record(action="test.after")
    many = list(AuditEvent.objects.filter(action="test.many").order_by("seq"))
    assert [e.seq for e in many] == [chain[-1].seq + 1, chain[-1].seq + 2, chain[-1].seq + 3]
    assert [e.target_id for e in many] == [str(t.pk) for t in targets]
    assert after.seq == many[-1].seq + 1
    assert after.prev_hash == many[-1].hash
    assert verify_chain().ok
    _sql("UPDATE fulian_audit_auditevent SET detail = %s WHERE seq = %s", ['{"n": 9}', many[1].seq])
    assert not verify_chain().ok
