"""Work through many rows a few hundred per transaction: one commit per batch instead of per row
(the alert job raises thousands of alerts after a weekend), while a failure loses one batch only."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.db import connection, models

T = TypeVar("T")
BATCH = 200


def batched(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def claim_unset(model: type[models.Model], pks: list[Any], field: str, value: Any) -> set[Any]:
    """Set `field` to `value` on those of `pks` where it is still empty, and return which: one
    statement, so two workers never both claim a row (the once-only alerts)."""
    if not pks:
        return set()
    quote = connection.ops.quote_name
    column: Any = model._meta.get_field(field)
    primary: Any = model._meta.pk
    table, key, name = quote(model._meta.db_table), quote(primary.column), quote(column.column)
    marks = ", ".join(["%s"] * len(pks))
    sql = f"UPDATE {table} SET {name} = %s WHERE {key} IN ({marks}) AND {name} IS NULL RETURNING {key}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [column.get_db_prep_save(value, connection), *pks])
        return {row[0] for row in cursor.fetchall()}
