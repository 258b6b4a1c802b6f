from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JointMeetingConfig(AppConfig):
    name = "fulian.jointmeeting"
    label = "fulian_jointmeeting"
    verbose_name = _("维权联席会议")
