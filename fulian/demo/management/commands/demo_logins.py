from typing import Any

from django.core.management.base import BaseCommand

from fulian.demo.management.commands.load_demo import DEMO_USERS


class Command(BaseCommand):
    help = "打印演示账号。"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("演示账号（仅供演示，切勿用于生产环境）：")
        for username, password, _groups, _superuser, role in DEMO_USERS:
            self.stdout.write(f"  {role:<24} 用户名 {username:<10} 密码 {password}")
