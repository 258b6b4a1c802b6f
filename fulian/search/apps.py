from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "fulian.search"
    label = "fulian_search"
    verbose_name = "站内搜索"

    def ready(self) -> None:
        from fulian.search import signals  # noqa: F401
