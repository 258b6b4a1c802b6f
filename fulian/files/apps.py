from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    name = "fulian.files"
    label = "fulian_files"
    verbose_name = _("附件")
