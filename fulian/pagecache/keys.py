"""What makes two requests for a public page interchangeable.

Shared by the WSGI front (which serves hits without entering Django) and the Django
middleware (which stores misses), so both compute the same key from the same environ.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.utils import timezone

LANGUAGE_COOKIE = "django_language"
CARE_COOKIE = "care"
_COOKIE_RE = re.compile(r"(?:^|;\s*)(django_language|care)=([A-Za-z0-9_-]{1,16})")
# Any of these cookies means a personalised response (logged-in editor, a form in progress).
PRIVATE_COOKIES = ("sessionid=", "csrftoken=")
BYPASS_PREFIXES = ("/admin/", "/django-admin/", "/static/", "/media/", "/documents/", "/views/", "/i18n/", "/care/")
MAX_QUERY = 64


@lru_cache(maxsize=2)
def _local_day(minute: int) -> str:
    return timezone.localdate().strftime("%Y%m%d")


def cache_key(environ: Mapping[str, Any]) -> str | None:
    """The cache key of a GET/HEAD for a public page, or None when it must not be cached."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    path = str(environ.get("PATH_INFO", ""))
    if path.startswith(BYPASS_PREFIXES) or len(path) > 512:
        return None
    query = str(environ.get("QUERY_STRING", ""))
    if len(query) > MAX_QUERY:
        return None
    cookies = str(environ.get("HTTP_COOKIE", ""))
    if any(name in cookies for name in PRIVATE_COOKIES):
        return None
    lang, care = "zh-hans", "0"
    for name, value in _COOKIE_RE.findall(cookies):
        if name == LANGUAGE_COOKIE and value == "en":
            lang = "en"
        elif name == CARE_COOKIE and value == "1":
            care = "1"
    host = str(environ.get("HTTP_HOST", "")).lower()[:100]
    # The date line (今天是…) is part of every page: a new day is a new page.
    day = _local_day(int(time.time()) // 60)
    raw = f"{host}|{lang}|{care}|{day}|{path}?{query}"
    return hashlib.blake2b(raw.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
