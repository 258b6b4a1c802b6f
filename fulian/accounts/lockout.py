"""Lockout after repeated failed logins (等保: 登录失败处理), per account and per address."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fulian.accounts.models import LoginLock
from fulian.audit.services import audit_record

MAX_FAILURES = 5


def _minutes() -> int:
    return int(getattr(settings, "LOCKOUT_MINUTES", 30))


def locked_until(username: str, address: str) -> dt.datetime | None:
    """When the later of the two locks ends, or None when neither is locked."""
    now = timezone.now()
    locks = LoginLock.objects.filter(_keys(username, address), locked_until__gt=now)
    return max((end for end in locks.values_list("locked_until", flat=True) if end is not None), default=None)


def _keys(username: str, address: str) -> Any:
    from django.db.models import Q

    return Q(kind=LoginLock.Kind.ACCOUNT, key=username.lower()[:150]) | Q(
        kind=LoginLock.Kind.ADDRESS, key=address[:150]
    )


@transaction.atomic
def record_failure(username: str, address: str) -> None:
    now = timezone.now()
    for kind, key in ((LoginLock.Kind.ACCOUNT, username.lower()[:150]), (LoginLock.Kind.ADDRESS, address[:150])):
        if not key:
            continue
        lock, _ = LoginLock.objects.select_for_update().get_or_create(kind=kind, key=key)
        if lock.locked_until and lock.locked_until <= now:
            lock.failures = 0  # the old lock expired: count afresh
        LoginLock.objects.filter(pk=lock.pk).update(failures=F("failures") + 1, last_failure=now)
        lock.refresh_from_db()
        if lock.failures >= MAX_FAILURES and not (lock.locked_until and lock.locked_until > now):
            lock.locked_until = now + dt.timedelta(minutes=_minutes())
            lock.save(update_fields=["locked_until"])
            audit_record(
                action="login.locked",
                outcome="failed",
                target_type="lock",
                target_id=f"{kind}",
                detail={"kind": kind, "key": key if kind == LoginLock.Kind.ACCOUNT else "", "minutes": _minutes()},
                ip=address,
            )


def record_success(username: str) -> None:
    LoginLock.objects.filter(kind=LoginLock.Kind.ACCOUNT, key=username.lower()[:150]).delete()


@transaction.atomic
def unlock(*, actor: Any, lock: LoginLock) -> None:
    """The security administrator lifts a lock before its time."""
    audit_record(action="login.unlock", actor=actor, target=lock, detail={"kind": lock.kind})
    lock.delete()
