"""Speed of the security substrate: decrypting a list, blind-index lookups, audit writes, verify_audit.

    uv run python bench/security_speed.py [--people 1000000] [--audit-rows 1000000] [--database sqlite|postgres|both]

Targets (issue: security substrate): decrypting the personal fields of a 50-row list ≤ 5 ms;
blind-index lookup among 1,000,000 people ≤ 10 ms on PostgreSQL; an audit write adds ≤ 2 ms;
verify_audit over 1,000,000 rows: time reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import secrets
import statistics
import time
from typing import Any

from harness import insert_rows, percentiles, run_children

PERSON_COLUMNS = ("organisation_id, version, name, id_number, id_number_index, phone, phone_index, address, notes, "
                  "sex, minor, created_at, updated_at")  # fmt: skip
AUDIT_COLUMNS = ("seq, at, actor_id, actor_username, organisation_id, action, target_type, target_id, outcome, ip, detail, "
                 "algorithm, prev_hash, hash")  # fmt: skip


def child(database: str, people: int, audit_rows: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from fulian.audit.chain import chain_hash, row_values
    from fulian.audit.models import AuditEvent, AuditHead
    from fulian.audit.services import audit_record
    from fulian.audit.verify import verify_chain
    from fulian.orgs.services import organisation_create
    from fulian.people.models import Person
    from fulian.people.services import person_create
    from fulian.security import crypto
    from fulian.security.blind import blind_index

    call_command("migrate", verbosity=0)
    org = organisation_create(name="铜陵市妇联", kind="city", division_code="340700")
    result: dict[str, object] = {"database": database}

    # 1. A 50-row list: decrypting its personal fields (name, phone, ID number, address: 200 values).
    for n in range(50):
        person_create(actor=None, organisation=org, name=f"测试人员{n}", phone=f"139{n:08d}",
                      id_number="340702199001011239", address=f"铜官区某街道{n}号")  # fmt: skip
    fields: dict[str, Any] = {f.name: f for f in Person._meta.concrete_fields}
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone, id_number, address FROM fulian_people_person LIMIT 50")
        rows = cursor.fetchall()
    names = ("name", "phone", "id_number", "address")
    samples = []
    for _ in range(200):
        t = time.perf_counter()
        for row in rows:
            for name, value in zip(names, row, strict=True):
                crypto.decrypt(value, context=fields[name].context)
        samples.append((time.perf_counter() - t) * 1000)
    result["decrypt_50_rows"] = percentiles(samples)
    samples = []
    for _ in range(100):
        t = time.perf_counter()
        list(Person.objects.all()[:50])
        samples.append((time.perf_counter() - t) * 1000)
    result["load_50_people_with_decryption"] = percentiles(samples)

    # 2. Blind-index lookup among `people` rows (filler rows carry random indexes; 1,000 real ones).
    ciphertext = crypto.encrypt("填充", context=fields["name"].context)
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        batch: list[tuple[Any, ...]] = []
        now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
        for n in range(people):
            batch.append(
                (
                    org.pk,
                    1,
                    ciphertext,
                    "",
                    secrets.token_hex(16),
                    "",
                    secrets.token_hex(16),
                    "",
                    "",
                    "F",
                    False,
                    now,
                    now,
                )
            )
            if len(batch) == 500 or n == people - 1:
                insert_rows(cursor, "fulian_people_person", PERSON_COLUMNS, batch)
                batch = []
        cursor.execute("ANALYZE fulian_people_person")
    result["people_rows"] = Person.objects.count()
    result["people_load_seconds"] = round(time.perf_counter() - t, 1)
    wanted = [blind_index("phone", f"139{n:08d}") for n in range(50)]
    samples = []
    for _ in range(10):
        for index in wanted:
            t = time.perf_counter()
            found = list(Person.objects.filter(phone_index=index).values_list("pk", flat=True))
            samples.append((time.perf_counter() - t) * 1000)
            assert len(found) == 1
    result["blind_index_lookup"] = percentiles(samples)

    # 3. What one audit write adds to a request that changes one record: the same transaction
    # (one small update, committed) timed with and without its audit record, alternately.
    from django.db.models import F

    target = Person.objects.order_by("pk").values_list("pk", flat=True)[0]
    plain: list[float] = []
    audited: list[float] = []
    for n in range(3000):
        audit = n % 2 == 1
        t = time.perf_counter()
        with transaction.atomic():
            Person.objects.filter(pk=target).update(version=F("version") + 1)
            if audit:
                audit_record(
                    action="bench.write", target_type="fulian_people.person", target_id=str(target), detail={"n": n}
                )
        (audited if audit else plain).append((time.perf_counter() - t) * 1000)
    result["change_without_audit"] = percentiles(plain)
    result["change_with_audit"] = percentiles(audited)
    result["audit_adds_ms_p50"] = round(statistics.median(audited) - statistics.median(plain), 3)

    # 4. verify_audit over `audit_rows` rows: a valid chain written in bulk, then checked.
    head = AuditHead.objects.get(pk=1)
    prev, seq = head.hash, head.seq
    t = time.perf_counter()
    at = dt.datetime.now(dt.UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        batch = []
        for n in range(audit_rows - seq):
            seq += 1
            event = AuditEvent(seq=seq, at=at, actor_id=7, actor_username="caseworker", organisation_id=org.pk,
                               action="person.view", target_type="fulian_people.person", target_id=str(n), outcome="ok",
                               ip="10.1.2.3", detail={}, algorithm="sha256", prev_hash=prev)  # fmt: skip
            event.hash = chain_hash(prev, row_values(event))
            prev = event.hash
            batch.append((event.seq, connection.ops.adapt_datetimefield_value(at), 7, "caseworker", org.pk, event.action,
                          event.target_type, event.target_id, "ok", "10.1.2.3", "{}", "sha256", event.prev_hash, event.hash))  # fmt: skip
            if len(batch) == 500:
                insert_rows(cursor, "fulian_audit_auditevent", AUDIT_COLUMNS, batch)
                batch = []
        if batch:
            insert_rows(cursor, "fulian_audit_auditevent", AUDIT_COLUMNS, batch)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    result["audit_load_seconds"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    verdict = verify_chain()
    result["verify_audit"] = {"rows": verdict.checked, "ok": verdict.ok, "seconds": round(time.perf_counter() - t, 1)}
    print(json.dumps(result, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--audit-rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child, options.people, options.audit_rows)
        return
    run_children(
        __file__,
        "security-speed",
        options.database,
        ["--people", str(options.people), "--audit-rows", str(options.audit_rows)],
    )


if __name__ == "__main__":
    main()
