"""Any change to what a public page shows empties the page cache.

Navigation, the latest-news lists and the footer appear on every page, so a publish
anywhere changes every page: clearing everything is both simplest and correct.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

from fulian.pagecache.store import clear_page_cache


def _clear_after_commit(**kwargs: Any) -> None:
    transaction.on_commit(clear_page_cache)


page_published.connect(_clear_after_commit, dispatch_uid="pagecache_published")
page_unpublished.connect(_clear_after_commit, dispatch_uid="pagecache_unpublished")
post_page_move.connect(_clear_after_commit, dispatch_uid="pagecache_moved")


@receiver(post_delete, dispatch_uid="pagecache_deleted")
def _clear_on_page_delete(sender: type, **kwargs: Any) -> None:
    from wagtail.models import Page

    if issubclass(sender, Page):
        _clear_after_commit()


@receiver(post_save, dispatch_uid="pagecache_settings")
def _clear_on_settings(sender: type, **kwargs: Any) -> None:
    from fulian.portal.models import PortalSettings

    if issubclass(sender, PortalSettings):
        _clear_after_commit()
