"""Guards that hold whatever path changes a user's groups (admin forms, shell, imports)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_migrate, pre_save

from fulian.accounts.services import check_separation


def _separated(sender: Any, instance: Any, action: str, pk_set: set[int] | None, reverse: bool, **kwargs: Any) -> None:
    if action != "pre_add" or not pk_set:
        return
    if reverse:  # group.user_set.add(users…): check each user
        users = get_user_model().objects.filter(pk__in=pk_set)
        for user in users:
            check_separation([*user.groups.values_list("name", flat=True), instance.name])
        return
    names = [
        *instance.groups.values_list("name", flat=True),
        *Group.objects.filter(pk__in=pk_set).values_list("name", flat=True),
    ]
    check_separation(names)


def _sync_roles(sender: Any, **kwargs: Any) -> None:
    # After the last app: every app's permissions (sent app by app) exist by then.
    from django.apps import apps

    if sender is not [a for a in apps.get_app_configs() if a.models_module is not None][-1]:
        return
    from fulian.accounts.sync import sync_roles

    sync_roles()


m2m_changed.connect(_separated, sender=get_user_model().groups.through, dispatch_uid="accounts_separation")
post_migrate.connect(_sync_roles, dispatch_uid="accounts_sync_roles")


def _password_set(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Note when a staff member's password changes (any path: admin form, own change, command)."""
    if not instance.pk or kwargs.get("raw"):
        return
    old = get_user_model().objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if old is not None and old != instance.password:
        from django.utils import timezone

        from fulian.accounts.models import StaffProfile

        StaffProfile.objects.filter(user_id=instance.pk).update(password_changed_at=timezone.now())


pre_save.connect(_password_set, sender=get_user_model(), dispatch_uid="accounts_password_set")
