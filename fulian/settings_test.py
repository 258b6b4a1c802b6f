"""Settings for the test suite: the base settings with fast hashing, inline tasks and no page cache."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "t" * 30)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("PAGE_CACHE_ENABLED", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault(
    "FIELD_KEYS",
    "old=" + "b2xkLXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmctLS0tLS0=" + ",test=" + "dGVzdC1rZXktMzItYnl0ZXMtbG9uZy0tLS0tLS0tLS0=",
)
os.environ.setdefault("FIELD_KEY_ID", "test")
os.environ.setdefault("BLIND_INDEX_KEY", "test-blind-index-key-" + "b" * 32)
os.environ.setdefault("AUDIT_KEY", "test-audit-key-" + "a" * 32)
os.environ.setdefault("DATA_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from fulian.settings import *  # noqa: F403
from fulian.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
if not REDIS_URL:  # noqa: F405
    # Per process: two test runs at once (or a test run beside `make demo`) never clear each
    # other's once-only tokens and rate limits through a shared cache folder.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fulian-tests"}}
