"""Speed of the ledger statistics ("the picture for the city") at a city's scale.

    uv run python bench/ledger_stats.py [--families 200000] [--visits 400000] [--database sqlite|postgres|both]

Target (issue: the picture for the city): the statistics page ≤ 500 ms on PostgreSQL with 200,000
families and 400,000 visits, for the city (everything) and for a county supervisor, and its query
count independent of the number of families.

The tree is a city, 4 counties, 10 townships each and 20 villages each (800 villages); families
are spread evenly over the villages, one in ten red, three orange, six yellow; one or two types
each; two visits each over the last year on average (about 1/12 of them this month); one family
in seven never visited; every family's first grading plus 40,000 changes over the last year.
The page is measured as a request through the whole stack (middleware, access checks, template,
chart data), with production settings; the download and the figures' queries on their own too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from collections.abc import Sequence
from typing import Any

from harness import bulk_insert, percentiles, run_children, setup_for_screens, signed_in_client, staff_user, timed_get

FAMILY_COLUMNS = (
    "organisation_id, version, number, head_name, address, grid, cadre_id, grade_id, grade_reason, needs, "
    "next_visit_on, last_visit_on, created_by_id, created_at, updated_at"
)
VISIT_COLUMNS = (
    "family_id, visited_on, visitors, method, findings, needs_found, help_given, relief_amount, follow_up, "
    "violence_found, child_in_danger, recorded_by_id, created_at"
)
CHANGE_COLUMNS = "family_id, from_grade_id, to_grade_id, reason, at, by_id"
TYPE_COLUMNS = "family_id, familytype_id"


def _timed(call: Any, runs: int) -> dict[str, float]:
    call()  # warm
    samples = []
    for _run in range(runs):
        t = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t) * 1000)
    return percentiles(samples, 1)


def child(database: str, families: int, visits: int) -> None:
    setup_for_screens()
    from django.db import connection
    from django.utils import timezone

    from fulian.ledger import stats
    from fulian.ledger.models import Family, FamilyType, GradeChange, RiskGrade, Visit
    from fulian.orgs.services import organisation_create
    from fulian.security import crypto

    city = organisation_create(name="铜陵市妇联", kind="city", division_code="340700")
    villages = []
    counties = []
    for c in range(4):
        county = organisation_create(name=f"第{c + 1}区妇联", kind="county", parent=city, division_code=f"34070{c + 1}")
        counties.append(county)
        for w in range(10):
            township = organisation_create(
                name=f"第{c + 1}区第{w + 1}街道妇联", kind="township", parent=county,
                division_code=f"34070{c + 1}{w + 1:03d}",
            )  # fmt: skip
            for v in range(20):
                code = f"34070{c + 1}{w + 1:03d}{v + 1:03d}"
                villages.append(
                    organisation_create(name=f"第{v + 1}社区妇联", kind="village", parent=township, division_code=code)
                )
    city_user = staff_user("city_supervisor", city, "supervisor")
    county_user = staff_user("county_supervisor", counties[0], "supervisor")
    result: dict[str, Any] = {"database": database, "families": families, "visits": visits}
    rng = random.Random(7)

    grades = list(RiskGrade.objects.order_by("-severity"))  # red, orange, yellow
    types = list(FamilyType.objects.order_by("pk").values_list("pk", flat=True))
    fields: dict[str, Any] = {f.name: f for f in Family._meta.concrete_fields}
    sealed = {name: crypto.encrypt("填充内容填充内容", context=fields[name].context)
              for name in ("head_name", "address", "grade_reason", "needs")}  # fmt: skip
    visit_fields: dict[str, Any] = {f.name: f for f in Visit._meta.concrete_fields}
    findings = crypto.encrypt("走访了解到的情况", context=visit_fields["findings"].context)
    change_reason = crypto.encrypt("情况变化", context=GradeChange._meta.get_field("reason").context)
    today = timezone.localdate()
    now = timezone.now()
    adapt_dt = connection.ops.adapt_datetimefield_value
    adapt_d = connection.ops.adapt_datefield_value
    grade_of = [grades[0]] * 1 + [grades[1]] * 3 + [grades[2]] * 6
    created = [now - dt.timedelta(minutes=rng.randrange(730 * 24 * 60)) for _n in range(families)]

    def family_row(n: int) -> Sequence[object]:
        grade = grade_of[n % 10]
        last = None if n % 7 == 0 else today - dt.timedelta(days=rng.randrange(120))
        base = last or timezone.localdate(created[n])
        following = base + dt.timedelta(days=grade.visit_every_days)
        return (villages[n % len(villages)].pk, 1, f"F{n:08d}", sealed["head_name"], sealed["address"], "", None,
                grade.pk, sealed["grade_reason"], sealed["needs"], adapt_d(following), adapt_d(last), None,
                adapt_dt(created[n]), adapt_dt(created[n]))  # fmt: skip

    t = time.perf_counter()
    bulk_insert("fulian_ledger_family", FAMILY_COLUMNS, family_row, families)
    first = Family.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    pks = range(first, first + families)

    def type_rows() -> list[tuple[int, int]]:
        rows = []
        for n, pk in enumerate(pks):
            rows.append((pk, types[n % len(types)]))
            if n % 3 == 0:
                rows.append((pk, types[(n + 3) % len(types)]))
        return rows

    links = type_rows()
    bulk_insert("fulian_ledger_family_types", TYPE_COLUMNS, lambda n: links[n], len(links))
    bulk_insert("fulian_ledger_visit", VISIT_COLUMNS,
                lambda n: (pks[rng.randrange(families)], adapt_d(today - dt.timedelta(days=rng.randrange(365))),
                           "李干部", "home", findings, "", "[]", None, "", False, False, None, adapt_dt(now)),
                visits)  # fmt: skip
    changes = families + 40_000

    def change_row(n: int) -> Sequence[object]:
        if n < families:  # the first grading, when the family was registered
            return (pks[n], None, grade_of[n % 10].pk, sealed["grade_reason"], adapt_dt(created[n]), None)
        old, new = rng.sample(grades, 2)
        at = now - dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        return (pks[rng.randrange(families)], old.pk, new.pk, change_reason, adapt_dt(at), None)

    bulk_insert("fulian_ledger_gradechange", CHANGE_COLUMNS, change_row, changes)
    tables = ("fulian_ledger_family", "fulian_ledger_family_types", "fulian_ledger_visit", "fulian_ledger_gradechange")
    with connection.cursor() as cursor:
        # As autovacuum leaves a live database: statistics gathered (the organisations' too: without
        # them PostgreSQL takes "path LIKE '/1/%'" for one row and picks nested loops, 5× slower),
        # visibility maps set.
        if database == "postgres":
            for table in tables:
                cursor.execute(f"VACUUM {table}")
        cursor.execute("ANALYZE")
    result["load_seconds"] = round(time.perf_counter() - t, 1)
    result["type_links"], result["grade_changes"] = len(links), changes

    # 1. The figures' queries on their own (the city).
    result["office_figures"] = _timed(lambda: stats.office_figures(city_user), 10)
    result["counts_by_type"] = _timed(lambda: stats.counts_by_type(city_user), 10)
    result["grade_changes_by_month"] = _timed(lambda: stats.grade_changes_by_month(city_user), 10)
    result["picture_city"] = _timed(lambda: stats.picture(city_user), 10)

    # 2. The page and the download, through the whole stack.
    boss, local = signed_in_client(city_user), signed_in_client(county_user)
    result["page_city"], queries = timed_get(boss, "/admin/ledger/stats/", 20)
    result["page_city_district"], _q = timed_get(boss, f"/admin/ledger/stats/?district={counties[1].pk}", 20)
    result["page_county"], _q = timed_get(local, "/admin/ledger/stats/", 20)
    result["download_xlsx_city"], _q = timed_get(boss, "/admin/ledger/stats/download/?format=xlsx", 10)
    result["download_csv_city"], _q = timed_get(boss, "/admin/ledger/stats/download/?format=csv", 10)
    result["queries"] = {"page_city": queries}
    print(json.dumps(result, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=200_000)
    parser.add_argument("--visits", type=int, default=400_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--child")
    options = parser.parse_args()
    if options.child:
        child(options.child, options.families, options.visits)
        return
    run_children(
        __file__,
        "ledger-stats",
        options.database,
        ["--families", str(options.families), "--visits", str(options.visits)],
    )


if __name__ == "__main__":
    main()
