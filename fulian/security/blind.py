"""Blind indexes: HMAC of a normalised value under a key of its own (never the encryption key)."""

from __future__ import annotations

import functools
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from fulian.security.identity import normalise_id_number, normalise_phone

NORMALISERS = {"id_number": normalise_id_number, "phone": normalise_phone}


@functools.cache
def _key() -> bytes:
    key = settings.BLIND_INDEX_KEY.encode()
    if len(key) < 32:
        raise ImproperlyConfigured("BLIND_INDEX_KEY must be at least 32 characters")
    return key


def _mac(message: bytes) -> str:
    if settings.BLIND_INDEX_HASH == "sm3":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as crypto_hmac

        mac = crypto_hmac.HMAC(_key(), hashes.SM3())
        mac.update(message)
        return mac.finalize().hex()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def blind_index(kind: str, value: str) -> str:
    """The index of a value ('' for an empty one): normalised first, so 138 1234 5678 finds 13812345678."""
    normalise = NORMALISERS.get(kind, lambda v: " ".join(v.split()))
    normalised = normalise(value) if value else ""
    if not normalised:
        return ""
    return _mac(f"{kind}:{normalised}".encode())[:32]
