"""Site search (站内搜索): validates the query at the edge and never lets odd input reach the backend raw."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fulian.portal.models import ArticlePage
from fulian.portal.selectors import parse_page_number

MAX_QUERY_LENGTH = 100
PAGE_SIZE = 20


def clean_query(raw: str) -> tuple[str, str | None]:
    """The query to run and a message for the visitor (None when all is well)."""
    query = " ".join(raw.replace("\x00", " ").split())
    if not query:
        return "", _("请输入要搜索的关键词。")
    if len(query) > MAX_QUERY_LENGTH:
        return query[:MAX_QUERY_LENGTH], _("关键词过长，已截取前 %(n)d 个字。") % {"n": MAX_QUERY_LENGTH}
    return query, None


def run_search(request: HttpRequest) -> dict[str, Any]:
    query, message = clean_query(request.GET.get("q", "")[: MAX_QUERY_LENGTH * 4])
    context: dict[str, Any] = {"query": query, "message": message, "results": None}
    if not query:
        return context
    try:
        results = ArticlePage.objects.live().public().search(query, operator="and")
        page = Paginator(results, PAGE_SIZE).get_page(parse_page_number(request.GET.get("page")))
    except Exception:  # noqa: BLE001 - a search backend hiccup must not become a 500 page
        context["message"] = _("搜索暂时不可用，请稍后再试。")
        return context
    context["results"] = page
    return context
