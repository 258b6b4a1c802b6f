"""Portal speed: the article page in four deployments, measured in one run, with exact view counts.

    make bench            (or: uv run python bench/portal_speed.py [--seconds 10] [--connections 32])

Modes, all on this machine, all against the same article page of the demo site:
  nginx-static   nginx serving a saved copy of the page (the ceiling)
  app            granian + Django, page cache off, counts in Redis
  app-noredis    granian + Django, page cache off, counts in the database (the zero-set-up default)
  app+cache      granian + Django with the page cache on (Redis)
  nginx+app      the documented deployment (deploy/nginx.conf) in front of app+cache

Every request comes from a distinct visitor (bench/views.lua), so every request must be
counted: the page's 被阅览数 must rise by exactly the number of requests wrk sent.
Needs Debian's nginx and wrk (installed with apt-get when missing and running as root),
PostgreSQL not needed: the demo runs on an SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODES = ["nginx-static", "app", "app-noredis", "app+cache", "nginx+app"]
PYTHON = sys.executable
CRAWLER_UA = "fulian-bench-warmup/1.0 (bot)"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


def log(message: str) -> None:
    print(message, flush=True)


def ensure_tools() -> None:
    missing = [tool for tool in ("nginx", "wrk") if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists()]
    if missing:
        if os.geteuid() != 0:
            sys.exit(f"需要 Debian 软件包：{' '.join(missing)}（apt-get install {' '.join(missing)}）")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )


class Bench:
    def __init__(self, work: Path, seconds: int, connections: int, modes: list[str]) -> None:
        self.modes = modes
        self.work = work
        self.seconds = seconds
        self.connections = connections
        self.data = work / "data"
        self.static_root = work / "static"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "fulian.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "HTTPS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATA_DIR": str(self.data),
            "STATIC_ROOT": str(self.static_root),
            "LOG_LEVEL": "WARNING",
            "TRUSTED_PROXIES": "127.0.0.1",
            "CACHE_KEY_PREFIX": "fulianbench",
        }
        self.env.pop("DATABASE_URL", None)
        self.results: list[dict[str, Any]] = []

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env or self.env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def prepare(self) -> None:
        log("准备演示站点（迁移、演示数据、静态文件）…")
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_demo")
        self.manage("collectstatic", "--noinput", "-v0")
        info = self.manage(
            "shell",
            "-c",
            "from fulian.portal.models import ArticlePage;"
            "a=ArticlePage.objects.live().filter(url_path__startswith='/home/xinxi/').order_by('-published_at').first();"
            "print(a.pk, a.url)",
        ).split()
        self.page_id, self.path = int(info[-2]), info[-1]
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()

    # --- servers -------------------------------------------------------------------------
    @contextmanager
    def app(
        self, *, port: int, page_cache: bool, redis: bool, extra: dict[str, str] | None = None
    ) -> Iterator[dict[str, str]]:
        env = {**self.env, "PAGE_CACHE_ENABLED": "1" if page_cache else "0", **(extra or {})}
        if redis:
            env["REDIS_URL"] = REDIS_URL
        else:
            env.pop("REDIS_URL", None)
        granian = str(Path(PYTHON).with_name("granian"))
        proc = subprocess.Popen(
            [granian, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
             "--blocking-threads", "1", "--runtime-mode", "st", "--log-level", "warning", "fulian.wsgi:application"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(f"http://127.0.0.1:{port}{self.path}")
            self.app_pid = proc.pid
            yield env
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)

    @contextmanager
    def nginx(self, conf: str) -> Iterator[None]:
        run = self.work / "nginx"
        run.mkdir(exist_ok=True)
        path = run / "nginx.conf"
        path.write_text(conf)
        subprocess.run(["nginx", "-t", "-q", "-c", str(path)], check=True)
        subprocess.run(["nginx", "-c", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["nginx", "-c", str(path), "-s", "quit"], check=False)
            time.sleep(1.5)  # let workers flush their log buffers

    def nginx_conf(self, *, listen: int, app: str | None, hit_log: Path | None) -> str:
        """deploy/nginx.conf with this run's paths; with no app, the page is served from its saved copy."""
        run = self.work / "nginx"
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "cache"):
            (run / sub).mkdir(parents=True, exist_ok=True)
        conf = (ROOT / "deploy" / "nginx.conf").read_text()
        if app is None:
            copy = self.work / "copy"
            conf = conf.replace(
                "location / {",
                f"location = {self.path} {{ root {copy}; try_files /index.html =404; }}\n        location /unused/ {{",
                1,
            )
        values = {
            "@APP@": app or "127.0.0.1:9",
            "@USER@": "root",
            "@RUN_DIR@": str(run),
            "@LOG_DIR@": str(run),
            "@CACHE_DIR@": str(run / "cache"),
            "@LISTEN@": f"127.0.0.1:{listen}",
            "@SERVER_NAME@": "localhost",
            "@STATIC_ROOT@": str(self.static_root),
            "@MEDIA_ROOT@": str(self.data / "media"),
            "@HIT_LOG@": str(hit_log or run / "unused.log"),
            # All bench traffic comes from this machine: believe the visitor address wrk sends.
            "@REAL_IP@": "set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For;",
        }
        for key, value in values.items():
            conf = conf.replace(key, value)
        return conf

    # --- measuring -----------------------------------------------------------------------
    def counts(self, env: dict[str, str]) -> tuple[int, int]:
        data = json.loads(self.manage("view_counts", str(self.page_id), env=env).strip().splitlines()[-1])
        return int(data["pages"][str(self.page_id)]), int(data["site"])

    def load(self, url: str) -> dict[str, float]:
        for _ in range(50):  # warm every worker (templates, memo, connections); crawlers are not counted
            fetch(url, CRAWLER_UA)
        out = subprocess.run(
            ["wrk", "-t1", f"-c{self.connections}", f"-d{self.seconds}s", "--latency", "-s", str(ROOT / "bench" / "views.lua"), url, "--", str(len(self.results))],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        result = re.search(r"RESULT (.*)", out)
        if rps is None or result is None:
            raise RuntimeError(f"unexpected wrk output:\n{out}")
        fields = {k: float(v) for k, v in (pair.split("=") for pair in result.group(1).split())}
        return {"rps": float(rps.group(1)), **fields}

    def rss_mb(self) -> float:
        """Resident memory of one app worker process (the largest), in MB."""
        children = subprocess.run(["pgrep", "-P", str(self.app_pid)], capture_output=True, text=True).stdout.split()
        sizes = []
        for pid in children or [str(self.app_pid)]:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)  # type: ignore[union-attr]
        return round(max(sizes), 1)

    def record(self, mode: str, measured: dict[str, float], counted: int | None, rss: float | None) -> None:
        row = {"mode": mode, **measured, "counted": counted, "rss_mb": rss}
        self.results.append(row)
        exact = "" if counted is None else ("exact" if counted == int(measured["sent"]) else "MISMATCH")
        log(
            f"{mode:<13} {measured['rps']:>9.0f} req/s  p50 {measured['p50_ms']:.2f} ms  p99 {measured['p99_ms']:.2f} ms"
            f"  sent {int(measured['sent'])}  counted {counted if counted is not None else '-'} {exact}"
            f"{'' if rss is None else f'  worker RSS {rss} MB'}"
        )

    def run_app_mode(self, mode: str, *, port: int, page_cache: bool, redis: bool) -> None:
        with self.app(port=port, page_cache=page_cache, redis=redis) as env:
            before, _ = self.counts(env)
            measured = self.load(f"http://127.0.0.1:{port}{self.path}")
            time.sleep(0.5)
            after, _ = self.counts(env)
            self.record(mode, measured, after - before, self.rss_mb())

    def run(self) -> None:
        self.prepare()
        copy = self.work / "copy"
        copy.mkdir()
        with self.app(port=18100, page_cache=False, redis=True):
            (copy / "index.html").write_bytes(fetch(f"http://127.0.0.1:18100{self.path}", CRAWLER_UA))
        log(f"文章页 {self.path}（页面 ID {self.page_id}），每种方式 {self.seconds} 秒，{self.connections} 个连接")

        if "nginx-static" in self.modes:
            with self.nginx(self.nginx_conf(listen=18200, app=None, hit_log=None)):
                self.record("nginx-static", self.load(f"http://127.0.0.1:18200{self.path}"), None, None)
        if "app" in self.modes:
            self.run_app_mode("app", port=18101, page_cache=False, redis=True)
        if "app-noredis" in self.modes:
            self.run_app_mode("app-noredis", port=18102, page_cache=False, redis=False)
        if "app+cache" in self.modes:
            self.run_app_mode("app+cache", port=18103, page_cache=True, redis=True)
        if "nginx+app" in self.modes:
            self.run_edge_mode()

    def run_edge_mode(self) -> None:
        hit_log = self.work / "hits.log"
        with self.app(port=18104, page_cache=True, redis=True, extra={"EDGE_HIT_LOG": str(hit_log)}) as env:
            before, _ = self.counts(env)
            with self.nginx(self.nginx_conf(listen=18201, app="127.0.0.1:18104", hit_log=hit_log)):
                measured = self.load(f"http://127.0.0.1:18201{self.path}")
            rss = self.rss_mb()
            self.edge_lines = hit_log.read_bytes().count(b"\n")
            log(self.manage("ingest_edge_hits", "--path", str(hit_log), env=env).strip())
            after, _ = self.counts(env)
            self.record("nginx+app", measured, after - before, rss)

    def report(self) -> dict[str, Any]:
        ceiling = next((r["rps"] for r in self.results if r["mode"] == "nginx-static"), None)
        for row in self.results:
            row["share_of_ceiling"] = round(row["rps"] / ceiling, 3) if ceiling else None
        return {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
            "python": platform.python_version(),
            "seconds": self.seconds,
            "connections": self.connections,
            "results": self.results,
        }


def fetch(url: str, ua: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": ua})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            fetch(url, CRAWLER_UA)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not start: {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated subset of {','.join(MODES)}")
    options = parser.parse_args()
    ensure_tools()
    work = Path(tempfile.mkdtemp(prefix="fulian-bench-"))
    try:
        bench = Bench(work, options.seconds, options.connections, options.modes.split(","))
        bench.run()
        report = bench.report()
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    target = out / f"portal_speed-{dt.date.today().isoformat()}.json"  # noqa: DTZ011 - a file name
    target.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    log(f"\n结果已写入 {target.relative_to(ROOT)}")
    for row in report["results"]:
        share = f"{row['share_of_ceiling'] * 100:5.1f}% of nginx-static" if row["share_of_ceiling"] else ""
        log(f"  {row['mode']:<13} {row['rps']:>9.0f} req/s  {share}")


if __name__ == "__main__":
    main()
