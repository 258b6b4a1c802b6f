"""What the database benchmarks share: a production-like environment, one child process per
database (SQLite in a temporary folder, PostgreSQL in a fresh database), and the results file."""

from __future__ import annotations

import base64
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]


def databases(choice: str) -> list[str]:
    return ["sqlite", "postgres"] if choice == "both" else [choice]


def run_children(
    script: str, name: str, choice: str, args: list[str], data_dir: str | None = None
) -> list[dict[str, Any]]:
    """Run `script --child DATABASE *args` once per database; each prints one JSON line last."""
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "fulian.settings", "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0", "HTTPS": "0", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
            "FIELD_KEYS": "bench=" + base64.b64encode(secrets.token_bytes(32)).decode(),
            "BLIND_INDEX_KEY": secrets.token_urlsafe(48), "AUDIT_KEY": secrets.token_urlsafe(48)}  # fmt: skip
    base.pop("REDIS_URL", None)
    base.pop("DATABASE_URL", None)
    results = []
    for database in databases(choice):
        env = dict(base, DATA_DIR=data_dir or tempfile.mkdtemp(prefix=f"fulian-{name}-"))
        if database == "postgres":
            import psycopg

            bench_db = f"fulian_{name}".replace("-", "_")
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {bench_db}")
                conn.execute(f"CREATE DATABASE {bench_db}")
            env["DATABASE_URL"] = f"{PG_SERVER}/{bench_db}"
        done = subprocess.run([sys.executable, script, "--child", database, *args], env=env, capture_output=True,
                              text=True, check=False)  # fmt: skip
        if done.returncode:
            sys.exit(f"{database}: the benchmark failed\n{done.stderr[-3000:]}")
        row = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"{name.replace('-', '_')}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return results


def percentiles(samples: list[float], digits: int = 3) -> dict[str, float]:
    """p50 and p95 of timings in milliseconds."""
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), digits),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], digits),
    }


def insert_rows(cursor: Any, table: str, columns: str, rows: Sequence[Sequence[object]]) -> None:
    """Many rows in one statement (fixed table and column names; values as parameters)."""
    marks = "(" + ", ".join(["%s"] * len(rows[0])) + ")"
    sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([marks] * len(rows))  # noqa: S608
    cursor.execute(sql, [v for row in rows for v in row])


def bulk_insert(table: str, columns: str, rows_of: Any, total: int, batch: int = 500) -> None:
    """`total` rows made by `rows_of(n)`, inserted `batch` at a time in one transaction."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        rows: list[Sequence[object]] = []
        for n in range(total):
            rows.append(rows_of(n))
            if len(rows) == batch or n == total - 1:
                insert_rows(cursor, table, columns, rows)
                rows = []


# --- screens measured through the whole stack (signed-in staff, two factors done) ---------------


def setup_for_screens() -> None:
    """In a benchmark's child: Django with production settings, the schema, and the static files
    (production settings serve hashed static files: the admin pages need the manifest)."""
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="fulian-static-"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def staff_user(username: str, organisation: Any, role: str) -> Any:
    from django.contrib.auth import get_user_model

    from fulian.accounts.services import staff_place, staff_set_roles

    user = get_user_model().objects.create_user(username=username, password=secrets.token_urlsafe(16))
    staff_place(actor=None, user=user, organisation=organisation)
    staff_set_roles(actor=None, user=user, roles=[role])
    return get_user_model().objects.get(pk=user.pk)


def signed_in_client(user: Any) -> Any:
    """A signed-in browser for `user`, both factors done."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def timed_get(client: Any, url: str, runs: int) -> tuple[dict[str, float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    samples = []
    queries = 0
    for n in range(runs):
        if n == 0:
            with CaptureQueriesContext(connection) as captured:
                t = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - t) * 1000)
            queries = len(captured)
        else:
            t = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return percentiles(samples, 2), queries
