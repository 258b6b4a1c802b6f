"""Keep the index in step with publishing; dictionary edits re-segment everything."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.signals import page_published, page_unpublished

from fulian.pagecache.signals import public_content_changed
from fulian.search.models import SearchDocument, SearchSynonym, SearchWord
from fulian.search.services import remove_documents, search_index_article, search_remove


def _published(sender: type, instance: Any, **kwargs: Any) -> None:
    from fulian.portal.models import ArticlePage

    if isinstance(instance, ArticlePage):
        search_index_article(page_id=instance.pk)


def _unpublished(sender: type, instance: Any, **kwargs: Any) -> None:
    search_remove(page_id=instance.pk)


def _page_deleted(sender: type, instance: SearchDocument, **kwargs: Any) -> None:
    # A deleted page takes its document with it (a cascade); its words leave the frequencies first.
    remove_documents([instance.pk])


pre_delete.connect(_page_deleted, sender=SearchDocument, dispatch_uid="search_page_deleted")
page_published.connect(_published, dispatch_uid="search_published")
page_unpublished.connect(_unpublished, dispatch_uid="search_unpublished")


def _dictionary_changed(**kwargs: Any) -> None:
    # Segmenters everywhere are rebuilt on the next request; `rebuild_search_index` re-segments old articles.
    public_content_changed()


for model in (SearchWord, SearchSynonym):
    post_save.connect(_dictionary_changed, sender=model, dispatch_uid=f"search_dict_save_{model.__name__}")
    post_delete.connect(_dictionary_changed, sender=model, dispatch_uid=f"search_dict_delete_{model.__name__}")
