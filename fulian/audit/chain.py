"""Hashing one audit row into the chain: HMAC-SHA256 by default, HMAC-SM3 by setting.

Keyed (AUDIT_KEY, kept outside the database), so that someone who can write to the database
cannot recompute the chain after editing, inserting or deleting a row.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor_id", "actor_username", "organisation_id", "action", "target_type", "target_id",
          "outcome", "ip", "detail", "algorithm")  # fmt: skip


@functools.cache
def _key() -> bytes:
    key = settings.AUDIT_KEY.encode()
    if len(key) < 32:
        raise ImproperlyConfigured("AUDIT_KEY must be at least 32 characters")
    return key


def canonical(values: dict[str, Any]) -> bytes:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def row_values(event: Any) -> dict[str, Any]:
    values = {name: getattr(event, name) for name in FIELDS}
    values["at"] = event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return values


def chain_hash(prev_hash: str, values: dict[str, Any]) -> str:
    message = prev_hash.encode() + b"|" + canonical(values)
    if values.get("algorithm", "sha256") == "sm3":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as crypto_hmac

        mac = crypto_hmac.HMAC(_key(), hashes.SM3())
        mac.update(message)
        return mac.finalize().hex()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()
