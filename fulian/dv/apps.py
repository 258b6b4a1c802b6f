from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DvConfig(AppConfig):
    name = "fulian.dv"
    label = "fulian_dv"
    verbose_name = _("反家暴措施")
