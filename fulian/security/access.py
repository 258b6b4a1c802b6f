"""Who may see which sensitive record: the one place that decides.

A sensitive record belongs to an organisation. A user sees the records of their own
organisation and of those below it, plus records shared (referred) to their organisation;
their roles decide which actions they may take on those records. Every lookup of a
sensitive record by id goes through `get_for_user`, which answers 404 for a record that is
missing and for one the user may not see alike, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from fulian.accounts.roles import model_permission
from fulian.audit.services import audit_record


class ScopedRecord(models.Model):
    """Base of every sensitive model: owned by an organisation, reachable only through this module."""

    organisation = models.ForeignKey(
        "fulian_orgs.Organisation", verbose_name="所属组织", on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)  # optimistic locking: see services

    class Meta:
        abstract = True


Record = TypeVar("Record", bound=ScopedRecord)


class EditConflict(Exception):
    """Someone saved the record after this user opened it (its `version` moved on): refused, never merged."""


def claim_version(record: models.Model, seen: int | None, message: Any) -> None:
    """Move the record's `version` on, in the database and on `record`. With `seen` (the version the
    form showed), only if nobody saved it since; otherwise raise EditConflict(message). `seen` None
    bumps unconditionally (an operation that must still invalidate forms open elsewhere)."""
    rows = type(record)._default_manager.filter(pk=record.pk)
    if seen is not None:
        rows = rows.filter(version=seen)
    if not rows.update(version=models.F("version") + 1):
        raise EditConflict(str(message))
    record.version = (seen if seen is not None else record.version) + 1  # type: ignore[attr-defined]


def organisation_of(user: Any) -> Any:
    profile = getattr(user, "staff_profile", None) if getattr(user, "is_authenticated", False) else None
    return profile.organisation if profile is not None else None


def may(user: Any, action: str, model: type[models.Model]) -> bool:
    """Does one of the user's roles grant this action on this kind of record?"""
    meta = model._meta
    return bool(user.has_perm(f"{meta.app_label}.{model_permission(action, meta.model_name or '')}"))


def scope(user: Any, model: type[Record], via: str = "") -> Q:
    """The records of `model` in the user's scope; with `via` ("case__"), rows whose related record is."""
    organisation = organisation_of(user)
    if organisation is None:
        return Q(pk__in=[])
    # A model may open all its records to holders of one permission: the joint meeting's
    # secretariat (the federation) oversees every member unit's letters and tasks, though the
    # units are not below the federation in the tree.
    widened = getattr(model, "scope_widened_for", None)
    if widened is not None and widened(user):
        return Q()
    shared = models.Subquery(_shares(model).filter(organisation=organisation).values("object_id"))
    return Q(**{f"{via}organisation__path__startswith": organisation.path}) | Q(**{f"{via}pk__in": shared})


def _shares(model: type[models.Model]) -> QuerySet[Any]:
    from fulian.security.models import RecordShare

    return RecordShare.objects.filter(content_type=ContentType.objects.get_for_model(model))


def visible(user: Any, model: type[Record], action: str = "view") -> QuerySet[Record]:
    """The records of this model the user may take `action` on: their scope, if their roles allow it."""
    if not may(user, action, model):
        return model._default_manager.none()
    return model._default_manager.filter(scope(user, model))


def get_for_user(user: Any, model: type[Record], pk: Any, action: str = "view", *, audit: bool = True) -> Record:
    """Fetch one record for a user, or 404. The read is audited."""
    try:
        record = visible(user, model, action).select_related("organisation").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if audit:
        with transaction.atomic():
            audit_record(action=f"{model._meta.model_name}.{action}", actor=user, target=record)
    return record


def can(user: Any, action: str, record: ScopedRecord) -> bool:
    return visible(user, type(record), action).filter(pk=record.pk).exists()


@transaction.atomic
def share(*, actor: Any, record: ScopedRecord, organisation: Any, reason: str) -> None:
    from fulian.security.models import RecordShare

    RecordShare.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        organisation=organisation,
        defaults={"reason": reason[:200], "created_by": actor},
    )
    audit_record(action="record.share", actor=actor, target=record, detail={"organisation": organisation.pk})
