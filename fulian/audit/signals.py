"""Events Django announces that the audit trail must hold: logins, failed logins, role changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed

from fulian.audit.context import client_ip
from fulian.audit.services import audit_record


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="login.success", actor=user, ip=client_ip(request) if request else "")


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action="logout", actor=user, ip=client_ip(request) if request else "")


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The username typed, never the password (Django already strips it from `credentials`).
    audit_record(
        action="login.failure",
        outcome="failed",
        detail={"username": str(credentials.get("username", ""))[:150]},
        ip=client_ip(request) if request else "",
    )


def _groups_changed(sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    from django.contrib.auth.models import Group

    names = sorted(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
    if isinstance(instance, Group):
        audit_record(
            action="role.members", target=instance, detail={"change": action[5:], "users": sorted(pk_set or ())}
        )
    else:
        audit_record(action="role.change", target=instance, detail={"change": action[5:], "roles": names})


user_logged_in.connect(_logged_in, dispatch_uid="audit_logged_in")
user_logged_out.connect(_logged_out, dispatch_uid="audit_logged_out")
user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")


def _permissions_changed(sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    from django.contrib.auth.models import Group, Permission

    codenames = sorted(Permission.objects.filter(pk__in=pk_set or ()).values_list("codename", flat=True))
    if isinstance(instance, Group):
        audit_record(
            action="role.permissions", target=instance, detail={"change": action[5:], "permissions": codenames}
        )
    else:
        audit_record(
            action="user.permissions", target=instance, detail={"change": action[5:], "permissions": codenames}
        )


m2m_changed.connect(
    _permissions_changed, sender=get_user_model().user_permissions.through, dispatch_uid="audit_user_perms"
)
m2m_changed.connect(_permissions_changed, sender=Group.permissions.through, dispatch_uid="audit_group_perms")
m2m_changed.connect(_groups_changed, sender=get_user_model().groups.through, dispatch_uid="audit_groups_changed")
