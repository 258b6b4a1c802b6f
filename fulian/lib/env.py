"""Typed readers for environment variables.

Settings read the environment only through these helpers so that a bad value
fails at start-up with a message naming the variable, never later in a request.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str) -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker/systemd secrets).

    A NAME_FILE that points nowhere is a deployment mistake: fail loudly instead of
    silently running without the secret.
    """
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to an unreadable file: {exc.strerror}") from None
    return os.environ.get(name, "")


def redis_errors() -> tuple[type[BaseException], ...]:
    """The errors a Redis call can raise, for `except` clauses.

    Imports redis-py (sixty modules) only when a Redis error can happen, that is when Redis is
    configured: processes without Redis stay smaller. `except` evaluates this only on an error.
    """
    from django.conf import settings

    if not getattr(settings, "REDIS_URL", ""):
        return (ConnectionError, OSError)
    from redis.exceptions import RedisError

    return (ConnectionError, OSError, RedisError)
