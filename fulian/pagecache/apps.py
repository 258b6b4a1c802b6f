from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "fulian.pagecache"
    label = "pagecache"
    verbose_name = "页面缓存"

    def ready(self) -> None:
        from fulian.pagecache import signals  # noqa: F401
