from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fulian.people"
    label = "fulian_people"
    verbose_name = _("服务对象")
