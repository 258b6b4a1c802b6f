from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "fulian.protection"
    label = "fulian_protection"
    verbose_name = _("未成年人保护与反家暴")
