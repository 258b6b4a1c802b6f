"""Background tasks of the ledger (django-tasks; the worker is `manage.py run_worker`).

They take ids only: the sheet itself stays sealed in its import row until the task opens it."""

from __future__ import annotations

from django_tasks import task


@task()
def check_ledger_import(import_id: int) -> str:
    """Check an uploaded ledger sheet, row by row (the preview)."""
    from fulian.ledger.imports import run_check

    return run_check(import_id)


@task()
def run_ledger_import(import_id: int) -> str:
    """Import a checked ledger sheet: every household in one transaction, or nothing."""
    from fulian.ledger.imports import run_import

    return run_import(import_id)
