"""Site search (站内搜索): validates input at the edge, then asks the Chinese search index."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _

from fulian.portal.selectors import parse_page_number

MAX_QUERY_LENGTH = 100
PAGE_SIZE = 20
POPULAR_SEARCHES = ["家庭暴力", "人身安全保护令", "最美家庭", "心理咨询", "12338", "留守儿童", "两癌", "创业"]


def clean_query(raw: str) -> tuple[str, str | None]:
    """The query to run and a message for the visitor (None when all is well)."""
    query = " ".join(raw.replace("\x00", " ").split())
    if not query:
        return "", _("请输入要搜索的关键词。")
    if len(query) > MAX_QUERY_LENGTH:
        return query[:MAX_QUERY_LENGTH], _("关键词过长，已截取前 %(n)d 个字。") % {"n": MAX_QUERY_LENGTH}
    return query, None


def _date(raw: str | None) -> dt.date | None:
    if not raw or len(raw) > 10:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def run_search(request: HttpRequest) -> dict[str, Any]:
    from fulian.portal.models import ChannelPage
    from fulian.portal.serving import site_for
    from fulian.search.selectors import search_articles

    query, message = clean_query(request.GET.get("q", "")[: MAX_QUERY_LENGTH * 4])
    site = site_for(request)
    channels = list(ChannelPage.objects.live().child_of(site.root_page).values("pk", "title")) if site else []
    channel_id = _int(request.GET.get("channel"))
    if channel_id not in {c["pk"] for c in channels}:
        channel_id = None
    since, until = _date(request.GET.get("from")), _date(request.GET.get("to"))
    if since and until and since > until:
        since, until = until, since
    context: dict[str, Any] = {
        "query": query,
        "message": message,
        "results": None,
        "hits": [],
        "channels": channels,
        "channel_id": channel_id,
        "since": since,
        "until": until,
        "popular": POPULAR_SEARCHES,
    }
    if not query:
        return context
    number = parse_page_number(request.GET.get("page"))
    outcome = search_articles(
        query, channel_id=channel_id, since=since, until=until, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    if not outcome.terms and not message:
        context["message"] = _("关键词太短或只有标点，请输入至少两个字的词语，例如“家庭”“保护令”。")
    page = Paginator(range(outcome.total), PAGE_SIZE).get_page(number)
    if page.number != number and outcome.total:
        outcome = search_articles(
            query,
            channel_id=channel_id,
            since=since,
            until=until,
            offset=(page.number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
    from fulian.portal.models import ArticlePage

    pages = ArticlePage.objects.in_bulk([hit.page_id for hit in outcome.hits])
    context["results"] = page
    context["exact"] = outcome.exact
    context["hits"] = [(hit, pages[hit.page_id]) for hit in outcome.hits if hit.page_id in pages]
    filters = {"q": query, "channel": channel_id or "", "from": since or "", "to": until or ""}
    context["extra_query"] = urlencode({k: v for k, v in filters.items() if v}) + "&"
    return context
