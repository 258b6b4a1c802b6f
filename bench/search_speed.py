"""Search speed at scale: 100,000 generated Chinese articles, query latency p50/p95, index build time, RSS.

    uv run python bench/search_speed.py [--articles 100000] [--database sqlite|postgres|both]

Articles are generated from the demo content's sentences (realistic vocabulary) and indexed
with the same segmenter and weights as the site (fulian/search/services.py), straight into the
index tables. Queries are the words people use on a federation site.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import run_children

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "家庭", "家暴", "性侵", "保护令", "心理", "12338", "最美家庭", "留守儿童", "两癌", "创业",
    "妇联", "巾帼", "维权", "联席会议", "心理咨询", "婚调", "一站式", "强制报告", "春蕾", "志愿服务",
    "家庭暴力 保护令", "最美家庭 表彰", "创业 贷款", "留守儿童 关爱", "铜官区", "枞阳县", "义安区", "郊区",
    "反家暴", "法律援助",
]  # fmt: skip


def child(database: str, articles: int) -> None:
    """Runs inside a process configured for one database."""
    import django

    django.setup()
    from django.core.management import call_command

    from fulian.search.models import SearchPosting
    from fulian.search.selectors import search_articles
    from fulian.search.services import IndexEntry, rebuild_documents

    call_command("migrate", verbosity=0)
    content = json.loads((ROOT / "fulian/demo/content/articles.json").read_text(encoding="utf-8"))
    sentences = [
        s + "。"
        for a in content
        for b in a["body"]
        if b["type"] == "paragraph"
        for s in b["text"].split("。")
        if len(s) > 8
    ]
    titles = [a["title"] for a in content]
    rng = random.Random(2026)
    import datetime as dt

    from django.utils import timezone

    start_time = timezone.now() - dt.timedelta(days=3650)

    def generated(size: int = 1000) -> Iterator[list[IndexEntry]]:
        batch: list[IndexEntry] = []
        for n in range(1, articles + 1):
            title = rng.choice(titles)[: rng.randint(8, 30)] + f"（{n}）"
            text = "".join(rng.choices(sentences, k=rng.randint(4, 9)))
            batch.append(IndexEntry(page_id=10_000_000 + n, channel_id=rng.randint(1, 9),
                                    published_at=start_time + dt.timedelta(minutes=n * 50), title=title, text=text))  # fmt: skip
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch

    t0 = time.perf_counter()
    rebuild_documents(generated())
    build = time.perf_counter() - t0
    postings = SearchPosting.objects.count()
    plain = _latencies(search_articles, [(q, {}) for q in QUERIES])
    channel = {"channel_id": 3}
    recent = {"since": (timezone.now() - dt.timedelta(days=365)).date()}
    filtered = _latencies(search_articles, [(q, f) for q in QUERIES[:10] for f in (channel, recent)])
    print(json.dumps({
        "database": database, "articles": articles, "postings": postings, "build_seconds": round(build, 1),
        **plain, "filtered": {k: v for k, v in filtered.items() if k != "slowest"},
        "hits_for_家庭": search_articles("家庭").total, "worker_rss_mb": _worker_rss(),
    }, ensure_ascii=False))  # fmt: skip


def _latencies(search: Any, cases: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    for q, f in cases:  # warm the segmenter and the database cache once
        search(q, **f)
    latencies: dict[int, list[float]] = {n: [] for n in range(len(cases))}
    for _round in range(5):
        for n, (q, f) in enumerate(cases):
            t = time.perf_counter()
            search(q, **f)
            latencies[n].append((time.perf_counter() - t) * 1000)
    every = sorted(x for v in latencies.values() for x in v)
    worst = sorted(((statistics.median(v), n) for n, v in latencies.items()), reverse=True)[:3]
    return {
        "p50_ms": round(every[len(every) // 2], 2), "p95_ms": round(every[int(len(every) * 0.95)], 2),
        "max_ms": round(every[-1], 2), "slowest": [[cases[n][0], round(m, 1)] for m, n in worst],
    }  # fmt: skip


def _worker_rss() -> int:
    """RSS of a fresh process shaped like the worker: the whole app, then the segmenter and dictionary loaded."""
    code = (
        "import django; django.setup(); import fulian.wsgi; "
        "from fulian.core.management.commands import run_worker; "
        "from fulian.search.selectors import search_articles; search_articles('家庭暴力 保护令'); "
        "print(open('/proc/self/status').read().split('VmRSS:')[1].split()[0])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1]) // 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--data-dir", help="keep the SQLite index here (default: a temporary folder)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child, options.articles)
        return
    run_children(__file__, "search-speed", options.database, ["--articles", str(options.articles)], options.data_dir)


if __name__ == "__main__":
    main()
