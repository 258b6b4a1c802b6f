from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fulian.audit.verify import verify_chain


class Command(BaseCommand):
    help = "校验审计记录的哈希链：发现被修改、插入或删除的记录并指出位置。"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        verdict = verify_chain()
        seconds = time.perf_counter() - started
        for problem in verdict.problems:
            where = f"（数据库行 id={problem.row_id}）" if problem.row_id else ""
            self.stderr.write(f"{problem.message}{where}")
        if not verdict.ok:
            raise CommandError(f"审计链校验失败：已检查 {verdict.checked} 条，发现 {len(verdict.problems)} 处问题。")
        self.stdout.write(f"审计链完整：共 {verdict.checked} 条，用时 {seconds:.1f} 秒。")
