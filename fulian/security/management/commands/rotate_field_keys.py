from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fulian.security.crypto import keyring
from fulian.security.rotation import rotate


class Command(BaseCommand):
    help = "用当前密钥（FIELD_KEY_ID）重新加密所有个人信息字段；分批提交，中断后再次运行即从中断处继续。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="每批行数（默认 500）")
        parser.add_argument("--max-batches", type=int, default=None, help="最多处理的批数（用于分时段执行）")

    def handle(self, *args: Any, batch: int, max_batches: int | None, **options: Any) -> None:
        ring = keyring()
        self.stdout.write(f"当前密钥：{ring.current}（{ring.cipher}）")
        total = 0
        for progress in rotate(batch=max(batch, 1), max_batches=max_batches):
            if progress.rows:
                self.stdout.write(f"{progress.model}：已重新加密 {progress.rows} 行（{progress.batches} 批）")
            total += progress.rows
        self.stdout.write(f"完成：本次共重新加密 {total} 行。")
