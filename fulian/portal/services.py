"""Write paths for portal content. The demo loader and the legacy importer both publish through here."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from wagtail.images.models import Image
from wagtail.models import Page

from fulian.portal.models import ArticlePage, ChannelPage


def article_slug(*, channel: ChannelPage, title: str, published_at: dt.datetime) -> str:
    """A readable, stable, ASCII slug: the publish date plus a short digest of the title."""
    digest = hashlib.blake2b(title.encode(), digest_size=3).hexdigest()
    base = f"{published_at:%Y%m%d}-{digest}"
    slug, n = base, 1
    while ArticlePage.objects.child_of(channel).filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def article_publish_new(
    *,
    channel: ChannelPage,
    title: str,
    published_at: dt.datetime,
    body: list[dict[str, Any]],
    source: str = "",
    author: str = "",
    summary: str = "",
    cover: Image | None = None,
    is_headline: bool = False,
    is_notice: bool = False,
    confidentiality_reviewed: bool,
    user: AbstractBaseUser | None = None,
) -> ArticlePage:
    """Create an article in a channel and publish it; refused unless the confidentiality review was done."""
    article = ArticlePage(
        title=title,
        slug=article_slug(channel=channel, title=title, published_at=published_at),
        published_at=published_at,
        source=source,
        author=author,
        summary=summary,
        cover=cover,
        is_headline=is_headline and cover is not None,
        is_notice=is_notice,
        body=body,
        confidentiality_reviewed=confidentiality_reviewed,
        live=False,
    )
    channel.add_child(instance=article)
    revision = article.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    article.refresh_from_db()
    return article


def stream_from_plain(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turn plain block descriptions (paragraph/heading/table) into StreamField data."""
    from django.utils.html import escape

    stream: list[dict[str, Any]] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "paragraph":
            stream.append({"type": "paragraph", "value": f"<p>{escape(block['text'])}</p>"})
        elif kind == "heading":
            stream.append({"type": "heading", "value": block["text"]})
        elif kind == "table":
            stream.append(
                {
                    "type": "table",
                    "value": {
                        "data": block["rows"],
                        "first_row_is_table_header": True,
                        "first_col_is_header": False,
                        "table_caption": block.get("caption", ""),
                    },
                }
            )
    return stream


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def legacy_article_import(
    *, data: bytes, file_name: str, home: Page, publish: bool, user: AbstractBaseUser | None = None
) -> tuple[str, ArticlePage]:
    """Create or update one article from a saved page of the old site; all or nothing.

    Returns ("created" | "updated", article). Raises LegacySkip with the reason in Chinese.
    An existing article is found by its old id, else by channel + title + publish time, so
    running an import twice never duplicates. Imported pages are drafts unless `publish`
    says their confidentiality review was done.
    """
    from fulian.counters.backends import get_counter
    from fulian.counters.services import set_page_views
    from fulian.portal.legacy import LegacySkip, parse

    parsed = parse(data, file_name=file_name)
    channel = ChannelPage.objects.child_of(home).filter(title=parsed.channel).first()
    if channel is None:
        names = "、".join(ChannelPage.objects.child_of(home).values_list("title", flat=True))
        raise LegacySkip(f"网站没有“{parsed.channel}”栏目（现有栏目：{names}）")
    body = stream_from_plain([{"type": "paragraph", "text": text} for text in parsed.paragraphs])

    with transaction.atomic():
        existing = None
        if parsed.legacy_id is not None:
            existing = ArticlePage.objects.filter(legacy_id=parsed.legacy_id).first()
        if existing is None:
            existing = ArticlePage.objects.filter(legacy_key=parsed.key).first()
        if existing is None:
            article = ArticlePage(
                title=parsed.title,
                slug=article_slug(channel=channel, title=parsed.title, published_at=parsed.published_at),
                live=False,
            )
            outcome = "created"
        else:
            article = existing.get_latest_revision_as_object()
            outcome = "updated"
        article.title = parsed.title
        article.published_at = parsed.published_at
        article.source = parsed.source or article.source
        article.author = parsed.author or article.author
        article.body = body
        article.legacy_id = parsed.legacy_id if parsed.legacy_id is not None else article.legacy_id
        article.legacy_key = parsed.key
        article.confidentiality_reviewed = publish or article.confidentiality_reviewed
        if outcome == "created":
            channel.add_child(instance=article)
        revision = article.save_revision(user=user, log_action=True)
        if publish or article.live:
            revision.publish(user=user)
        article.refresh_from_db()
        # The old count is where counting starts; never lower a count that has grown since.
        if parsed.views > get_counter().page_views(article.pk):
            set_page_views(page_id=article.pk, count=parsed.views)
    return outcome, article
