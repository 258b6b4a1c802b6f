"""Reads of the organisation tree shared by the modules' forms."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from fulian.orgs.models import Organisation, OrganisationKind
from fulian.security.access import organisation_of


def offices_within(user: Any) -> QuerySet[Organisation]:
    """The active federation offices at and below the user's own (never a member unit)."""
    home = organisation_of(user)
    if home is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(path__startswith=home.path, active=True).exclude(
        kind=OrganisationKind.MEMBER_UNIT
    )
