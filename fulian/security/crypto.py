"""Encryption of personal fields at rest, with a switchable cipher and rotating keys.

A stored value reads ``enc1$<cipher>$<key id>$<base64(nonce ‖ ciphertext ‖ tag)>``:

- the cipher is AES-256-GCM (``aes``) by default, or SM4-GCM (``sm4``, 国密 GB/T 32907) where a
  deployment must use commercial cryptography; both from the ``cryptography`` library;
- the key id names the key in the keyring, so old values stay readable after a new key is
  introduced, and ``rotate_field_keys`` re-encrypts them in the background;
- the column's name is bound in as associated data: a value copied into another column (or
  edited by one bit) fails authentication instead of decrypting to something else.

Keys come from ``FIELD_KEYS`` (or the file in ``FIELD_KEYS_FILE``): ``id=base64key`` entries
separated by commas or new lines; ``FIELD_KEY_ID`` chooses the key for new values.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = {"aes": 32, "sm4": 16}


class Sealed(str):
    """A value that is already ciphertext (key rotation): stored as it is, not encrypted again."""


class DecryptionError(Exception):
    """A stored value failed authentication: tampered, truncated, or under a key we do not hold.

    Never caught to return a value: the caller shows an integrity error instead of garbage.
    """


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]
    current: str
    cipher: str

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise DecryptionError(f"no key with id {key_id!r} in the keyring") from None


def parse_keys(raw: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for entry in raw.replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, encoded = entry.partition("=")
        if not sep or not key_id.strip().isidentifier():
            raise ImproperlyConfigured("FIELD_KEYS entries must read id=base64key (id: letters, digits, _)")
        try:
            keys[key_id.strip()] = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            raise ImproperlyConfigured(f"FIELD_KEYS: the key {key_id.strip()!r} is not valid base64") from None
    return keys


@functools.cache
def keyring() -> Keyring:
    cipher = settings.FIELD_CIPHER
    if cipher not in KEY_BYTES:
        raise ImproperlyConfigured(f"FIELD_CIPHER must be one of {sorted(KEY_BYTES)}, got {cipher!r}")
    keys = parse_keys(settings.FIELD_KEYS)
    current = settings.FIELD_KEY_ID or (next(reversed(keys)) if keys else "")
    if current not in keys:
        raise ImproperlyConfigured("FIELD_KEYS must hold the key named by FIELD_KEY_ID")
    if len(keys[current]) != KEY_BYTES[cipher]:
        raise ImproperlyConfigured(f"FIELD_KEY_ID {current!r}: {cipher} needs a {KEY_BYTES[cipher]}-byte key")
    return Keyring(keys, current, cipher)


def new_key(cipher: str = "aes") -> str:
    return base64.b64encode(os.urandom(KEY_BYTES[cipher])).decode()


# `cryptography` is imported on first use: processes that never touch personal data (the
# public site's workers) stay several megabytes smaller.


def _seal(cipher: str, key: bytes, nonce: bytes, plain: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if cipher == "aes":
        return bytes(_aes(key).encrypt(nonce, plain, aad))
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plain) + encryptor.finalize() + encryptor.tag


@functools.lru_cache(maxsize=64)
def _aes(key: bytes) -> Any:
    """One AES-GCM context per key: setting one up costs more than decrypting a name with it
    (an export decrypts over a million values under the same few field keys)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _open(cipher: str, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if cipher == "aes":
        return bytes(_aes(key).decrypt(nonce, sealed, aad))
    if cipher != "sm4":
        raise DecryptionError(f"unknown cipher {cipher!r}")
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


def encrypt(plain: str, *, context: str, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(ring.cipher, ring.key(ring.current), nonce, plain.encode(), context.encode())
    return f"{PREFIX}${ring.cipher}${ring.current}${base64.b64encode(nonce + sealed).decode()}"


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX + "$")


def key_id_of(value: str) -> str:
    parts = value.split("$")
    return parts[2] if len(parts) == 4 and parts[0] == PREFIX else ""


def decrypt(value: str, *, context: str, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    parts = value.split("$")
    if len(parts) != 4 or parts[0] != PREFIX:
        raise DecryptionError("not an encrypted value")
    _prefix, cipher, key_id, encoded = parts
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise DecryptionError("damaged encoding") from None
    if base64.b64encode(raw).decode() != encoded:
        # Base64 ignores the spare bits of its last character: a change there is tampering too.
        raise DecryptionError("damaged encoding")
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("truncated value")
    from cryptography.exceptions import InvalidTag

    try:
        plain = _open(cipher, ring.key(key_id), raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError):
        raise DecryptionError("authentication failed: the value was altered or the key is wrong") from None
    return plain.decode()


def is_current(value: str, ring: Keyring | None = None) -> bool:
    ring = ring or keyring()
    return value.startswith(f"{PREFIX}${ring.cipher}${ring.current}$")
