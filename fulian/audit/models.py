"""The audit trail: append-only, each row chained to the one before by a keyed hash."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    # The chain position is the key: one index fewer to update on every write.
    seq = models.BigIntegerField(_("序号"), primary_key=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    # Plain values, not foreign keys: deleting or renaming a user must not rewrite history.
    actor_id = models.IntegerField(_("用户ID"), null=True, db_index=True)
    actor_username = models.CharField(_("用户名"), max_length=150, blank=True)
    organisation_id = models.IntegerField(_("用户所属组织"), null=True)
    action = models.CharField(_("事件"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    outcome = models.CharField(_("结果"), max_length=16, default="ok")
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    # Never personal data: field names, plain non-personal values, counts.
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    # Each row names its hash, so a deployment can move from SHA-256 to SM3 without breaking the chain.
    algorithm = models.CharField(max_length=8, default="sha256")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="fulian_audit_target_idx")]
        permissions = [("export_auditevent", _("可以导出审计记录"))]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """One row: the chain's last position. Locking it serialises writers, so positions never repeat."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # After pruning old rows: the first kept row continues from here.
    pruned_through_seq = models.BigIntegerField(default=0)
    pruned_through_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.seq}"
