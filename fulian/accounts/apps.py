from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fulian.accounts"
    label = "fulian_accounts"
    verbose_name = _("用户与角色")

    def ready(self) -> None:
        from fulian.accounts import signals  # noqa: F401
