from typing import Any

from django.core.management.base import BaseCommand

from fulian.search.services import search_rebuild


class Command(BaseCommand):
    help = "重建站内搜索索引（修改词典后运行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        count = search_rebuild()
        self.stdout.write(f"已为 {count} 篇文章建立索引。")
