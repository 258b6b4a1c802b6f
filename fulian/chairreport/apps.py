from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChairReportConfig(AppConfig):
    name = "fulian.chairreport"
    label = "fulian_chairreport"
    verbose_name = _("联席会议工作报告")
