from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from fulian.counters import backends
from fulian.counters.visitors import _trusted_proxies
from fulian.pagecache import memo, store
from tests.factories import BROWSER_UA, UserFactory, make_channel, make_home


@pytest.fixture(autouse=True)
def _fresh_process_state(tmp_path, settings) -> Iterator[None]:
    """Each test starts with empty counters and page cache, whatever backend the run uses."""
    settings.PAGE_CACHE_DIR = tmp_path / "pagecache"
    settings.PRIVATE_FILES_DIR = tmp_path / "private"
    memo.forget_all()
    memo._read_generation.cache_clear()
    backends.get_counter.cache_clear()
    store.get_store.cache_clear()
    _trusted_proxies.cache_clear()
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).flushdb()
    from django.core.cache import cache

    cache.clear()
    yield
    backends.get_counter.cache_clear()
    store.get_store.cache_clear()


@pytest.fixture
def home(db):
    return make_home()


@pytest.fixture
def channel(home):
    return make_channel(home, "信息快递", "xinxi")


@pytest.fixture
def browser_client() -> Client:
    """A visitor with an ordinary browser (crawlers are not counted)."""
    return Client(HTTP_USER_AGENT=BROWSER_UA)


# Three standing users: the owner of the content (an editor), a colleague who approves,
# and an outsider with an account but no portal rights.
@pytest.fixture
def owner(db):
    return UserFactory(username="owner", groups=["Editors"])


@pytest.fixture
def colleague(db):
    return UserFactory(username="colleague", groups=["Moderators"])


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


def redis_available() -> bool:
    url = settings.REDIS_URL or "redis://127.0.0.1:6379/14"
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001 - any failure means: no Redis here
        return False


@pytest.fixture(params=["database", "redis"])
def counter_backend(request, settings):
    """Runs a test once with each place live counts can be kept."""
    if request.param == "redis":
        if not redis_available():
            pytest.skip("Redis is not running")
        if not settings.REDIS_URL:
            settings.REDIS_URL = "redis://127.0.0.1:6379/14"
            settings.CACHES = {**settings.CACHES}  # the Django cache stays as configured
        import redis

        redis.Redis.from_url(settings.REDIS_URL).flushdb()
    else:
        settings.REDIS_URL = ""
    backends.get_counter.cache_clear()
    store.get_store.cache_clear()
    yield request.param
    backends.get_counter.cache_clear()
    store.get_store.cache_clear()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, with the second factor done (superusers must use one)."""
    from tests.factories import login_verified

    return login_verified(client, admin_user)


@pytest.fixture
def use_keys(settings):
    """Switch the field keyring: cipher, `id=base64key` entries, and the id for new values."""
    from fulian.security import crypto

    def use(cipher: str, keys: str, current: str) -> None:
        settings.FIELD_CIPHER, settings.FIELD_KEYS, settings.FIELD_KEY_ID = cipher, keys, current
        crypto.keyring.cache_clear()

    yield use
    crypto.keyring.cache_clear()
