"""Deployment checks (`manage.py check --deploy`) for the data-protection settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from fulian.security import crypto


@register(Tags.security, deploy=True)
def data_protection(app_configs: Any, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    if settings.DEMO_ACCOUNTS:
        problems.append(
            Warning("DEMO_ACCOUNTS is on: the demo's accounts (known passwords) can log in.", id="fulian.W001")
        )
    try:
        crypto.keyring()
    except Exception as error:  # noqa: BLE001 - reported as a check failure, with its message
        problems.append(Error(f"Field encryption keys: {error}", id="fulian.E001"))
    private = settings.PRIVATE_FILES_DIR.resolve()
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        if private == public.resolve() or public.resolve() in private.parents:
            problems.append(
                Error(
                    f"PRIVATE_FILES_DIR lies inside {public}: sealed attachments must not be served.", id="fulian.E002"
                )
            )
    return problems
