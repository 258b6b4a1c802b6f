from django.apps import AppConfig


class CountersConfig(AppConfig):
    name = "fulian.counters"
    label = "counters"
    verbose_name = "访问计数"
