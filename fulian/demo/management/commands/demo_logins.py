from typing import Any

from django.core.management.base import BaseCommand

from fulian.demo.organisations import logins


class Command(BaseCommand):
    help = "打印演示账号。"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("演示账号（仅供演示，切勿用于生产环境；生产设置下这些账号无法登录）：")
        for username, password, organisation, what in logins():
            self.stdout.write(f"  {username:<12} 密码 {password:<22} {organisation:<10} {what}")
        self.stdout.write("可查看个人信息的角色和三类管理员首次登录时须绑定手机验证器（TOTP，页面显示二维码和密钥）。")
