"""Recording a check in tests: valid unless a test says otherwise."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def check(actor, worker, days_ago=10, *, today=None, **extra):
    """Record a check `days_ago` days before today (no record, hired, unless told otherwise)."""
    from fulian.screening.services import screening_record

    today = today or timezone.localdate()
    checked_on = today - dt.timedelta(days=days_ago)
    data = {
        "authorised": True, "authorised_on": checked_on - dt.timedelta(days=1), "checked_on": checked_on,
        "channel": "police", "result": "no_record", "decision": "hire",
    }  # fmt: skip
    data.update(extra)
    return screening_record(actor=actor, worker=worker, today=today, **data)
