"""Write paths for portal content. The demo loader and the legacy importer both publish through here."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from wagtail.images.models import Image

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
