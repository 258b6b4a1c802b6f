from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "fulian.targets"
    label = "fulian_targets"
    verbose_name = _("目标管理责任书")
