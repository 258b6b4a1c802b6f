"""Periodic upkeep jobs run by the worker (`manage.py run_worker`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone


def publish_scheduled_pages() -> None:
    """定时发布: publish pages whose go-live time has come, unpublish expired ones."""
    call_command("publish_scheduled", verbosity=0)


def flush_view_counts() -> None:
    from fulian.counters.services import flush_to_database

    flush_to_database()


def purge_recent_views() -> None:
    from fulian.counters.backends import purge_recent_views as purge

    purge()


def ingest_edge_hits() -> None:
    from fulian.counters.edge import ingest_hit_log

    if settings.EDGE_HIT_LOG:
        ingest_hit_log(settings.EDGE_HIT_LOG)


def prune_task_results() -> None:
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
    DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()


def prune_audit_trail() -> None:
    from fulian.audit.services import audit_prune

    audit_prune()


def sweep_attachment_files() -> None:
    from fulian.files.services import sweep_orphans

    sweep_orphans()


def escalate_casework_deadlines() -> None:
    from fulian.cases.services import escalate_overdue
    from fulian.dv.services import order_alerts
    from fulian.hotline.services import rings_prune
    from fulian.protection.services import escalate_protocol

    escalate_overdue()
    order_alerts()
    escalate_protocol()
    rings_prune()


def anonymise_expired_cases() -> None:
    from fulian.cases.retention import anonymise_expired

    anonymise_expired()


def remind_screening_rechecks() -> None:
    from fulian.screening.services import recheck_reminders

    recheck_reminders()


def sweep_ledger_imports() -> None:
    from fulian.ledger.imports import sweep_stale

    sweep_stale()


def escalate_joint_meeting_tasks() -> None:
    from fulian.jointmeeting.services import escalate_overdue_tasks

    escalate_overdue_tasks()


def remind_target_returns() -> None:
    from fulian.targets.services import remind_returns

    remind_returns()


def periodic_jobs() -> list[tuple[float, Callable[[], Any]]]:
    return [
        (60.0, publish_scheduled_pages),
        (float(settings.VIEW_FLUSH_SECONDS), flush_view_counts),
        (2.0, ingest_edge_hits),
        (60.0, purge_recent_views),
        (3600.0, prune_task_results),
        (3600.0, prune_audit_trail),
        (3600.0, sweep_attachment_files),
        (600.0, escalate_casework_deadlines),
        (3600.0, remind_screening_rechecks),
        (86400.0, anonymise_expired_cases),
        (3600.0, sweep_ledger_imports),
        (3600.0, escalate_joint_meeting_tasks),
        (3600.0, remind_target_returns),
    ]
