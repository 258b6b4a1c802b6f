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
        from fulian.demo.casework import DEMO_REQUEST_PHONE
        from fulian.hotline.models import OnlineRequest

        request = OnlineRequest.objects.order_by("pk").first()
        if request is not None:
            self.stdout.write(
                f"在线求助查询（/wqzx/cx/）：编号 {request.tracking_number}，手机后四位 {DEMO_REQUEST_PHONE[-4:]}"
            )
        self.stdout.write(
            "演示流程：hotline 登记来电 → caseworker 在“12338 热线”中由来电立案、记录同意并转介市公安局"
            " → liaison 在“转介办理”中接收并办结 → supervisor 在“我的工作”中审批结案。"
        )
        self.stdout.write(
            "未成年人保护：caseworker 在“强制报告”中打开学校的报告 → 个案页的办理流程（一站式询问、法律援助、心理支持、"
            "司法救助已记录）；陈晓梅个案有告诫书和两份保护令（裁定超期、即将到期提醒见 supervisor 的“我的工作”）；"
            "grassroots 的“我的工作”显示待复查的儿童之家志愿者。"
        )
        from django.conf import settings

        from fulian.demo.ledger import write_import_samples

        wrong, fixed = write_import_samples(settings.DATA_DIR / "demo")
        self.stdout.write(
            "重点家庭台账：grassroots 在“我的工作”中看到逾期未走访的家庭，用手机记录走访、调为红色后提示立案；"
            f"supervisor 在“重点家庭台账 → 导入”中上传 {wrong}（预览按行列出错误），再上传 {fixed} 完成导入；"
            "“统计”页显示全市图表。"
        )
        self.stdout.write(
            "联席会议：secretariat 在“联席会议”中查看任务布置会的议定事项和交办任务（市卫生健康委超期）、九份已签订的"
            "目标管理责任书、上半年报送（市司法局逾期）、考核排名、责任书和考核结果 PDF、得分 Excel，以及可编辑的年度工作报告"
            "（PDF、Word）；liaison 只看到市公安局的任务、责任书和报送。"
        )
