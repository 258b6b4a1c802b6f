"""Attachments of sensitive records, encrypted at rest.

The file's bytes live outside the database (PRIVATE_FILES_DIR), sealed with a random key of
their own; that key is stored in the row, wrapped by the field keyring — so rotating the field
keys (`rotate_field_keys`) re-wraps every file's key without rewriting the files.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from fulian.security.fields import EncryptedTextField


class Attachment(models.Model):
    # The record it belongs to: who may see that record may see its files, no one else.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    # A file's name can itself be personal ("王某某验伤报告.pdf").
    filename = EncryptedTextField(_("文件名"))
    media_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    # Where the sealed bytes lie: random, telling nothing about the file or its record.
    blob = models.CharField(max_length=64, unique=True, editable=False)
    data_key = EncryptedTextField(editable=False)
    cipher = models.CharField(max_length=8, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="fulian_files_record_idx")]

    def __str__(self) -> str:
        return f"#{self.pk}"
