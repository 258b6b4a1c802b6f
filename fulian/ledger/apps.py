from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "fulian.ledger"
    label = "fulian_ledger"
    verbose_name = _("重点家庭台账")
