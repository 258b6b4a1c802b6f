from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "fulian.security"
    label = "fulian_security"
    verbose_name = _("安全")

    def ready(self) -> None:
        from fulian.security import checks  # noqa: F401
