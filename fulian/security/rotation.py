"""Re-encrypting personal fields under the current key, in batches that can stop and resume.

Each batch is one transaction: a row is either wholly under the new key or untouched, and a
run that stops (killed, deployed over) continues where it was on the next run, because rows
already under the current key are no longer selected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast

from fulian.audit.services import audit_record
from fulian.security import crypto
from fulian.security.fields import EncryptedTextField


@dataclass
class Progress:
    model: str
    rows: int = 0
    batches: int = 0


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[EncryptedTextField]]]:
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


def _stale(fields: list[EncryptedTextField], prefix: str) -> Q:
    """Rows with any value not under the current key (raw column values; empty ones are fine)."""
    stale = Q()
    for field in fields:
        stale |= Q(**{f"{field.attname}__startswith": crypto.PREFIX}) & ~Q(**{f"{field.attname}__startswith": prefix})
    return stale


def rotate(*, batch: int = 500, max_batches: int | None = None) -> list[Progress]:
    ring = crypto.keyring()
    prefix = f"{crypto.PREFIX}${ring.cipher}${ring.current}$"
    report = []
    done = 0
    for model, fields in encrypted_fields():
        progress = Progress(model._meta.label)
        names = [f.attname for f in fields]
        while max_batches is None or done < max_batches:
            # The raw column values: a cast to plain text bypasses the field's decryption.
            raw = {name: Cast(name, models.TextField()) for name in names}
            with transaction.atomic():
                rows = list(
                    model._default_manager.select_for_update()
                    .filter(_stale(fields, prefix))
                    .order_by("pk")
                    .values("pk", **{f"raw_{name}": value for name, value in raw.items()})[:batch]
                )
                if not rows:
                    break
                for row in rows:
                    updates = {}
                    for field in fields:
                        value = row[f"raw_{field.attname}"]
                        if value and not value.startswith(prefix):
                            plain = crypto.decrypt(value, context=field.context, ring=ring)
                            updates[field.attname] = crypto.encrypt(plain, context=field.context, ring=ring)
                    # .update() writes the ciphertext as given: get_prep_value would encrypt again.
                    model._default_manager.filter(pk=row["pk"]).update(
                        **{k: crypto.Sealed(v) for k, v in updates.items()}
                    )
                progress.rows += len(rows)
                progress.batches += 1
                done += 1
        if progress.rows:
            audit_record(
                action="keys.rotate",
                target_type=model._meta.label_lower,
                detail={"rows": progress.rows, "key": ring.current},
            )
        report.append(progress)
    return report
