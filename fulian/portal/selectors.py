"""Read queries of the portal. Each returns what a template needs in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import F, Q
from wagtail.models import Page
from wagtail.query import PageQuerySet

from fulian.portal.models import ArticlePage, ChannelPage, HomePage

MAX_PAGE_NUMBER_LENGTH = 6


def _articles() -> PageQuerySet:
    return ArticlePage.objects.live().public().defer_streamfields()


def nav_pages(home: Page) -> list[Page]:
    """The channel bar: the home page's children that are shown in menus, in tree order (editors reorder them)."""
    return list(home.get_children().live().in_menu().only("id", "title", "url_path", "path", "depth", "slug"))


def headline_articles(home: HomePage, limit: int = 5) -> list[ArticlePage]:
    return list(
        _articles()
        .descendant_of(home)
        .filter(is_headline=True, cover__isnull=False)
        .select_related("cover")
        .order_by("-published_at")[:limit]
    )


def notices(home: HomePage, limit: int = 8) -> list[ArticlePage]:
    return list(_articles().descendant_of(home).filter(is_notice=True).order_by("-published_at")[:limit])


@dataclass(frozen=True)
class ChannelBlock:
    channel: ChannelPage
    articles: list[ArticlePage]


def latest_by_channel(home: HomePage, *, per_channel: int) -> list[ChannelBlock]:
    channels = list(ChannelPage.objects.live().child_of(home).in_menu())
    blocks = []
    for channel in channels:
        articles = list(_articles().child_of(channel).order_by("-published_at", "-pk")[:per_channel])
        blocks.append(ChannelBlock(channel, articles))
    return blocks


def parse_page_number(raw: str | None) -> int:
    """A page number from the query string; anything odd means page 1 (never an error)."""
    if not raw or len(raw) > MAX_PAGE_NUMBER_LENGTH or not raw.isascii() or not raw.isdigit():
        return 1
    return max(int(raw), 1)


def channel_article_page(channel: ChannelPage, number: int) -> PaginatorPage:  # type: ignore[type-arg]
    articles = (
        _articles().child_of(channel).only("id", "title", "url_path", "published_at").order_by("-published_at", "-pk")
    )
    paginator = Paginator(articles, max(channel.page_size, 1))
    # get_page clamps past-the-end numbers to the last page; the list is evaluated here so it can be memorised.
    page = paginator.get_page(number)
    page.object_list = list(page.object_list)
    return page


def most_read(channel: ChannelPage, limit: int = 10) -> list[ArticlePage]:
    return list(
        _articles()
        .child_of(channel)
        .filter(view_stats__count__gt=0)
        .only("id", "title", "url_path")
        .order_by(F("view_stats__count").desc(), "-published_at")[:limit]
    )


def neighbours(article: ArticlePage) -> tuple[ArticlePage | None, ArticlePage | None]:
    """上一条/下一条: the articles published just before and just after this one in the same channel.

    Ordered by publish date (then id for equal dates), not by position in the page tree.
    """
    parent_path = article.path[: -ArticlePage.steplen]
    siblings = (
        _articles()
        .filter(path__startswith=parent_path, depth=article.depth)
        .exclude(pk=article.pk)
        .only("id", "title", "url_path", "published_at")
    )
    when = article.published_at
    earlier = (
        siblings.filter(Q(published_at__lt=when) | Q(published_at=when, pk__lt=article.pk))
        .order_by("-published_at", "-pk")
        .first()
    )
    later = (
        siblings.filter(Q(published_at__gt=when) | Q(published_at=when, pk__gt=article.pk))
        .order_by("published_at", "pk")
        .first()
    )
    return earlier, later
