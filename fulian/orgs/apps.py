from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "fulian.orgs"
    label = "fulian_orgs"
    verbose_name = _("组织机构")
