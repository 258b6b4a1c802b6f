from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "fulian.hotline"
    label = "fulian_hotline"
    verbose_name = _("12338 热线")
