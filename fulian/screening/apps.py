from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "fulian.screening"
    label = "fulian_screening"
    verbose_name = _("入职查询")
