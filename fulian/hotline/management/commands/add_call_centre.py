"""Register a call-centre system for ringing-call announcements; prints its token once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fulian.hotline.services import call_centre_create
from fulian.orgs.models import Organisation


class Command(BaseCommand):
    help = "登记呼叫中心系统（来电弹屏），打印其访问令牌（只显示一次，数据库中只保存其哈希）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", help="系统名称")
        parser.add_argument("division_code", help="所属妇联的行政区划代码，如 340700")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = (
            Organisation.objects.filter(division_code=options["division_code"], active=True)
            .exclude(kind="member_unit")
            .first()
        )
        if organisation is None:
            raise CommandError("找不到该行政区划代码对应的妇联组织。")
        system, token = call_centre_create(actor=None, name=options["name"][:100], organisation=organisation)
        self.stdout.write(f"已登记：{system.name}（{organisation.name}）")
        self.stdout.write(f"令牌（请立即保存到呼叫中心系统，之后无法再次查看）：{token}")
        self.stdout.write(
            '调用：POST /api/hotline/ring/，Authorization: Bearer <令牌>，JSON {"phone": ..., "operator": 用户名}'
        )
