"""Once-only form submissions: a double click or a resent form must not do the work twice.

Each form carries a random token; the first valid submission claims it (an atomic cache add,
Redis in production) and later ones with the same token are recognised and not run again.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.cache import cache

HOURS = 6


class OnceField(forms.UUIDField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)


def claim(user: Any, token: uuid.UUID | None) -> bool:
    """True the first time this user submits this token (and always when there is no token)."""
    if token is None:
        return True
    return bool(cache.add(f"once:{getattr(user, 'pk', 0)}:{token}", 1, timeout=HOURS * 3600))


def release(user: Any, token: uuid.UUID | None) -> None:
    """The claimed submission failed: let the same form be sent again once corrected."""
    if token is not None:
        cache.delete(f"once:{getattr(user, 'pk', 0)}:{token}")
