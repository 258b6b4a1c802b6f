"""Speed and memory of the ledger's Excel import and export.

    uv run python bench/ledger_import_export.py [--families 10000] [--export-families 100000] \
        [--database sqlite|postgres|both]

Targets (issue: Excel in and out): validating and importing 10,000 families with 30,000 members
≤ 30 s with peak memory ≤ 300 MB; exporting 100,000 families ≤ 20 s with bounded (streamed) memory.

The import is measured as the user meets it: the sheet is uploaded (kept sealed), checked (the
preview), confirmed, and imported by the task (which checks it again against the ledger, then saves
everything in one transaction) — the service calls the views and the task make, timed end to end.
The sheet is a real .xlsx written by openpyxl (shared strings, as Excel writes them): one row per
member, three members a household, over twenty villages, every member with a valid ID number.

The export is a request through the whole stack (production settings, a signed-in supervisor with a
fresh login) for the 100,000 families of one county, with three members each; the streamed body is
read and counted, never held. Masked (the default) and full values are measured apart.

Each measurement runs in a process of its own, so its peak RSS (resource.getrusage) is its own:
the Python process, Django, and the work measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

from harness import bulk_insert, run_children, signed_in_client, staff_user

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰建国小明子涵雨桐浩然欣怡志强丽娟春梅海燕文博思远"
FAMILY_COLUMNS = (
    "organisation_id, version, number, head_name, address, grid, cadre_id, grade_id, grade_reason, needs, "
    "next_visit_on, last_visit_on, created_by_id, created_at, updated_at"
)
MEMBER_COLUMNS = (
    "family_id, name, id_number, id_number_index, sex, birth_date, relationship, phone, school_or_work, health, "
    "created_at"
)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def id_number(region: str, born: dt.date, serial: int) -> str:
    first = f"{region}{born:%Y%m%d}{serial:03d}"
    return first + CHECK[sum(int(d) * w for d, w in zip(first, WEIGHTS, strict=True)) % 11]


def name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 7) % len(GIVEN)] + GIVEN[(n // 3) % len(GIVEN)]


def write_sheet(path: str, families: int, villages: list[str]) -> None:
    """The sheet a city's cadres would upload: three members a household, household columns on its first row."""
    import openpyxl

    from fulian.ledger.imports import COLUMNS

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append([str(c.header) for c in COLUMNS])
    keys = [c.key for c in COLUMNS]
    types = ("贫困", "单亲", "单亲、留守儿童", "矛盾多", "残疾、重病")
    grades = ("红色", "橙色", "黄色", "黄色")
    serial = 0
    starts = {"户主": dt.date(1960, 1, 1), "配偶": dt.date(1965, 1, 1), "子女": dt.date(2008, 1, 1)}
    for f in range(families):
        for m, relationship in enumerate(("户主", "配偶", "子女")):
            serial += 1
            # A unique, valid ID number for everyone: 450 people a birth day; odd serials are men
            # (the head a woman, her husband a man).
            born = starts[relationship] + dt.timedelta(days=f // 450)
            values: dict[str, Any] = {
                "name": name(serial), "relationship": relationship,
                "id_number": id_number("340705", born, (f % 450) * 2 + (1 if m == 1 else 0)),
                "phone": f"139{serial:08d}" if m < 2 else None,
                "school_or_work": "务农" if m < 2 else "小学在读",
            }  # fmt: skip
            if m == 0:
                values.update(
                    key=f + 1, organisation=villages[f % len(villages)], head_name=values["name"],
                    types=types[f % len(types)], grade=grades[f % len(grades)], grade_reason="收入低，需要关注",
                    address=f"幸福路{f}号", grid=f"第{f % 9 + 1}网格", needs="助学",
                )  # fmt: skip
            sheet.append([values.get(k) for k in keys])
    book.save(path)


class Launcher:
    """Starts the measurements from a process that is itself small. ru_maxrss survives exec: a process
    started by this (large) one would report this one's peak, not its own."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, __file__, "--launcher"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=os.environ)  # fmt: skip

    def measure(self, what: str, argument: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f"{what} {argument}\n")
        self.process.stdin.flush()
        done = json.loads(self.process.stdout.readline())
        if done["returncode"]:
            sys.exit(f"{what}: the measurement failed\n{done['stderr']}")
        return dict(json.loads(done["stdout"].strip().splitlines()[-1]))

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()


def launcher() -> None:
    for line in sys.stdin:
        what, argument = line.split()
        done = subprocess.run([sys.executable, __file__, "--measure", what, argument], env=os.environ,
                              capture_output=True, text=True, check=False)  # fmt: skip
        print(json.dumps({"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr[-3000:]}),
              flush=True)  # fmt: skip


def child(database: str, families: int, export_families: int) -> None:
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    measurements = Launcher()  # first, while this process is small
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from fulian.orgs.services import organisation_create

    call_command("migrate", verbosity=0)
    city = organisation_create(name="铜陵市妇联", kind="city", division_code="340700")
    county = organisation_create(name="铜官区妇联", kind="county", parent=city, division_code="340705")
    villages = []
    for w in range(4):
        township = organisation_create(
            name=f"第{w + 1}街道妇联", kind="township", parent=county, division_code=f"340705{w + 1:03d}"
        )
        for v in range(5):
            villages.append(organisation_create(name=f"第{w + 1}街道{v + 1}社区妇联", kind="village", parent=township,
                                                division_code=f"340705{w + 1:03d}{v + 1:03d}"))  # fmt: skip
    staff_user("importer", county, "supervisor")
    staff_user("exporter", city, "supervisor")
    result: dict[str, Any] = {"database": database}

    # 1. The import, in a process of its own.
    sheet = os.path.join(tempfile.mkdtemp(prefix="fulian-ledger-sheet-"), "ledger.xlsx")
    write_sheet(sheet, families, [v.name for v in villages])
    result["import"] = measurements.measure("import", sheet)

    # 2. The export: another county's 100,000 families, three members each.
    other = organisation_create(name="义安区妇联", kind="county", parent=city, division_code="340706")
    t = time.perf_counter()
    seed_export(other, export_families)
    result["export_seed_seconds"] = round(time.perf_counter() - t, 1)
    with connection.cursor() as cursor:
        for table in ("fulian_ledger_family", "fulian_ledger_member", "fulian_ledger_family_types"):
            cursor.execute(f"ANALYZE {table}")
    result["export_masked"] = measurements.measure("export", str(other.pk))
    result["export_full"] = measurements.measure("export-full", str(other.pk))
    measurements.close()
    print(json.dumps(result, ensure_ascii=False))


def seed_export(county: Any, families: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from fulian.ledger.models import Family, FamilyType, Member, RiskGrade
    from fulian.orgs.services import organisation_create
    from fulian.security import crypto
    from fulian.security.blind import blind_index

    township = organisation_create(name="五松镇妇联", kind="township", parent=county, division_code="340706101")
    village = organisation_create(name="五松村妇联", kind="village", parent=township, division_code="340706101001")
    cadre = get_user_model().objects.get(username="exporter").pk
    fields: dict[str, Any] = {f.name: f for f in Family._meta.concrete_fields}
    member_fields: dict[str, Any] = {f.name: f for f in Member._meta.concrete_fields}

    def sealed(model_fields: dict[str, Any], field: str, text: str) -> str:
        return crypto.encrypt(text, context=model_fields[field].context)

    head, address = sealed(fields, "head_name", "王秀英"), sealed(fields, "address", "五松镇幸福路18号")
    reason, needs = sealed(fields, "grade_reason", "收入低，需要关注"), sealed(fields, "needs", "助学")
    names = [sealed(member_fields, "name", n) for n in ("王秀英", "李建国", "李子涵")]
    ids = [id_number("340706", dt.date(1980, 2, 3), 4), id_number("340706", dt.date(1978, 5, 6), 5),
           id_number("340706", dt.date(2014, 7, 8), 7)]  # fmt: skip
    sealed_ids = [sealed(member_fields, "id_number", i) for i in ids]
    indexes = [blind_index("id_number", i) for i in ids]
    phone, work = sealed(member_fields, "phone", "13905620001"), sealed(member_fields, "school_or_work", "务农")
    health = sealed(member_fields, "health", "高血压")
    grades = list(RiskGrade.objects.values_list("pk", flat=True))
    kinds = list(FamilyType.objects.values_list("pk", flat=True))
    today = timezone.localdate()
    now = timezone.now()
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value

    def family_row(n: int) -> Sequence[object]:
        return (village.pk, 1, f"340706101001-{n + 1:06d}", head, address, f"第{n % 9 + 1}网格", cadre,
                grades[n % len(grades)], reason, needs, today + dt.timedelta(days=n % 180 - 90), None, cadre,
                adapt(now), adapt(now))  # fmt: skip

    bulk_insert("fulian_ledger_family", FAMILY_COLUMNS, family_row, families)
    first = Family.objects.filter(organisation=village).order_by("pk").values_list("pk", flat=True).first() or 0
    bulk_insert("fulian_ledger_family_types", "family_id, familytype_id",
                lambda n: (first + n // 2, kinds[n % len(kinds)] if n % 2 else kinds[(n + 3) % len(kinds)]),
                families * 2)  # fmt: skip
    relationships, sexes = ("head", "spouse", "child"), ("F", "M", "F")
    born = (dt.date(1980, 2, 3), dt.date(1978, 5, 6), dt.date(2014, 7, 8))
    bulk_insert("fulian_ledger_member", MEMBER_COLUMNS,
                lambda n: (first + n // 3, names[n % 3], sealed_ids[n % 3], indexes[n % 3], sexes[n % 3], born[n % 3],
                           relationships[n % 3], phone if n % 3 < 2 else "", work, health if n % 3 == 0 else "",
                           adapt(now)),
                families * 3)  # fmt: skip


def run_measure(what: str, argument: str) -> None:
    import django

    django.setup()
    from django.urls import resolve

    resolve("/admin/")  # the URLconf and the apps' hooks, as in any running web or worker process
    baseline = peak_rss_mb()
    out = measure_import(argument) if what == "import" else measure_export(int(argument), full=what == "export-full")
    out["peak_rss_mb"] = peak_rss_mb()
    out["rss_at_start_mb"] = baseline  # Python, Django and the apps before any work
    print(json.dumps(out, ensure_ascii=False))


def measure_import(path: str) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from fulian.ledger import imports
    from fulian.ledger.models import Family, ImportStatus, LedgerImport, Member

    user = get_user_model().objects.get(username="importer")
    with open(path, "rb") as source:
        data = source.read()
    t = time.perf_counter()
    job = imports.upload(user=user, data=data)  # queues the check (the worker is not running here)
    imports.run_check(job.pk)
    checked = time.perf_counter()
    job.refresh_from_db()
    assert job.status == ImportStatus.READY, job.errors[:5]
    imports.confirm(user=user, pk=job.pk)
    imports.run_import(job.pk)
    done = time.perf_counter()
    job = LedgerImport.objects.get(pk=job.pk)
    assert job.status == ImportStatus.DONE, job.errors[:5]
    return {
        "families": Family.objects.count(),
        "members": Member.objects.count(),
        "rows": job.rows,
        "file_mb": round(len(data) / 1024 / 1024, 2),
        "check_seconds": round(checked - t, 2),
        "import_seconds": round(done - checked, 2),
        "total_seconds": round(done - t, 2),
    }


def measure_export(county: int, *, full: bool) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from fulian.accounts.reauth import KEY

    user = get_user_model().objects.get(username="exporter")
    client = signed_in_client(user)
    session = client.session
    session[KEY] = int(time.time())
    session.save()
    data = {"reason": "性能测试：导出一个区的台账", **({"full": "on"} if full else {})}
    t = time.perf_counter()
    response = client.post(f"/admin/ledger/export/?village={county}", data)
    assert response.status_code == 200, response.status_code
    assert response.streaming
    size = 0
    first = None
    for chunk in response.streaming_content:
        first = first if first is not None else time.perf_counter()
        size += len(chunk)
    seconds = time.perf_counter() - t
    from fulian.audit.models import AuditEvent

    event = AuditEvent.objects.filter(action="family.export").latest("seq")
    return {
        "families": event.detail["rows"],
        "members": event.detail["members"],
        "full": full,
        "file_mb": round(size / 1024 / 1024, 1),
        "first_bytes_seconds": round((first or t) - t, 2),
        "seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=10_000)
    parser.add_argument("--export-families", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child")
    parser.add_argument("--measure", nargs=2)
    parser.add_argument("--launcher", action="store_true")
    options = parser.parse_args()
    if options.launcher:
        launcher()
        return
    if options.measure:
        run_measure(*options.measure)
        return
    if options.child:
        child(options.child, options.families, options.export_families)
        return
    run_children(
        __file__,
        "ledger-import-export",
        options.database,
        ["--families", str(options.families), "--export-families", str(options.export_families)],
    )


if __name__ == "__main__":
    main()
