"""The one write path for people: validation, optimistic locking, and the audit record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from fulian.audit.services import audit_record
from fulian.people.models import Person
from fulian.security.access import EditConflict
from fulian.security.identity import age_of, clean_phone, id_number_problem, normalise_id_number

ENCRYPTED = ("name", "id_number", "phone", "address", "notes")
PLAIN = ("sex", "minor", "organisation_id")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    errors: dict[str, str] = {}
    if "name" in data:
        data["name"] = " ".join(str(data["name"]).split())
        if not data["name"]:
            errors["name"] = _("请填写姓名。")
    if data.get("id_number"):
        problem = id_number_problem(data["id_number"])
        if problem:
            errors["id_number"] = problem
        else:
            data["id_number"] = normalise_id_number(data["id_number"])
            data["minor"] = age_of(data["id_number"]) < 18
    if data.get("phone"):
        try:
            data["phone"] = clean_phone(data["phone"])
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def person_create(*, actor: Any, organisation: Any, **data: Any) -> Person:
    person = Person(organisation=organisation, **_clean(data))
    person.save()
    audit_record(
        action="person.create", actor=actor, target=person, detail={"fields": sorted(k for k in data if data[k])}
    )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, version: int, **data: Any) -> Person:
    """Change a person; `version` is the one the user saw, so a concurrent save is never overwritten."""
    data = _clean(data)
    changed = [k for k, v in data.items() if getattr(person, k) != v]
    if not changed:
        return person
    updated = Person.objects.filter(pk=person.pk, version=version).update(version=F("version") + 1)
    if not updated:
        raise EditConflict(_("此记录已被他人修改，请刷新后重新编辑。"))
    before = {k: getattr(person, k) for k in changed}
    for key, value in data.items():
        setattr(person, key, value)
    person.version = version + 1
    person.save()
    detail = {
        # Old → new only for plain fields; for personal (encrypted) ones, only that they changed.
        "changed": {k: ("changed" if k in ENCRYPTED else [str(before[k]), str(data[k])]) for k in changed},
    }
    audit_record(action="person.change", actor=actor, target=person, detail=detail)
    return person


@transaction.atomic
def person_reveal(*, actor: Any, person: Person, field: str) -> str:
    """A full value for a user with the reveal permission (the caller fetched `person` with action="reveal")."""
    if field not in ENCRYPTED:
        raise ValidationError(_("不能查看该字段。"))
    audit_record(action="person.reveal", actor=actor, target=person, detail={"field": field})
    return str(getattr(person, field))
