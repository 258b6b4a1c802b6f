"""Fixed-window rate limits on the cache (Redis when configured: atomic; the file cache otherwise).

Keys are hashed: a visitor's address is personal data and does not belong in cache keys.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; False once `limit` attempts were made in the current `window` seconds."""
    bucket = int(time.time() // window)
    digest = hashlib.sha256(f"{scope}|{key}".encode()).hexdigest()[:32]
    name = f"rl:{scope}:{digest}:{bucket}"
    if cache.add(name, 1, timeout=window + 5):
        return limit >= 1
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window + 5)
        count = 1
    return count <= limit
