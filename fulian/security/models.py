"""Sharing a sensitive record with another organisation (a referral, a joint case)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordShare(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    organisation = models.ForeignKey("fulian_orgs.Organisation", on_delete=models.CASCADE, related_name="shares")
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("共享记录")
        verbose_name_plural = _("共享记录")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "organisation"], name="fulian_security_one_share_per_org"
            )
        ]
        indexes = [models.Index(fields=["organisation", "content_type", "object_id"], name="fulian_share_org_idx")]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} → {self.organisation_id}"
