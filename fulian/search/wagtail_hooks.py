"""搜索词典 and 同义词, edited in the admin under one menu."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from fulian.search.models import SearchSynonym, SearchWord


class SearchWordViewSet(SnippetViewSet):
    model = SearchWord
    icon = "tag"
    menu_label = _("词典")
    list_display = ["word"]
    search_fields = ["word"]


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "list-ul"
    menu_label = _("同义词")
    list_display = ["words"]
    search_fields = ["words"]


class SearchViewSetGroup(SnippetViewSetGroup):
    items = (SearchWordViewSet, SearchSynonymViewSet)
    menu_icon = "search"
    menu_label = _("站内搜索")
    menu_name = "site-search"


register_snippet(SearchViewSetGroup)
