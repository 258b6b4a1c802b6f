"""Back-office staff: the organisation each user belongs to, and the state of their login."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    organisation = models.ForeignKey(
        "fulian_orgs.Organisation", verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="staff"
    )
    # Accounts made by `load_demo`: refused at login unless the deployment allows demo accounts.
    demo = models.BooleanField(default=False, editable=False)
    # When the password was last set; past PASSWORD_MAX_AGE_DAYS the user must change it.
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        permissions = [
            ("manage_roles", _("可以分配角色")),
            ("unlock_account", _("可以解锁账户")),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class LoginLock(models.Model):
    """Failed logins counted per account and per address; five in a row lock it for a while."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("账户")
        ADDRESS = "address", _("来源地址")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="fulian_accounts_one_lock")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
