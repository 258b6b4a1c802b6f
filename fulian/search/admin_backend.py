"""The admin's search boxes, segmented like the site search.

Wagtail's database backend (modelsearch) indexes a run of Chinese characters as one word, so
家庭 never finds 最美家庭表彰大会. This backend keeps that backend (SQLite FTS5 or PostgreSQL
full text, chosen the same way) and changes only the text going in and the query coming in:
both become words separated by spaces, cut by the same segmenter and dictionary as the site.

    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "fulian.search.admin_backend"}}
"""

from __future__ import annotations

import sys
import types
from typing import Any

from django.utils.encoding import force_str

from fulian.search.segment import admin_index_words, admin_query_words


def _segmenting_indexer(base: type) -> type:
    class SegmentingIndexer(base):
        def prepare_value(self, value: Any) -> str:
            if isinstance(value, (list, dict)):
                return str(super().prepare_value(value))  # joins items, each through this method
            return admin_index_words(force_str(value))

    return SegmentingIndexer


def _reading(function: Any, indexer: type) -> Any:
    """The upstream `add_items`, reading our indexer where its module names `ObjectIndexer`.

    Rebinding the function's globals keeps the upstream code as it is (no copy to maintain);
    a test proves the index holds segmented words, so an upstream rename fails loudly.
    """
    scope = {**function.__globals__, "ObjectIndexer": indexer}
    return types.FunctionType(function.__code__, scope, function.__name__, function.__defaults__, function.__closure__)


def _segmenting(backend_class: Any, module: Any) -> type:
    index_class = backend_class.index_class
    indexer = _segmenting_indexer(module.ObjectIndexer)
    segmenting_index = type(
        f"Segmenting{index_class.__name__}", (index_class,), {"add_items": _reading(index_class.add_items, indexer)}
    )

    class SegmentingBackend(backend_class):
        index_class = segmenting_index

        def _search(self, query_compiler_class: Any, query: Any, model_or_queryset: Any, **kwargs: Any) -> Any:
            if isinstance(query, str):
                query = admin_query_words(query)
            return super()._search(query_compiler_class, query, model_or_queryset, **kwargs)

    return SegmentingBackend


_classes: dict[Any, type] = {}


def _segmenting_class(backend_class: Any) -> type:
    if backend_class not in _classes:
        _classes[backend_class] = _segmenting(backend_class, sys.modules[backend_class.__module__])
    return _classes[backend_class]


def SearchBackend(params: dict[str, Any]) -> Any:
    from modelsearch.backends import database

    chosen = database.SearchBackend(params)  # FTS5, PostgreSQL or the plain fallback, as upstream decides
    if hasattr(sys.modules[type(chosen).__module__], "ObjectIndexer"):
        return _segmenting_class(type(chosen))(params)
    # The fallback matches substrings (icontains), which already finds words inside Chinese text.
    return chosen
