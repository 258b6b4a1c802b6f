"""People the federation helps: the first sensitive record, and the shape every later one follows."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext_lazy as _

from fulian.security.access import ScopedRecord
from fulian.security.fields import BlindIndexField, EncryptedTextField
from fulian.security.identity import mask_id_number, mask_name, mask_phone, mask_text


class Sex(models.TextChoices):
    FEMALE = "F", _("女")
    MALE = "M", _("男")
    UNKNOWN = "U", _("未知")


class Person(ScopedRecord):
    name = EncryptedTextField(_("姓名"))
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_number_index = BlindIndexField(source="id_number", kind="id_number")
    phone = EncryptedTextField(_("电话"), blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone")
    address = EncryptedTextField(_("住址"), blank=True)
    notes = EncryptedTextField(_("情况说明"), blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    # Plain, because it decides the protections a record gets (under 14: all data sensitive).
    minor = models.BooleanField(_("未成年人"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # Masked: a person's string form appears in admin messages, breadcrumbs and logs.
        return mask_name(self.name)

    def masked(self) -> dict[str, str]:
        """Every personal field as lists, details and forms may show it ('' when empty)."""
        return {field: mask(value) if (value := getattr(self, field)) else "" for field, mask in MASKS.items()}


MASKS: dict[str, Callable[[str], str]] = {
    "name": mask_name,
    "id_number": mask_id_number,
    "phone": mask_phone,
    "address": mask_text,
    "notes": lambda _value: "……",  # free text: never even a part of it
}
