"""The one write path for organisations: keeps the tree's paths and levels consistent."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fulian.audit.services import audit_record
from fulian.orgs.models import PARENT_KIND, Organisation, OrganisationKind


def _check_parent(kind: str, parent: Organisation | None) -> None:
    wanted = PARENT_KIND[OrganisationKind(kind)]
    if wanted is None and parent is not None:
        raise ValidationError({"parent": _("市妇联和成员单位没有上级组织。")})
    if wanted is not None and (parent is None or parent.kind != wanted):
        raise ValidationError(
            {
                "parent": _("%(kind)s的上级必须是%(parent)s。")
                % {"kind": OrganisationKind(kind).label, "parent": wanted.label}
            }
        )


@transaction.atomic
def organisation_save(*, actor: Any, organisation: Organisation) -> Organisation:
    """Create or change an organisation; moving one moves everything below it."""
    _check_parent(organisation.kind, organisation.parent)
    if organisation.pk and organisation.parent_id:
        parent = Organisation.objects.get(pk=organisation.parent_id)
        if parent.path.startswith(Organisation.objects.get(pk=organisation.pk).path):
            raise ValidationError({"parent": _("不能把组织移到它自己或它的下级之下。")})
    old_path = (
        Organisation.objects.filter(pk=organisation.pk).values_list("path", flat=True).first()
        if organisation.pk
        else None
    )
    created = organisation.pk is None
    organisation.path = organisation.path or "-"
    organisation.save()
    parent_path = organisation.parent.path if organisation.parent else "/"
    new_path = f"{parent_path}{organisation.pk}/"
    if new_path != organisation.path:
        organisation.path = new_path
        Organisation.objects.filter(pk=organisation.pk).update(path=new_path)
        if old_path and old_path != "-":
            for child in Organisation.objects.filter(path__startswith=old_path).exclude(pk=organisation.pk):
                Organisation.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])
    audit_record(
        actor=actor,
        action="org.create" if created else "org.change",
        target=organisation,
        detail={"name": organisation.name, "kind": organisation.kind, "code": organisation.division_code},
    )
    return organisation


def organisation_create(
    *, actor: Any = None, name: str, kind: str, parent: Organisation | None = None, division_code: str = ""
) -> Organisation:
    organisation = Organisation(name=name, kind=kind, parent=parent, division_code=division_code)
    organisation.full_clean(exclude=["path"])
    return organisation_save(actor=actor, organisation=organisation)
