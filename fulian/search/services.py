"""Writing the search index: one article in, one article out, or everything again."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from typing import Any

from django.db import connection, transaction

from fulian.search.models import SearchDocument, SearchPosting, SearchTerm
from fulian.search.segment import index_tokens

TITLE_WEIGHT = 10
ROWS_PER_INSERT = 500  # 2,500 parameters: within every SQLite build's limit
BULK_INDEXES = {"fulian_search_rank_idx", "fulian_search_probe_idx"}
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


def document_weights(title: str, text: str) -> Counter[str]:
    """The words of an article and their weights: each title occurrence counts ten, body ones one (capped)."""
    weights: Counter[str] = Counter()
    for token, count in index_tokens(title).items():
        weights[token] += TITLE_WEIGHT * count
    for token, count in index_tokens(text).items():
        weights[token] += min(count, MAX_BODY_WEIGHT)
    return weights


@dataclass(frozen=True)
class IndexEntry:
    page_id: int
    channel_id: int
    published_at: dt.datetime
    title: str
    text: str


class _Tables:
    def __init__(self) -> None:
        quote = connection.ops.quote_name
        self.posting = quote(SearchPosting._meta.db_table)
        self.document = quote(SearchDocument._meta.db_table)
        self.term = quote(SearchTerm._meta.db_table)


def _marks(values: list[int]) -> str:
    return ", ".join(["%s"] * len(values))


def _remove(cursor: Any, tables: _Tables, ids: list[int], frequency: Counter[str]) -> None:
    """Delete these documents and their postings; their words leave `frequency`."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor.execute(
            f"SELECT token, COUNT(*) FROM {tables.posting} WHERE document_id IN ({_marks(chunk)}) GROUP BY token",  # noqa: S608
            chunk,
        )
        for token, count in cursor.fetchall():
            frequency[token] -= int(count)
        cursor.execute(f"DELETE FROM {tables.posting} WHERE document_id IN ({_marks(chunk)})", chunk)  # noqa: S608
        cursor.execute(f"DELETE FROM {tables.document} WHERE page_id IN ({_marks(chunk)})", chunk)  # noqa: S608


def _count(cursor: Any, tables: _Tables, frequency: Counter[str]) -> None:
    """Apply changes to the word frequencies (one upsert per word; concurrent writers add up)."""
    changes = [(token, delta) for token, delta in frequency.items() if delta]
    for start in range(0, len(changes), 5000):
        cursor.executemany(
            f"INSERT INTO {tables.term} (token, documents) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (token) DO UPDATE SET documents = {tables.term}.documents + excluded.documents",
            changes[start : start + 5000],
        )
    if any(delta < 0 for _token, delta in changes):
        cursor.execute(f"DELETE FROM {tables.term} WHERE documents <= 0")  # noqa: S608


def write_documents(entries: list[IndexEntry], *, fresh: bool = False) -> None:
    """Replace the documents of these pages, their postings and the word frequencies.

    Multi-row inserts rather than model instances: an article has a hundred or more postings,
    and building objects for them was most of the cost of a rebuild. `fresh` skips removing
    old documents (a rebuild into empty tables).
    """
    if not entries:
        return
    tables = _Tables()
    ops = connection.ops
    frequency: Counter[str] = Counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if not fresh:
            _remove(cursor, tables, [e.page_id for e in entries], frequency)
        documents, postings = [], []
        for e in entries:
            when = ops.adapt_datetimefield_value(e.published_at)
            documents.append((e.page_id, e.channel_id, when, e.title[:255], e.text))
            weights = document_weights(e.title, e.text)
            frequency.update(weights.keys())
            postings += [(t, e.page_id, w, when, e.channel_id) for t, w in weights.items()]
        cursor.executemany(
            f"INSERT INTO {tables.document} (page_id, channel_id, published_at, title, text) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)",
            documents,
        )
        # Several hundred rows per statement: one round trip and one parse for each, on both databases.
        for start in range(0, len(postings), ROWS_PER_INSERT):
            rows = postings[start : start + ROWS_PER_INSERT]
            cursor.execute(
                f"INSERT INTO {tables.posting} (token, document_id, weight, published_at, channel_id) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows)),
                [value for row in rows for value in row],
            )
        _count(cursor, tables, frequency)


def remove_documents(page_ids: list[int]) -> None:
    tables = _Tables()
    frequency: Counter[str] = Counter()
    with transaction.atomic(), connection.cursor() as cursor:
        _remove(cursor, tables, page_ids, frequency)
        _count(cursor, tables, frequency)


def _entries(pages: Iterable[Any]) -> list[IndexEntry]:
    from wagtail.models import Page

    pages = list(pages)
    # One query for every parent (the channel), by tree path, rather than one per article.
    parents = dict(
        Page.objects.filter(path__in={page.path[: -Page.steplen] for page in pages}).values_list("path", "pk")
    )
    return [
        IndexEntry(
            page_id=page.pk,
            channel_id=parents[page.path[: -Page.steplen]],
            published_at=page.published_at,
            title=page.title,
            text=article_text(page),
        )
        for page in pages
    ]


def search_index_article(*, page_id: int) -> bool:
    """(Re)index one article if it is live and public; remove it otherwise. Returns whether it is indexed."""
    from fulian.portal.models import ArticlePage

    article = ArticlePage.objects.live().public().filter(pk=page_id).first()
    if article is None:
        search_remove(page_id=page_id)
        return False
    write_documents(_entries([article]))
    return True


def search_remove(*, page_id: int) -> None:
    remove_documents([page_id])


def search_rebuild(*, batch: int = 1000) -> int:
    """Re-segment every public article: after a dictionary change, or to repair the index."""
    from fulian.portal.models import ArticlePage

    ids = list(ArticlePage.objects.live().public().order_by("pk").values_list("pk", flat=True))
    batches = (
        _entries(ArticlePage.objects.filter(pk__in=ids[start : start + batch])) for start in range(0, len(ids), batch)
    )
    return rebuild_documents(batches)


def rebuild_documents(batches: Iterable[list[IndexEntry]]) -> int:
    """Replace the whole index with these documents; returns how many.

    One transaction: searches see the old index until the new one is complete. The two large
    indexes are dropped and built again at the end, which sorts once instead of inserting
    millions of entries at random places.
    """
    tables = _Tables()
    big = [i for i in SearchPosting._meta.indexes if i.name in BULK_INDEXES]
    count = 0
    with transaction.atomic():
        # Statements only (no schema editor context): SQLite's refuses to open inside a transaction.
        editor = connection.SchemaEditorClass(connection, collect_sql=True)
        editor.deferred_sql = []
        with connection.cursor() as cursor:
            for table in (tables.term, tables.posting, tables.document):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            for index in big:
                cursor.execute(str(index.remove_sql(SearchPosting, editor)))
        for entries in batches:
            write_documents(entries, fresh=True)
            count += len(entries)
        with connection.cursor() as cursor:
            for index in big:
                cursor.execute(str(index.create_sql(SearchPosting, editor)))
            cursor.execute(f"ANALYZE {tables.posting}")  # plan from the new index's statistics
    return count
