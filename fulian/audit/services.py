"""Writing the audit trail: one row per event, chained, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from fulian.audit.chain import chain_hash, row_values
from fulian.audit.context import current
from fulian.audit.models import AuditEvent, AuditHead


def _actor(actor: Any) -> tuple[int | None, str, int | None]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "", None
    profile = getattr(actor, "staff_profile", None)
    return actor.pk, actor.get_username(), getattr(profile, "organisation_id", None)


def _event(
    actor: Any, action: str, target: models.Model | None, target_type: str, target_id: str,
    detail: dict[str, Any] | None, outcome: str, ip: str | None,
) -> AuditEvent:  # fmt: skip
    context = current.get()
    actor = actor if actor is not None else context.user
    actor_id, username, organisation_id = _actor(actor)
    if target is not None:
        target_type, target_id = target._meta.label_lower, str(target.pk)
    return AuditEvent(
        at=timezone.now(),
        actor_id=actor_id,
        actor_username=username,
        organisation_id=organisation_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        ip=context.ip if ip is None else ip,
        detail=detail or {},
        algorithm="sm3" if settings.AUDIT_HASH == "sm3" else "sha256",
    )


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    detail: dict[str, Any] | None = None,
    outcome: str = "ok",
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction that makes the change it records:
    the change and its record commit together or not at all."""
    event = _event(actor, action, target, target_type, target_id, detail, outcome, ip)
    # No savepoint: a failure here breaks the caller's transaction anyway, and the savepoint's
    # two extra round trips were most of what an audit write cost on PostgreSQL.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        event.seq, event.prev_hash = _advance_head(cursor)
        event.hash = chain_hash(event.prev_hash, row_values(event))
        _append(cursor, event)
    event._state.adding, event._state.db = False, connection.alias
    return event


def audit_record_many(*, action: str, records: list[tuple[models.Model, dict[str, Any]]], actor: Any = None) -> int:
    """Append one event per (target, detail), chained in order, in three statements whatever their
    number: for jobs that change many records at once (the alert job raises thousands)."""
    if not records:
        return 0
    events = [_event(actor, action, target, "", "", detail, "ok", None) for target, detail in records]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        last, prev_hash = _advance_head(cursor, len(events))
        for seq, event in enumerate(events, start=last - len(events) + 1):
            event.seq, event.prev_hash = seq, prev_hash
            event.hash = prev_hash = chain_hash(prev_hash, row_values(event))
        rows = [[field.get_db_prep_save(getattr(e, field.attname), connection) for field in _COLUMNS] for e in events]
        cursor.execute(_insert_many_sql(len(rows)), [value for row in rows for value in row])
        cursor.execute(f"UPDATE {_HEAD} SET hash = %s WHERE id = 1", [prev_hash])  # noqa: S608
    return len(events)


_HEAD = AuditHead._meta.db_table
_EVENTS = AuditEvent._meta.db_table
_COLUMNS = list(AuditEvent._meta.concrete_fields)


def _advance_head(cursor: Any, count: int = 1) -> tuple[int, str]:
    """Move the head `count` positions on and return (new last position, previous hash).

    An UPDATE, not a SELECT: it takes the row lock (PostgreSQL) or the write lock (SQLite) at
    once, so concurrent writers queue here and positions never repeat."""
    for _attempt in range(2):
        cursor.execute(f"UPDATE {_HEAD} SET seq = seq + %s WHERE id = 1 RETURNING seq, hash", [count])  # noqa: S608
        row = cursor.fetchone()
        if row is not None:
            return int(row[0]), str(row[1])
        AuditHead.objects.get_or_create(pk=1)
    raise RuntimeError("audit head row missing")


@functools.cache
def _insert_sql(vendor: str) -> str:
    # Table and column names come from the model, never from input.
    columns = ", ".join(connection.ops.quote_name(field.column or field.name) for field in _COLUMNS)
    insert = f"INSERT INTO {_EVENTS} ({columns}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"  # noqa: S608
    if vendor == "postgresql":
        return f"WITH row AS ({insert} RETURNING hash) UPDATE {_HEAD} SET hash = row.hash FROM row WHERE {_HEAD}.id = 1"  # noqa: S608
    return insert


def _insert_many_sql(rows: int) -> str:
    columns = ", ".join(connection.ops.quote_name(field.column or field.name) for field in _COLUMNS)
    marks = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    return f"INSERT INTO {_EVENTS} ({columns}) VALUES " + ", ".join([marks] * rows)  # noqa: S608


def _append(cursor: Any, event: AuditEvent) -> None:
    """Insert the row and record its hash on the head, in one statement where the database allows."""
    params = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in _COLUMNS]
    cursor.execute(_insert_sql(connection.vendor), params)
    if connection.vendor != "postgresql":
        cursor.execute(f"UPDATE {_HEAD} SET hash = %s WHERE id = 1", [event.hash])  # noqa: S608


def audit_prune(*, batch: int = 5000) -> int:
    """Delete records older than AUDIT_RETENTION_DAYS (never under 183 days), oldest first.

    The chain stays verifiable: the head remembers the last pruned position and hash, and
    `verify_audit` starts from there. The pruning itself is recorded.
    """
    cutoff = timezone.now() - dt.timedelta(days=max(settings.AUDIT_RETENTION_DAYS, 183))
    removed = 0
    while True:
        with transaction.atomic():
            head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
            old = list(AuditEvent.objects.filter(at__lt=cutoff).order_by("seq").values_list("seq", "hash")[:batch])
            if not old:
                break
            last_seq, last_hash = old[-1]
            AuditEvent.objects.filter(seq__lte=last_seq).delete()
            head.pruned_through_seq, head.pruned_through_hash = last_seq, last_hash
            head.save(update_fields=["pruned_through_seq", "pruned_through_hash"])
            removed += len(old)
    if removed:
        with transaction.atomic():
            audit_record(action="audit.prune", detail={"rows": removed, "before": cutoff.date().isoformat()})
    return removed


def audit_list_read(*, actor: Any, model: type[models.Model], shown: list[Any], **detail: Any) -> AuditEvent:
    """A list of sensitive records shown to a user: masked, but still a read of these records."""
    with transaction.atomic():
        return audit_record(
            action=f"{model._meta.model_name}.list",
            actor=actor,
            target_type=model._meta.label_lower,
            detail={"shown": [record.pk for record in shown], **detail},
        )
