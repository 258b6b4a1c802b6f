import json
from typing import Any

from django.core.management.base import BaseCommand

from fulian.counters.backends import get_counter


class Command(BaseCommand):
    help = "显示页面阅览数和网站总访问量（JSON）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("page_ids", nargs="*", type=int, help="页面 ID")

    def handle(self, *args: Any, **options: Any) -> None:
        counter = get_counter()
        result = {
            "pages": {str(pid): counter.page_views(pid) for pid in options["page_ids"]},
            "site": counter.site_visits(),
        }
        self.stdout.write(json.dumps(result))
