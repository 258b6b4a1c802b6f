"""View counts live here, outside the page models, so publishing a revision never resets them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PageViews(models.Model):
    """被阅览数 of one page."""

    page = models.OneToOneField(
        "wagtailcore.Page",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="view_stats",
        verbose_name=_("页面"),
    )
    count = models.BigIntegerField(_("阅览次数"), default=0)

    class Meta:
        verbose_name = _("页面阅览数")
        verbose_name_plural = _("页面阅览数")
        indexes = [models.Index(fields=["-count"], name="counters_pageviews_count_idx")]

    def __str__(self) -> str:
        return f"{self.page_id}: {self.count}"


class VisitTotal(models.Model):
    """总访问量: one row per named total (``site`` for the whole portal)."""

    name = models.CharField(_("名称"), max_length=50, primary_key=True)
    count = models.BigIntegerField(_("访问人次"), default=0)

    class Meta:
        verbose_name = _("总访问量")
        verbose_name_plural = _("总访问量")

    def __str__(self) -> str:
        return f"{self.name}: {self.count}"


class RecentView(models.Model):
    """A visitor seen on a page recently, so a quick reload is not counted again.

    Used only without Redis (Redis keeps these as expiring keys). ``key`` is a hash of page
    and daily visitor hash: no address is stored. Expired rows are purged by the worker.
    """

    key = models.CharField(max_length=64, primary_key=True)
    until = models.FloatField(db_index=True)

    class Meta:
        verbose_name = _("近期访客")
        verbose_name_plural = _("近期访客")

    def __str__(self) -> str:
        return self.key
