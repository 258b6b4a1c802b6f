"""Model fields for personal data: encrypted text and the blind indexes that find it."""

from __future__ import annotations

from typing import Any

from django.db import models

from fulian.security import crypto
from fulian.security.blind import blind_index


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored encrypted (see crypto.py); the model sees plain text.

    Encrypted values cannot be searched, sorted or compared in the database: find records by a
    blind index (BlindIndexField) or by their plain, non-personal fields.
    """

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        self.context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return crypto.decrypt(value, context=self.context)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, crypto.Sealed):
            return str(value)
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(str(value), context=self.context)


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """A keyed hash of another field's normalised value, for exact lookups without decrypting.

    `kind` separates domains (a phone number gives the same index in every model, so the
    hotline finds a caller's earlier contacts; never the same as an ID number's).
    """

    def __init__(self, *args: Any, source: str = "", kind: str = "", **kwargs: Any) -> None:
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, kind=self.kind)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = blind_index(self.kind, getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
