"""Roles as groups with permissions: created or corrected after every migration."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from fulian.accounts.roles import ROLES, model_permission


def sensitive_models() -> list[Any]:
    from fulian.security.access import ScopedRecord

    return [m for m in apps.get_models() if issubclass(m, ScopedRecord)]


def _permission(app_label: str, codename: str) -> Permission | None:
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def sync_roles() -> None:
    """Give each role's group exactly the permissions roles.py lists (plus any the
    administrators added by hand to web-editor groups, which Wagtail manages itself)."""
    models = sensitive_models()
    for model in models:
        content_type = ContentType.objects.get_for_model(model)
        for action, label in (("close", "关闭"), ("export", "导出"), ("reveal", "查看完整")):
            Permission.objects.get_or_create(
                content_type=content_type,
                codename=model_permission(action, model._meta.model_name),
                defaults={"name": f"{label} {model._meta.verbose_name}"},
            )
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.group)
        if role.code == "web_editor":
            continue  # Wagtail's own Editors group: page permissions are set in the admin
        wanted: list[Permission] = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".")
            permission = _permission(app_label, codename)
            if permission:
                wanted.append(permission)
        for model in models:
            # A model may name exactly which roles act on it (e.g. counselling records: counsellors
            # and their supervisor only); otherwise each role's actions apply to every sensitive model.
            overrides = getattr(model, "role_actions", None)
            actions = overrides.get(role.code, ()) if overrides is not None else role.actions
            for action in actions:
                permission = _permission(model._meta.app_label, model_permission(action, model._meta.model_name))
                if permission:
                    wanted.append(permission)
        group.permissions.set(wanted)
