"""WSGI entry point: Django, fronted by the public-page cache when it is enabled."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fulian.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from fulian.pagecache.wsgi import PageCacheApp

django_application = get_wsgi_application()
application = PageCacheApp(django_application) if settings.PAGE_CACHE_ENABLED else django_application
