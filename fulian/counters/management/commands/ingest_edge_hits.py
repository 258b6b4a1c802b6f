from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fulian.counters.edge import ingest_hit_log
from fulian.counters.services import flush_to_database


class Command(BaseCommand):
    help = "读取 nginx 页面命中日志并计入阅览数（worker 每 2 秒自动执行一次）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--path", default=settings.EDGE_HIT_LOG, help="命中日志路径（默认 EDGE_HIT_LOG）")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["path"]:
            raise CommandError("未配置命中日志：请设置 EDGE_HIT_LOG 或使用 --path。")
        report = ingest_hit_log(options["path"])
        flush_to_database()
        self.stdout.write(f"读取 {report.lines} 行，计入 {report.counted} 次，忽略 {report.skipped} 次。")
