"""Writing the search index: one article in, one article out, or everything again."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

from django.db import transaction

from fulian.search.models import SearchDocument, SearchPosting
from fulian.search.segment import index_tokens

TITLE_WEIGHT = 10
MAX_BODY_WEIGHT = 20
TAG_RE = re.compile(r"<[^>]+>")


def article_text(article: object) -> str:
    """Plain text of an article: summary, headings, paragraphs and table cells."""
    parts = [getattr(article, "summary", "")]
    for block in getattr(article, "body", []):
        value = block.value
        if block.block_type == "paragraph":
            parts.append(unescape(TAG_RE.sub(" ", value.source)))
        elif block.block_type == "heading":
            parts.append(str(value))
        elif block.block_type == "table":
            rows = value.get("data") or []
            parts.append(value.get("table_caption") or "")
            parts += [" ".join(str(cell or "") for cell in row) for row in rows]
    return "\n".join(p.strip() for p in parts if p and p.strip())


@transaction.atomic
def search_index_article(*, page_id: int) -> bool:
    """(Re)index one article if it is live and public; remove it otherwise. Returns whether it is indexed."""
    from fulian.portal.models import ArticlePage

    article = ArticlePage.objects.live().public().filter(pk=page_id).first()
    if article is None:
        SearchDocument.objects.filter(page_id=page_id).delete()
        return False
    text = article_text(article)
    document, _ = SearchDocument.objects.update_or_create(
        page_id=page_id,
        defaults={
            "channel_id": article.get_parent().pk,
            "published_at": article.published_at,
            "title": article.title,
            "text": text,
        },
    )
    weights: Counter[str] = Counter()
    for token, count in index_tokens(article.title).items():
        weights[token] += TITLE_WEIGHT * count
    for token, count in index_tokens(text).items():
        weights[token] += min(count, MAX_BODY_WEIGHT)
    SearchPosting.objects.filter(document=document).delete()
    SearchPosting.objects.bulk_create(
        [SearchPosting(token=token, document=document, weight=weight) for token, weight in weights.items()],
        batch_size=1000,
    )
    return True


def search_remove(*, page_id: int) -> None:
    SearchDocument.objects.filter(page_id=page_id).delete()


def search_rebuild() -> int:
    from fulian.portal.models import ArticlePage

    SearchDocument.objects.all().delete()
    count = 0
    for page_id in ArticlePage.objects.live().public().values_list("pk", flat=True).iterator():
        count += search_index_article(page_id=page_id)
    return count
