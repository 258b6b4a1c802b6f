"""Any change to what a public page shows: forget memorised content and empty the page cache.

Navigation, the latest-news lists and the footer appear on every page, so a publish
anywhere changes every page: forgetting everything is both simplest and correct.
The generation is bumped at once (this process sees its own change) and again after
commit (no other process can have memorised the state before the commit).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from fulian.pagecache.memo import bump_generation
from fulian.pagecache.store import clear_page_cache


def _after_commit() -> None:
    bump_generation()
    clear_page_cache()


def public_content_changed(**kwargs: Any) -> None:
    bump_generation()
    transaction.on_commit(_after_commit)


page_published.connect(public_content_changed, dispatch_uid="pagecache_published")
page_unpublished.connect(public_content_changed, dispatch_uid="pagecache_unpublished")
post_page_move.connect(public_content_changed, dispatch_uid="pagecache_moved")


def _on_model_change(sender: type, **kwargs: Any) -> None:
    from fulian.portal.models import PortalSettings

    if issubclass(sender, (Page, PageViewRestriction, Site, PortalSettings)):
        public_content_changed()


post_save.connect(_on_model_change, dispatch_uid="pagecache_saved")
post_delete.connect(_on_model_change, dispatch_uid="pagecache_deleted")
