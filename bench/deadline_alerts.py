"""Speed of the deadline-alert job over a city's open cases.

    uv run python bench/deadline_alerts.py [--cases 200000] [--database sqlite|postgres|both]

Target (issue: protocols for child sexual-abuse and domestic-violence cases): the scheduled task
that raises deadline alerts scans 200,000 open cases in ≤ 5 s on PostgreSQL.

The job is the worker's `escalate_casework_deadlines` as it runs every 10 minutes: overdue tasks
and referrals, overdue protocol steps, protection orders whose ruling is late or which expire
within 14 days. Every open case has a task; one in ten a referral, one in twenty the seven-step
protocol, one in fifty a protection order. Deadlines spread from 60 days ago to 60 days ahead;
what fell due before yesterday was raised by earlier runs, so the first measured run raises one
day's worth of alerts (as the first run after midnight does) and the next runs raise nothing.
Last, the backlog: every alert raised again at once, as after the worker was down for two months.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from collections.abc import Sequence
from typing import Any

from harness import bulk_insert, run_children

CASE_COLUMNS = (
    "organisation_id, version, number, status, pending, minor_involved, summary, assessment, plan, close_reason, "
    "caseworker_id, opened_at, updated_at, next_deadline"
)
PARTY_COLUMNS = (
    "case_id, role, name, phone, phone_index, id_number, id_number_index, address, sex, relationship, created_at"
)
TASK_COLUMNS = "case_id, kind, title, due_on, assignee_id, created_at, escalated_at"
REFERRAL_COLUMNS = (
    "organisation_id, version, case_id, request, shared_details, deadline, status, sent_at, consent_override, "
    "reject_reason, result, escalated_at"
)
STEP_COLUMNS = "case_id, step, owner_id, due_on, escalated_at"
STEPS = ("police", "one_stop", "legal_aid", "psychological", "relief", "school", "follow_up")
OPEN = ("registered", "assessed", "planned", "in_service", "follow_up")


def child(database: str, cases: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from fulian.cases.models import Case, CaseEvent, Party
    from fulian.core.upkeep import escalate_casework_deadlines
    from fulian.dv.models import ProtectionOrder
    from fulian.orgs.services import organisation_create

    call_command("migrate", verbosity=0)
    city = organisation_create(name="铜陵市妇联", kind="city", division_code="340700")
    counties = [
        organisation_create(name=name, kind="county", parent=city, division_code=code)
        for name, code in (
            ("铜官区妇联", "340705"),
            ("义安区妇联", "340706"),
            ("郊区妇联", "340711"),
            ("枞阳县妇联", "340722"),
        )
    ]
    police = organisation_create(name="市公安局", kind="member_unit")
    worker = get_user_model().objects.create_user(username="caseworker")
    adapt = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    today = timezone.localdate()
    stamp = adapt(now)
    t = time.perf_counter()

    def due(n: int) -> dt.date:
        return today + dt.timedelta(days=(n * 7919) % 121 - 60)

    def raised(day: dt.date) -> object:
        # Fell due before yesterday: an earlier run raised it.
        return stamp if day < today - dt.timedelta(days=1) else None

    def case_row(n: int) -> Sequence[object]:
        return (counties[n % 4].pk, 1, f"B妇维〔2026〕{n:07d}号", OPEN[n % 5], "", n % 20 == 0, "", "", "", "",
                worker.pk, stamp, stamp, None)  # fmt: skip

    bulk_insert("fulian_cases_case", CASE_COLUMNS, case_row, cases)
    first = Case.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    bulk_insert("fulian_cases_casetask", TASK_COLUMNS,
                lambda n: (first + n, "follow_up", "跟踪回访", due(n), worker.pk, stamp, raised(due(n))), cases)  # fmt: skip
    bulk_insert("fulian_cases_referral", REFERRAL_COLUMNS,
                lambda n: (police.pk, 1, first + n * 10, "", "", due(n + 3), "sent", stamp, "", "", "",
                           raised(due(n + 3))),
                cases // 10)  # fmt: skip
    bulk_insert("fulian_protection_protocolitem", STEP_COLUMNS,
                lambda n: (first + (n // 7) * 20, STEPS[n % 7], worker.pk, due(n + 5), raised(due(n + 5))),
                cases // 20 * 7)  # fmt: skip
    with_orders = cases // 50
    bulk_insert("fulian_cases_party", PARTY_COLUMNS,
                lambda n: (first + (n // 2) * 50, "helped" if n % 2 == 0 else "alleged", "", "", "", "", "", "",
                           "F" if n % 2 == 0 else "M", "", stamp),
                with_orders * 2)  # fmt: skip
    parties = list(Party.objects.order_by("pk").values_list("pk", flat=True))
    orders = []
    for n in range(with_orders):
        applied = now - dt.timedelta(hours=(n * 37) % (24 * 200))
        pending = n % 10 == 0
        ruled = applied + dt.timedelta(hours=20)
        valid_until = timezone.localdate(ruled) + dt.timedelta(days=170)
        order = ProtectionOrder(
            case_id=first + n * 50, applicant_id=parties[2 * n], respondent_id=parties[2 * n + 1], court="铜官区人民法院",
            applied_at=applied, urgent=n % 3 == 0, ruling_due=ProtectionOrder.due_for(applied, n % 3 == 0),
            outcome="pending" if pending else "granted", measures_requested=["no_violence"],
            ruled_at=None if pending else ruled, measures_granted=[] if pending else ["no_violence"],
            valid_until=None if pending else valid_until,
        )  # fmt: skip
        # Reminders of earlier days are done; the last day's are left to raise.
        if pending and order.ruling_due < now - dt.timedelta(days=1):
            order.ruling_alerted_at = now
        if not pending and valid_until - dt.timedelta(days=14) < today - dt.timedelta(days=1):
            order.expiry_alerted_for = valid_until
        orders.append(order)
    ProtectionOrder.objects.bulk_create(orders, batch_size=1000)
    with connection.cursor() as cursor:
        for table in ("fulian_cases_case", "fulian_cases_casetask", "fulian_cases_referral",
                      "fulian_protection_protocolitem", "fulian_cases_party", "fulian_dv_protectionorder"):  # fmt: skip
            cursor.execute(f"ANALYZE {table}")
    result: dict[str, Any] = {
        "database": database,
        "open_cases": cases,
        "load_seconds": round(time.perf_counter() - t, 1),
    }

    events = CaseEvent.objects.count()
    t = time.perf_counter()
    escalate_casework_deadlines()
    result["first_run_seconds"] = round(time.perf_counter() - t, 3)
    result["alerts_raised"] = CaseEvent.objects.count() - events
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        escalate_casework_deadlines()
        samples.append(time.perf_counter() - t)
    result["steady_run_seconds"] = round(statistics.median(samples), 3)
    assert CaseEvent.objects.count() - events == result["alerts_raised"], "an alert was raised twice"
    # The worst case: the worker was stopped for two months and everything past due is raised at once.
    from fulian.cases.models import CaseTask, Referral
    from fulian.protection.models import ProtocolItem

    for model in (CaseTask, Referral, ProtocolItem):
        model.objects.update(escalated_at=None)
    events = CaseEvent.objects.count()
    t = time.perf_counter()
    escalate_casework_deadlines()
    result["backlog_run_seconds"] = round(time.perf_counter() - t, 3)
    result["backlog_alerts_raised"] = CaseEvent.objects.count() - events
    print(json.dumps(result, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--child")
    options = parser.parse_args()
    if options.child:
        child(options.child, options.cases)
        return
    run_children(__file__, "deadline-alerts", options.database, ["--cases", str(options.cases)])


if __name__ == "__main__":
    main()
