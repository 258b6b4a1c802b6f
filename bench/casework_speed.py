"""Speed of the hotline and casework at a city's scale.

    uv run python bench/casework_speed.py [--contacts 1000000] [--cases 200000] [--database sqlite|postgres|both]

Targets (issue: hotline and casework), on PostgreSQL with 1,000,000 contacts and 200,000 cases:
the intake save ≤ 100 ms p95; the caller-history lookup ≤ 20 ms; a filtered, paginated case list
≤ 100 ms p95; the "my work" page ≤ 100 ms; no list view's query count grows with its rows.

The screens are measured as requests through the whole stack (middleware, access checks, audit
records, templates), with production settings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import secrets
import time
import uuid
from collections.abc import Sequence
from typing import Any

from harness import bulk_insert, percentiles, run_children, setup_for_screens, signed_in_client, staff_user, timed_get

CONTACT_COLUMNS = (
    "organisation_id, version, channel, received_at, call_type, caller_name, caller_phone, caller_phone_index, "
    "caller_sex, caller_age_band, caller_education, affected_is_caller, affected_name, affected_sex, "
    "affected_age_band, risk_domestic_violence, risk_minor, risk_sexual_abuse, risk_self_harm, "
    "risk_immediate_danger, narrative, advice, outcome, satisfaction, created_at, updated_at"
)
CASE_COLUMNS = (
    "organisation_id, version, number, status, pending, minor_involved, summary, assessment, plan, close_reason, "
    "caseworker_id, opened_at, updated_at, next_deadline"
)
PARTY_COLUMNS = (
    "case_id, role, name, phone, phone_index, id_number, id_number_index, address, sex, relationship, created_at"
)
TASK_COLUMNS = "case_id, kind, title, due_on, assignee_id, created_at"
STATUSES = ("registered", "assessed", "planned", "in_service", "follow_up", "closed")


def child(database: str, contacts: int, cases: int) -> None:
    setup_for_screens()
    from django.db import connection
    from django.utils import timezone

    from fulian.cases.models import Case, Party
    from fulian.hotline.models import Contact
    from fulian.hotline.services import caller_history, contact_record
    from fulian.orgs.services import organisation_create
    from fulian.security import crypto
    from fulian.security.blind import blind_index

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
    home = counties[0]
    operator = staff_user("operator", home, "hotline_operator")
    caseworker = staff_user("caseworker", home, "caseworker")
    # Ten caseworkers per office share its cases (the measured one is the first of the first office).
    workers = [caseworker.pk] + [
        staff_user(f"caseworker{n}", counties[n % 4], "caseworker").pk for n in range(1, 40)
    ]  # worker n works in office n % 4, so case n's office matches its worker
    supervisor = staff_user("supervisor", city, "supervisor")
    result: dict[str, Any] = {"database": database, "contacts": contacts, "cases": cases}
    rng = random.Random(7)

    # Data: filler rows carry real ciphertext (for their column) and random blind indexes; 2,000 known
    # numbers have five contacts each, for the history lookups.
    fields: dict[str, Any] = {f.name: f for f in Contact._meta.concrete_fields}
    sealed = {name: crypto.encrypt("填充内容", context=fields[name].context) for name in
              ("caller_name", "caller_phone", "affected_name", "narrative", "advice")}  # fmt: skip
    known = [f"139{n:08d}" for n in range(2000)]
    known_index = [blind_index("phone", p) for p in known]
    start = timezone.now() - dt.timedelta(days=730)
    adapt = connection.ops.adapt_datetimefield_value
    t = time.perf_counter()

    def contact_row(n: int) -> Sequence[object]:
        at = adapt(start + dt.timedelta(minutes=n * 730 * 24 * 60 // max(contacts, 1)))
        index = known_index[n % 2000] if n < 10_000 else secrets.token_hex(32)
        return (counties[n % 4].pk, 1, "phone", at, "consultation", sealed["caller_name"], sealed["caller_phone"], index,
                "F", "35_59", "unknown", True, "", "U", "unknown", n % 7 == 0, n % 11 == 0, False, False, False,
                sealed["narrative"], sealed["advice"], "advised", "not_asked", at, at)  # fmt: skip

    bulk_insert("fulian_hotline_contact", CONTACT_COLUMNS, contact_row, contacts)
    result["contacts_load_seconds"] = round(time.perf_counter() - t, 1)

    case_fields: dict[str, Any] = {f.name: f for f in Case._meta.concrete_fields}
    summary = crypto.encrypt("案情摘要填充", context=case_fields["summary"].context)
    party_fields: dict[str, Any] = {f.name: f for f in Party._meta.concrete_fields}
    party_name = crypto.encrypt("陈晓梅", context=party_fields["name"].context)
    party_phone = crypto.encrypt("13900000000", context=party_fields["phone"].context)
    today = timezone.localdate()
    t = time.perf_counter()

    def case_row(n: int) -> Sequence[object]:
        at = adapt(start + dt.timedelta(minutes=n * 730 * 24 * 60 // max(cases, 1)))
        worker = workers[n % 40]
        # The same deadline as the case's one open task below.
        deadline = today + dt.timedelta(days=(n % 60) - 20)
        return (counties[n % 4].pk, 1, f"B妇维〔{2025 + n % 2}〕{n:07d}号", STATUSES[n % 6], "", n % 9 == 0, summary, "",
                "", "", worker, at, at, deadline)  # fmt: skip

    bulk_insert("fulian_cases_case", CASE_COLUMNS, case_row, cases)
    first_case = Case.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    now = adapt(timezone.now())
    bulk_insert("fulian_cases_party", PARTY_COLUMNS,
          lambda n: (first_case + n, "helped", party_name, party_phone, secrets.token_hex(32), "", "", "", "F", "", now),
          cases)  # fmt: skip
    bulk_insert("fulian_cases_casetask", TASK_COLUMNS,
          lambda n: (first_case + n, "follow_up", "跟踪回访", today + dt.timedelta(days=(n % 60) - 20),
                     workers[n % 40], now),
          cases)  # fmt: skip
    with connection.cursor() as cursor:
        for table in ("fulian_hotline_contact", "fulian_cases_case", "fulian_cases_party", "fulian_cases_casetask"):
            cursor.execute(f"ANALYZE {table}")
    result["cases_load_seconds"] = round(time.perf_counter() - t, 1)

    # 1. The intake save: the service the intake screen calls (validation, encryption, blind index, audit).
    samples = []
    for n in range(300):
        t = time.perf_counter()
        contact_record(
            actor=operator, organisation=home, submission=uuid.uuid4(), call_type="complaint",
            caller_name="陈晓梅", caller_phone=known[n % 2000], caller_sex="F", caller_age_band="35_59",
            risk_domestic_violence=True, narrative="丈夫多次殴打，请求帮助。" * 5, advice="建议报警并申请保护令。",
            outcome="callback",
        )  # fmt: skip
        samples.append((time.perf_counter() - t) * 1000)
    result["intake_save"] = percentiles(samples, 2)

    # 2. The caller-history lookup (numbers with earlier contacts in the operator's office, and new numbers).
    samples = []
    for n in range(400):
        phone = known[rng.randrange(2000)] if n % 2 == 0 else f"137{rng.randrange(10**8):08d}"
        t = time.perf_counter()
        caller_history(operator, phone)
        samples.append((time.perf_counter() - t) * 1000)
    result["caller_history"] = percentiles(samples, 2)

    # 3. Screens, through the whole stack.
    boss, worker = signed_in_client(supervisor), signed_in_client(caseworker)
    result["case_list_supervisor_filtered"], q1 = timed_get(boss, "/admin/cases/?status=in_service&p=3", 60)
    result["case_list_supervisor_all"], _ = timed_get(boss, "/admin/cases/", 60)
    result["case_list_caseworker_overdue"], _ = timed_get(worker, "/admin/cases/?overdue=on&mine=on", 60)
    result["case_list_deep_page"], _ = timed_get(boss, "/admin/cases/?p=2000", 30)
    result["my_work_caseworker"], _ = timed_get(worker, "/admin/mywork/", 60)
    result["my_work_supervisor"], _ = timed_get(boss, "/admin/mywork/", 60)
    result["contact_list"], q2 = timed_get(signed_in_client(operator), "/admin/hotline/?channel=phone&p=5", 60)
    result["queries"] = {"case_list_page": q1, "contact_list_page": q2}
    print(json.dumps(result, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--child")
    options = parser.parse_args()
    if options.child:
        child(options.child, options.contacts, options.cases)
        return
    run_children(
        __file__,
        "casework-speed",
        options.database,
        ["--contacts", str(options.contacts), "--cases", str(options.cases)],
    )


if __name__ == "__main__":
    main()
