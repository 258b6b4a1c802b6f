"""WSGI entry point: Django, fronted by the public-page cache when it is enabled."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fulian.settings")

django_application = get_wsgi_application()

# Imported after Django is set up: the page cache uses the counters' models.
from django.conf import settings  # noqa: E402

from fulian.pagecache.wsgi import PageCacheApp  # noqa: E402

application = PageCacheApp(django_application) if settings.PAGE_CACHE_ENABLED else django_application
