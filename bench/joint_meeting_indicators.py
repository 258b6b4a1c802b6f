"""Speed of the joint meeting's platform indicators (目标管理责任书: figures computed from the data).

    uv run python bench/joint_meeting_indicators.py [--contacts 1000000] [--cases 200000] [--families 50000]
        [--year YYYY] [--try-indexes] [--database sqlite|postgres|both]

Target (issue: target-responsibility letters): computing all data-driven indicators for every unit
for a year over 1,000,000 contacts and 200,000 cases ≤ 10 s on PostgreSQL.

The data span three calendar years (1 January of the year before the measured one to today); the
measured year is last year by default, a full year inside the span. Ten member units and the
secretariat, with the report sectors each answers for. 200,000 cases, one referral per three
cases (police three shares, civil affairs two, the culture bureau none, the rest one each; 10 % never answered, 10 % returned,
5 % withdrawn, 20 % accepted, 55 % done; answers from an hour to the deadline plus five days after
sending), one mandatory report per 40 cases (thirteen sectors, one to 48 hours from discovery to the
police), one one-stop session per 100 cases; 1,000,000 contacts, one in 11 about a minor and one in 23
about sexual abuse (both: about 4,000); 50,000 ledger families in 200 villages (1 red : 3 orange :
6 yellow), registered over four years, visited about once per grade period with jitter, one family in
ten dropping out of the visits at some point (about 455,000 visits). Encrypted columns hold one
valid ciphertext per column. On PostgreSQL the rows go in with COPY, the secondary indexes built after.

It times `compute(year)` for every active unit: the first run after loading (cold) and the median of
five more (warm); each data source's query on its own (median of five) with its plan (EXPLAIN ANALYZE,
written to bench/results/joint_meeting_indicators_plans.txt); `compute(year, [one unit])` as a return's
page asks for it; and the current year. With --try-indexes it then adds candidate indexes (not in
the schema) and measures again, to tell what each would gain.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from harness import ROOT, bulk_insert, run_children

CASE_COLUMNS = (
    "organisation_id, version, number, status, pending, minor_involved, summary, assessment, plan, close_reason, "
    "caseworker_id, opened_at, updated_at, next_deadline"
)
REFERRAL_COLUMNS = (
    "organisation_id, version, case_id, request, shared_details, deadline, status, sent_at, consent_override, "
    "answered_at, reject_reason, result, done_at"
)
REPORT_COLUMNS = (
    "organisation_id, version, case_id, sector, reporting_unit, reporter_name, reporter_phone, situation, child_age, "
    "child_sex, discovered_at, reported_at, police_unit, receipt_number, police_action, civil_affairs_notified, "
    "education_notified, created_at"
)
SESSION_COLUMNS = (
    "case_id, site_id, held_at, participants, female_officer, no_female_officer_reason, interviews, repeat_reason, "
    "recording_reference, medical_exam, evidence_collected, evidence_notes, rights_notified, "
    "psychological_assessment, created_at"
)
CONTACT_COLUMNS = (
    "organisation_id, version, channel, received_at, call_type, caller_name, caller_phone, caller_phone_index, "
    "caller_sex, caller_age_band, caller_education, affected_is_caller, affected_name, affected_sex, "
    "affected_age_band, risk_domestic_violence, risk_minor, risk_sexual_abuse, risk_self_harm, "
    "risk_immediate_danger, narrative, advice, outcome, satisfaction, case_id, created_at, updated_at"
)
FAMILY_COLUMNS = (
    "organisation_id, version, number, head_name, address, grid, cadre_id, grade_id, grade_reason, needs, "
    "next_visit_on, last_visit_on, created_by_id, created_at, updated_at"
)
VISIT_COLUMNS = (
    "family_id, visited_on, visitors, method, findings, needs_found, help_given, relief_amount, follow_up, "
    "violence_found, child_in_danger, created_at"
)
STATUSES = ("registered", "assessed", "planned", "in_service", "follow_up", "closed")
# The member units (and the sectors whose mandatory reports each answers for), and how many shares
# of the referrals each receives.
UNITS: tuple[tuple[str, list[str], int], ...] = (
    ("市公安局", ["hotel"], 3),
    ("市人民检察院", [], 1),
    ("市中级人民法院", [], 1),
    ("市教育体育局", ["school", "kindergarten", "training", "school_bus", "childcare"], 1),
    ("市民政局", ["welfare", "residents", "villagers"], 2),
    ("市司法局", [], 1),
    ("市卫生健康委", ["medical"], 1),
    ("市人力资源社会保障局", [], 1),
    ("团市委", [], 1),
    ("市文化旅游体育局", [], 0),
)
SECTORS = ("state_organ", "residents", "villagers", "school", "kindergarten", "training", "school_bus", "childcare",
           "medical", "welfare", "hotel", "federation", "other")  # fmt: skip
# Candidate indexes tried with --try-indexes (not in the schema): name, table, definition. The
# contacts' partial index on minors' sexual-abuse contacts and the visits' (visited_on, family) were
# candidates too; measured here, they are now part of the schema (PERFORMANCE.md).
CANDIDATES = (
    ("bench_referral_sent", "fulian_cases_referral", "(sent_at)"),
    ("bench_report_reported", "fulian_protection_mandatoryreport", "(reported_at)"),
)  # fmt: skip


def load(database: str, table: str, columns: str, rows: Iterable[Sequence[object]], total: int) -> None:
    """Rows into a table: COPY on PostgreSQL, multi-row inserts (datetimes adapted) on SQLite."""
    from django.db import connection, transaction

    if database == "postgres":
        # A bulk load as a restore does it: the secondary indexes dropped and built again after the
        # rows are in (a sorted build instead of a million random insertions: the contacts' eleven
        # indexes took four fifths of the load), and the foreign-key triggers off for the load (the
        # rows are made consistent here). The psycopg cursor under Django's wrapper streams the rows.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            for _name, definition in indexes:
                cursor.execute(definition)
        return
    adapt = connection.ops.adapt_datetimefield_value
    made = [tuple(adapt(v) if isinstance(v, dt.datetime) else v for v in row) for row in rows]
    bulk_insert(table, columns, lambda n: made[n], len(made))


def _median_ms(call: Callable[[], object], runs: int = 5) -> float:
    samples = []
    for _run in range(runs):
        t = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(samples), 1)


def child(database: str, contacts: int, cases: int, families: int, year: int | None, try_indexes: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from fulian.cases.models import Case, Referral
    from fulian.hotline.models import Contact
    from fulian.jointmeeting.models import MemberRole, MemberUnit
    from fulian.ledger.models import Family, RiskGrade, Visit
    from fulian.orgs.services import organisation_create
    from fulian.protection.models import MandatoryReport, OneStopSite
    from fulian.security import crypto
    from fulian.targets import indicators

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    today = timezone.localdate()
    now = timezone.now()
    year = year or today.year - 1
    zone = timezone.get_current_timezone()
    span_start = dt.datetime(year - 1, 1, 1, tzinfo=zone)
    span = now - span_start

    # Organisations: the city, 4 counties × 5 townships × 10 villages; the member units.
    city = organisation_create(name="铜陵市妇联", kind="city", division_code="340700")
    counties, villages = [], []
    for c in range(4):
        county = organisation_create(name=f"第{c + 1}区妇联", kind="county", parent=city, division_code=f"34070{c + 1}")
        counties.append(county)
        for w in range(5):
            township = organisation_create(name=f"第{c + 1}区第{w + 1}街道妇联", kind="township", parent=county,
                                           division_code=f"34070{c + 1}{w + 1:03d}")  # fmt: skip
            for v in range(10):
                villages.append(organisation_create(name=f"第{v + 1}社区妇联", kind="village", parent=township,
                                                    division_code=f"34070{c + 1}{w + 1:03d}{v + 1:03d}"))  # fmt: skip
    MemberUnit.objects.create(organisation=city, role=MemberRole.SECRETARIAT, report_sectors=["federation"])
    share: list[int] = []
    for order, (name, sectors, weight) in enumerate(UNITS, start=1):
        organisation = organisation_create(name=name, kind="member_unit")
        MemberUnit.objects.create(organisation=organisation, order=order, report_sectors=sectors)
        share += [organisation.pk] * weight
    site = OneStopSite.objects.create(organisation=city, name="市一站式询问救助中心", address="铜陵市某路1号")

    def sealed(model: Any, *names: str) -> dict[str, str]:
        fields = {f.name: f for f in model._meta.concrete_fields}
        return {name: crypto.encrypt("填充内容", context=fields[name].context) for name in names}

    case_text = sealed(Case, "summary")
    referral_text = sealed(Referral, "request", "result", "reject_reason")
    report_text = sealed(MandatoryReport, "reporting_unit")
    contact_text = sealed(Contact, "caller_name", "caller_phone", "narrative", "advice")
    family_text = sealed(Family, "head_name", "address", "grade_reason", "needs")
    visit_text = sealed(Visit, "findings")
    result: dict[str, Any] = {"database": database, "year": year, "contacts": contacts, "cases": cases,
                              "families": families}  # fmt: skip
    t0 = time.perf_counter()

    # Cases, evenly over the span.
    opened = [span_start + span * (n / cases) for n in range(cases)]
    load(database, "fulian_cases_case", CASE_COLUMNS,
         ((counties[n % 4].pk, 1, f"B妇维〔{opened[n].year}〕{n:07d}号", STATUSES[n % 6], "", n % 9 == 0,
           case_text["summary"], "", "", "", None, opened[n], opened[n], None) for n in range(cases)), cases)  # fmt: skip
    first_case = Case.objects.order_by("pk").values_list("pk", flat=True).first() or 0

    # Referrals: one per three cases.
    def referral(k: int) -> tuple[object, ...]:
        n = 3 * k + rng.randrange(3)
        sent = min(opened[n] + dt.timedelta(hours=rng.uniform(0, 72)), now)
        deadline = timezone.localdate(sent) + dt.timedelta(days=rng.randrange(7, 16))
        answered = sent + dt.timedelta(hours=rng.uniform(1, ((deadline - timezone.localdate(sent)).days + 5) * 24))
        draw = rng.random()
        status = ("withdrawn" if draw < 0.05 else "rejected" if draw < 0.15 else "sent" if draw < 0.25
                  else "accepted" if draw < 0.45 else "done")  # fmt: skip
        done = answered + dt.timedelta(days=rng.uniform(1, 30)) if status == "done" else None
        if answered > now or (done is not None and done > now):
            status, done = "sent", None
        if status == "sent" or (status == "withdrawn" and draw < 0.03):
            answered_at: dt.datetime | None = None
        else:
            answered_at = answered
        return (share[k % len(share)], 1, first_case + n, referral_text["request"], "", deadline, status, sent, "",
                answered_at, referral_text["reject_reason"] if status == "rejected" else "",
                referral_text["result"] if status == "done" else "", done)  # fmt: skip

    referrals = cases // 3
    load(database, "fulian_cases_referral", REFERRAL_COLUMNS, (referral(k) for k in range(referrals)), referrals)

    # Mandatory reports: one per 40 cases, each on a case of its own.
    def report(k: int) -> tuple[object, ...]:
        n = 40 * k + 1
        discovered = opened[n] - dt.timedelta(hours=rng.uniform(1, 72))
        reported = min(discovered + dt.timedelta(hours=rng.uniform(0.5, 48)), now)
        return (counties[n % 4].pk, 1, first_case + n, SECTORS[k % len(SECTORS)], report_text["reporting_unit"], "", "",
                "2", 12, "F", discovered, reported, "铜官分局", "", "pending", False, False, reported)  # fmt: skip

    reports = cases // 40
    load(database, "fulian_protection_mandatoryreport", REPORT_COLUMNS, (report(k) for k in range(reports)), reports)

    # One-stop sessions: one per 100 cases.
    def session(k: int) -> tuple[object, ...]:
        n = 100 * k + 2
        held = min(opened[n] + dt.timedelta(days=rng.uniform(0, 5)), now)
        return (first_case + n, site.pk, held, '["police", "guardian"]', True, "", 1, "", "", False, False, "", True,
                "", held)  # fmt: skip

    sessions = cases // 100
    load(database, "fulian_protection_onestopsession", SESSION_COLUMNS, (session(k) for k in range(sessions)), sessions)
    result["referrals"], result["mandatory_reports"], result["sessions"] = referrals, reports, sessions
    result["cases_load_seconds"] = round(time.perf_counter() - t0, 1)

    # Contacts, evenly over the span; one in 11 about a minor, one in 23 about sexual abuse.
    t = time.perf_counter()
    outcomes = ("case", "advised", "transferred", "callback")

    def contact(n: int) -> tuple[object, ...]:
        at = span_start + span * (n / contacts)
        minor, abuse = n % 11 == 0, n % 23 == 0
        outcome = outcomes[(n // 253) % 4] if minor and abuse else ("callback" if n % 97 == 0 else "advised")
        linked = first_case + n % cases if minor and abuse and n % 3 == 0 else None
        return (counties[n % 4].pk, 1, "phone", at, "consultation", contact_text["caller_name"],
                contact_text["caller_phone"], f"{n:064x}", "F", "35_59", "unknown", True, "", "U", "unknown",
                n % 7 == 0, minor, abuse, False, False, contact_text["narrative"], contact_text["advice"], outcome,
                "not_asked", linked, at, at)  # fmt: skip

    load(database, "fulian_hotline_contact", CONTACT_COLUMNS, (contact(n) for n in range(contacts)), contacts)
    result["contacts_load_seconds"] = round(time.perf_counter() - t, 1)

    # Families and their visits.
    t = time.perf_counter()
    grades = list(RiskGrade.objects.order_by("-severity"))  # red, orange, yellow
    grade_of = [grades[0]] + [grades[1]] * 3 + [grades[2]] * 6
    registered_from = span_start - dt.timedelta(days=365)
    registered_span = (now - dt.timedelta(days=10)) - registered_from
    family_rows, visits_of = [], []
    for n in range(families):
        grade = grade_of[n % 10]
        created = registered_from + registered_span * rng.random()
        day = timezone.localdate(created)
        stops = today - dt.timedelta(days=rng.randrange(0, 900)) if n % 10 == 0 else today
        days = []
        while True:
            day += dt.timedelta(days=round(grade.visit_every_days * rng.uniform(0.7, 1.3)))
            if day > stops:
                break
            days.append(day)
        visits_of.append(days)
        last = days[-1] if days else None
        following = (last or timezone.localdate(created)) + dt.timedelta(days=grade.visit_every_days)
        family_rows.append((villages[n % len(villages)].pk, 1, f"F{n:08d}", family_text["head_name"],
                            family_text["address"], "", None, grade.pk, family_text["grade_reason"],
                            family_text["needs"], following, last, None, created, created))  # fmt: skip
    load(database, "fulian_ledger_family", FAMILY_COLUMNS, family_rows, families)
    first_family = Family.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    visits = sum(len(days) for days in visits_of)
    load(database, "fulian_ledger_visit", VISIT_COLUMNS,
         ((first_family + n, day, "李干部", "home", visit_text["findings"], "", "[]", None, "", False, False, now)
          for n, days in enumerate(visits_of) for day in days), visits)  # fmt: skip
    result["visits"] = visits
    result["families_load_seconds"] = round(time.perf_counter() - t, 1)

    t = time.perf_counter()
    with connection.cursor() as cursor:
        # As autovacuum leaves a live database: statistics gathered, visibility maps set.
        if database == "postgres":
            for table in ("fulian_cases_case", "fulian_cases_referral", "fulian_protection_mandatoryreport",
                          "fulian_protection_onestopsession", "fulian_hotline_contact", "fulian_ledger_family",
                          "fulian_ledger_visit"):  # fmt: skip
                cursor.execute(f"VACUUM {table}")
        cursor.execute("ANALYZE")
    result["vacuum_analyze_seconds"] = round(time.perf_counter() - t, 1)
    result["load_seconds"] = round(time.perf_counter() - t0, 1)

    # 1. compute() for every unit: the first run, then the median of five.
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        values = indicators.compute(year)
    result["compute_cold_s"] = round(time.perf_counter() - t, 3)
    result["queries"] = len(captured)
    samples = []
    for _run in range(5):
        t = time.perf_counter()
        indicators.compute(year)
        samples.append(time.perf_counter() - t)
    result["compute_warm_median_s"] = round(statistics.median(samples), 3)
    result["compute_warm_max_s"] = round(max(samples), 3)
    units = list(MemberUnit.objects.filter(active=True))
    result["units"] = len(units)
    police = next(u for u in units if u.organisation.name == "市公安局")
    result["compute_one_unit_ms"] = _median_ms(lambda: indicators.compute(year, [police]))
    result["compute_current_year_ms"] = _median_ms(lambda: indicators.compute(today.year))
    by_code: dict[str, dict[str, str | None]] = {}
    for unit in units:
        for code in indicators.INDICATORS:
            value = values[unit.pk, code]
            by_code.setdefault(code, {})[unit.organisation.name] = None if value is None else str(value)
    result["values"] = by_code

    # 2. Each data source's query on its own, with its plan.
    period = indicators.year_period(year)
    sources: dict[str, Callable[[], object]] = {
        "referrals (GROUP BY unit)": lambda: indicators.referral_figures(period, units),
        "mandatory reports (GROUP BY sector)": lambda: indicators.report_figures(period, units),
        "contacts (minor + sexual abuse)": lambda: indicators.contact_figures(period),
        "one-stop sessions": lambda: indicators.session_figures(period),
        "families (grades + families)": lambda: indicators.family_figures(period),
    }
    plans: list[str] = []

    def measure(label: str) -> dict[str, Any]:
        figures: dict[str, Any] = {}
        for name, call in sources.items():
            with CaptureQueriesContext(connection) as queries:
                call()
            entry: dict[str, Any] = {"ms": _median_ms(call), "queries": len(queries)}
            for query in queries:
                with connection.cursor() as cursor:
                    if database == "postgres":
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    else:
                        cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                    plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
                plans.append(f"== {label}: {name}\n{query['sql']}\n\n{plan}\n")
                if database == "postgres":
                    entry.setdefault("execution_ms", []).append(
                        float(plan.rsplit("Execution Time:", 1)[1].split("ms")[0])
                    )
            figures[name] = entry
        return figures

    result["sources"] = measure("schema as is")

    # 3. Candidate indexes, each measured (PostgreSQL).
    if try_indexes and database == "postgres":
        with connection.cursor() as cursor:
            for name, table, definition in CANDIDATES:
                t = time.perf_counter()
                cursor.execute(f"CREATE INDEX {name} ON {table} {definition}")
                cursor.execute(f"ANALYZE {table}")
                result.setdefault("index_build_s", {})[name] = round(time.perf_counter() - t, 2)
        result["sources_with_indexes"] = measure("with the candidate indexes")
        samples = []
        for _run in range(5):
            t = time.perf_counter()
            indicators.compute(year)
            samples.append(time.perf_counter() - t)
        result["compute_warm_median_with_indexes_s"] = round(statistics.median(samples), 3)
    out = Path(ROOT) / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "joint_meeting_indicators_plans.txt").write_text("\n".join(plans))
    print(json.dumps(result, ensure_ascii=False))


def table(rows: list[dict[str, Any]]) -> None:
    """The figures as a readable table (the JSON lines above carry everything)."""
    for row in rows:
        print(f"\n{row['database']}: year {row['year']}, {row['contacts']:,} contacts, {row['cases']:,} cases, "
              f"{row['referrals']:,} referrals, {row['mandatory_reports']:,} reports, {row['sessions']:,} sessions, "
              f"{row['families']:,} families, {row['visits']:,} visits; loaded in {row['load_seconds']} s")  # fmt: skip
        print(f"  compute(year), {row['units']} units, {row['queries']} queries: first run {row['compute_cold_s']} s, "
              f"warm median {row['compute_warm_median_s']} s (max {row['compute_warm_max_s']} s)")  # fmt: skip
        print(f"  compute(year, [one unit]): {row['compute_one_unit_ms']} ms; "
              f"current year: {row['compute_current_year_ms']} ms")  # fmt: skip
        with_indexes = row.get("sources_with_indexes", {})
        print(f"  {'data source':<40}{'median ms':>12}{'with indexes':>14}")
        for name, entry in row["sources"].items():
            other = with_indexes.get(name, {}).get("ms", "")
            print(f"  {name:<40}{entry['ms']:>12}{other:>14}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--year", type=int, default=0)
    parser.add_argument("--try-indexes", action="store_true")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--child")
    options = parser.parse_args()
    if options.child:
        child(options.child, options.contacts, options.cases, options.families, options.year or None,
              options.try_indexes)  # fmt: skip
        return
    args = ["--contacts", str(options.contacts), "--cases", str(options.cases), "--families", str(options.families),
            "--year", str(options.year)] + (["--try-indexes"] if options.try_indexes else [])  # fmt: skip
    table(run_children(__file__, "joint-meeting-indicators", options.database, args))


if __name__ == "__main__":
    main()
