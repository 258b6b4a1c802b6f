"""Counting page views served by the edge server (nginx) from its own cache.

nginx writes one line per public page it serves — ``<page id>\\t<address>\\t<user agent>`` —
to a hit log (see deploy/nginx.conf). The worker reads new lines every couple of seconds and
counts them with the same rules as the application: crawlers and quick repeats are ignored.
The log is a queue, not a record: addresses are read once, turned into daily visitor hashes,
and the file is rotated away (deploy/logrotate.conf).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from fulian.counters.backends import get_counter
from fulian.counters.visitors import is_crawler, visitor_key

logger = logging.getLogger(__name__)

MAX_READ = 16 * 1024 * 1024


@dataclass
class IngestReport:
    lines: int = 0
    counted: int = 0
    skipped: int = 0


def _unescape(field: str) -> str:
    # nginx's default log escaping writes bytes outside printable ASCII as \xHH.
    if "\\x" not in field:
        return field
    try:
        return (
            field.encode("latin-1", "backslashreplace")
            .decode("unicode_escape")
            .encode("latin-1")
            .decode("utf-8", "replace")
        )
    except (UnicodeDecodeError, UnicodeEncodeError):
        return field


def parse_hits(chunk: bytes) -> list[tuple[int, str | None]]:
    """(page id, visitor key or None) for each well-formed line; malformed lines are dropped."""
    hits: list[tuple[int, str | None]] = []
    for raw in chunk.split(b"\n"):
        parts = raw.decode("utf-8", "replace").split("\t")
        if len(parts) != 3 or not parts[0].isdigit():
            continue
        page_id, address, user_agent = int(parts[0]), parts[1], _unescape(parts[2])[:512]
        hits.append((page_id, None if is_crawler(user_agent) else visitor_key(address, user_agent)))
    return hits


def _read_new(path: Path, offset: int) -> tuple[bytes, int]:
    with path.open("rb") as handle:
        handle.seek(offset)
        data = handle.read(MAX_READ)
    end = data.rfind(b"\n") + 1  # only whole lines; a half-written line waits for next time
    return data[:end], offset + end


def ingest_hit_log(path_name: str) -> IngestReport:
    """Count every complete line written since the last call; survives rotation (path → path.1)."""
    path = Path(path_name)
    state_path = path.with_name(path.name + ".state")
    try:
        state = json.loads(state_path.read_text())
    except (OSError, ValueError):
        state = {"inode": None, "offset": 0}
    report = IngestReport()
    try:
        inode = path.stat().st_ino
    except FileNotFoundError:
        return report
    if state["inode"] is not None and state["inode"] != inode:
        rotated = path.with_name(path.name + ".1")
        if rotated.exists() and rotated.stat().st_ino == state["inode"]:
            offset = int(state["offset"])
            while chunk := _read_new(rotated, offset)[0]:
                offset += len(chunk)
                _count(chunk, report)
        state = {"inode": inode, "offset": 0}
    state["inode"] = inode
    while True:
        chunk, state["offset"] = _read_new(path, int(state["offset"]))
        if not chunk:
            break
        _count(chunk, report)
    tmp = state_path.with_name(state_path.name + ".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, state_path)
    return report


def _count(chunk: bytes, report: IngestReport) -> None:
    if not chunk:
        return
    hits = parse_hits(chunk)
    report.lines += chunk.count(b"\n")
    counted = get_counter().record_many(hits)
    report.counted += counted
    report.skipped += len(hits) - counted
