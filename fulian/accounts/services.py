"""The one write path for staff accounts' organisation and roles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulian.accounts.models import StaffProfile
from fulian.accounts.roles import ADMINISTRATOR_GROUPS, BY_CODE
from fulian.audit.services import audit_record


def check_separation(group_names: Iterable[str]) -> None:
    """等保 level 3: system, security and audit administration are held by three different people."""
    held = sorted(set(group_names) & ADMINISTRATOR_GROUPS)
    if len(held) > 1:
        raise ValidationError(
            _("系统管理员、安全管理员、审计管理员必须由不同的人担任，不能同时拥有：%(roles)s。")
            % {"roles": "、".join(held)},
            code="separation",
        )


@transaction.atomic
def staff_set_roles(*, actor: Any, user: Any, roles: Iterable[str]) -> None:
    """Give a user exactly these roles (codes from roles.py).

    `actor` None is the platform itself (demo loader, management commands); a person needs the
    security administrator's `manage_roles`. Each added or removed role is audited by the
    m2m signal in fulian/accounts/signals.py, in this transaction.
    """
    if actor is not None and not actor.has_perm("fulian_accounts.manage_roles"):
        raise PermissionDenied
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("不能给自己分配角色，请由另一位安全管理员操作。"), code="self")
    codes = list(dict.fromkeys(roles))
    unknown = [c for c in codes if c not in BY_CODE]
    if unknown:
        raise ValidationError(_("未知的角色：%(codes)s") % {"codes": "、".join(unknown)})
    names = [BY_CODE[c].group for c in codes]
    check_separation(names)
    user.groups.set(Group.objects.filter(name__in=names))


@transaction.atomic
def staff_place(*, actor: Any, user: Any, organisation: Any) -> StaffProfile:
    profile, created = StaffProfile.objects.update_or_create(
        user=user,
        defaults={"organisation": organisation},
        create_defaults={"organisation": organisation, "password_changed_at": timezone.now()},
    )
    audit_record(
        action="staff.organisation", actor=actor, target=user, detail={"organisation": organisation.pk, "new": created}
    )
    return profile
