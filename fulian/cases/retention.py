"""Retention: once a closed case has been kept for its period, its personal data is erased.

Every encrypted field is personal data by construction (names, phones, ID numbers, addresses,
narratives, notes), so erasing means emptying every EncryptedTextField and BlindIndexField of the
case and of every record hanging off it, however many hops away (parties, incidents, referrals and
their actions, linked hotline contacts, mandatory reports, one-stop sessions, protection orders…),
and deleting its attachments. Codes, dates, amounts, ages and sexes stay: the statistics do not
change. The case row stays too, marked anonymised, so counts and case numbers remain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from fulian.audit.services import audit_record
from fulian.cases.models import Case, Status
from fulian.cases.privacy import restricted_category_ids, restricted_q
from fulian.security.fields import BlindIndexField, EncryptedTextField

# Keys and other encrypted values that are not personal data and must survive.
NOT_PERSONAL = {("fulian_files", "attachment", "data_key")}


def _personal_fields(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | BlindIndexField)
        and (model._meta.app_label, model._meta.model_name, field.name) not in NOT_PERSONAL
    ]


def _related(model: type[models.Model], path: str, seen: set[type[models.Model]]) -> Iterator[tuple[Any, str]]:
    """(model, lookup to the case's pk) for every model reaching Case through foreign keys."""
    for relation in model._meta.related_objects:
        child = relation.related_model
        if child in seen or not relation.field.concrete:
            continue
        seen.add(child)
        lookup = f"{relation.field.name}__{path}"
        yield child, lookup
        yield from _related(child, lookup, seen)


def anonymise_case(*, case: Case, actor: Any = None) -> dict[str, int]:
    """Erase the case's personal data (call inside a transaction). Returns rows emptied per model."""
    from fulian.files.models import Attachment
    from fulian.files.services import attachment_remove

    erased: dict[str, int] = {}
    targets: list[tuple[Any, Q]] = [(Case, Q(pk=case.pk))]
    targets += [(model, Q(**{lookup: case.pk})) for model, lookup in _related(Case, "pk", {Case})]
    records: list[tuple[type[models.Model], list[int]]] = []
    for model, condition in targets:
        pks = list(model._default_manager.filter(condition).values_list("pk", flat=True))
        records.append((model, pks))
        fields = _personal_fields(model)
        if pks and fields:
            erased[model._meta.label] = model._default_manager.filter(pk__in=pks).update(**dict.fromkeys(fields, ""))
    from django.contrib.contenttypes.models import ContentType

    for model, pks in records:
        if not pks:
            continue
        files = Attachment.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)
        for attachment in files:
            attachment_remove(actor=None, attachment=attachment)
            erased["attachments"] = erased.get("attachments", 0) + 1
    Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
    audit_record(action="case.anonymise", actor=actor, target=case, detail={"rows": sum(erased.values())})
    return erased


def retention_due(now: dt.datetime | None = None) -> models.QuerySet[Case]:
    """Closed cases past their retention period and not yet anonymised."""
    now = now or timezone.now()
    ids = restricted_category_ids()
    due = restricted_q(ids) & Q(closed_at__lt=now - dt.timedelta(days=settings.MINOR_CASE_RETENTION_DAYS))
    if settings.CASE_RETENTION_DAYS:
        due |= ~restricted_q(ids) & Q(closed_at__lt=now - dt.timedelta(days=settings.CASE_RETENTION_DAYS))
    return Case.objects.filter(due, status=Status.CLOSED, anonymised_at__isnull=True)


def anonymise_expired(*, now: dt.datetime | None = None) -> int:
    """Run by the worker daily: each case in its own transaction, re-checked under a row lock so a
    case reopened meanwhile is left alone."""
    count = 0
    for pk in list(retention_due(now).values_list("pk", flat=True)):
        with transaction.atomic():
            case = retention_due(now).select_for_update().filter(pk=pk).first()
            if case is not None:
                anonymise_case(case=case)
                count += 1
    return count
