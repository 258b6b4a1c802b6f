"""Speed of the ledger's overdue-visit lists among a city's families.

    uv run python bench/ledger_overdue.py [--families 200000] [--database sqlite|postgres|both]

Target (issue: the vulnerable-family ledger): the overdue-visit list for a county among 200,000
families ≤ 100 ms on PostgreSQL.

Four counties, each with five townships of ten villages; the families spread over the 200 villages,
one village cadre per village looks after its families; next visits spread from 90 days ago to 90
days ahead (about half overdue). Pages are requests through the whole stack under production
settings: the county supervisor's overdue list (her whole county), a village cadre's own overdue
list, and the ledger list filtered to overdue families.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Sequence
from typing import Any

from harness import bulk_insert, run_children, setup_for_screens, signed_in_client, staff_user, timed_get

FAMILY_COLUMNS = (
    "organisation_id, version, number, head_name, address, grid, cadre_id, grade_id, grade_reason, needs, "
    "next_visit_on, last_visit_on, created_by_id, created_at, updated_at"
)


def child(database: str, families: int) -> None:
    setup_for_screens()
    from django.db import connection
    from django.utils import timezone

    from fulian.ledger.models import Family, FamilyType, RiskGrade
    from fulian.orgs.services import organisation_create
    from fulian.security import crypto

    city = organisation_create(name="铜陵市妇联", kind="city", division_code="340700")
    villages: list[Any] = []
    cadres: list[int] = []
    counties: list[Any] = []
    for c in range(4):
        county = organisation_create(
            name=f"第{c + 1}区妇联", kind="county", parent=city, division_code=f"3407{c + 1:02d}"
        )
        counties.append(county)
        for w in range(5):
            township = organisation_create(name=f"第{c + 1}区{w + 1}镇妇联", kind="township", parent=county,
                                           division_code=f"3407{c + 1:02d}{w + 1:03d}")  # fmt: skip
            for v in range(10):
                village = organisation_create(name=f"第{c + 1}区{w + 1}镇{v + 1}村妇联", kind="village",
                                              parent=township, division_code=f"3407{c + 1:02d}{w + 1:03d}{v + 1:03d}")  # fmt: skip
                villages.append(village)
                cadres.append(staff_user(f"cadre{len(cadres)}", village, "grassroots").pk)
    supervisor = staff_user("county_supervisor", counties[0], "supervisor")
    cadre = staff_user("cadre_measured", villages[0], "grassroots")
    grades = list(RiskGrade.objects.order_by("pk"))
    poor = FamilyType.objects.get(code="poor")
    field: dict[str, Any] = {f.name: f for f in Family._meta.concrete_fields}
    name = crypto.encrypt("陈桂兰", context=field["head_name"].context)
    address = crypto.encrypt("五一社区3栋201", context=field["address"].context)
    today = timezone.localdate()
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    t = time.perf_counter()

    def family_row(n: int) -> Sequence[object]:
        v = n % len(villages)
        # The measured cadre looks after the first village's families.
        owner = cadre.pk if v == 0 else cadres[v]
        due = today + dt.timedelta(days=(n * 7919) % 181 - 90)
        return (villages[v].pk, 1, f"B{n:07d}", name, address, "", owner, grades[n % 3].pk, "", "", due,
                due - dt.timedelta(days=30), owner, stamp, stamp)  # fmt: skip

    bulk_insert("fulian_ledger_family", FAMILY_COLUMNS, family_row, families)
    first = Family.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    bulk_insert("fulian_ledger_family_types", "family_id, familytype_id", lambda n: (first + n, poor.pk), families)
    with connection.cursor() as cursor:
        for table in ("fulian_ledger_family", "fulian_ledger_family_types", "fulian_orgs_organisation"):
            cursor.execute(f"ANALYZE {table}")
    result: dict[str, Any] = {
        "database": database,
        "families": families,
        "load_seconds": round(time.perf_counter() - t, 1),
    }
    boss, own = signed_in_client(supervisor), signed_in_client(cadre)
    result["overdue_county_supervisor"], queries = timed_get(boss, "/admin/ledger/overdue/?all=1", 60)
    result["overdue_county_page_20"], _ = timed_get(boss, "/admin/ledger/overdue/?all=1&p=20", 30)
    result["overdue_village_cadre"], _ = timed_get(own, "/admin/ledger/overdue/", 60)
    result["ledger_list_overdue_filter"], _ = timed_get(boss, "/admin/ledger/?overdue=on", 60)
    result["queries_overdue_page"] = queries
    print(json.dumps(result, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=200_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--child")
    options = parser.parse_args()
    if options.child:
        child(options.child, options.families)
        return
    run_children(__file__, "ledger-overdue", options.database, ["--families", str(options.families)])


if __name__ == "__main__":
    main()
