"""Reading the search index: ranked, filtered, highlighted results."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fulian.search.models import SearchDocument, SearchPosting, SearchTerm
from fulian.search.segment import query_terms, synonyms

# A word group with at most this many postings (after filters) is evaluated exactly: every
# matching document is scored and counted. Beyond it, candidates come from the head of the
# ranking index, and a count that cannot be read off the word frequencies is estimated (“约”).
EXACT_POSTINGS = 1000
POOL = 200
MAX_POOL = 12800
SNIPPET_CHARS = 80
RECENCY_DAYS = 365.0
RECENCY_BOOST = 0.5

Scored = dict[int, tuple[int, Any]]  # document → (weight, published_at)


@dataclass(frozen=True)
class SearchHit:
    page_id: int
    title: SafeString
    snippet: SafeString
    published_at: dt.datetime
    score: float


@dataclass(frozen=True)
class SearchOutcome:
    terms: list[str]
    total: int
    hits: list[SearchHit]
    exact: bool = True


def term_groups(query: str) -> list[tuple[str, ...]]:
    """Each word of the query with its synonyms: a document must match every group."""
    table = synonyms()
    return [table.get(term, (term,)) for term in query_terms(query)]


@dataclass(frozen=True)
class _Filters:
    sql: str = ""
    params: tuple[Any, ...] = ()


def _filters(channel_id: int | None, since: dt.date | None, until: dt.date | None) -> _Filters:
    sql, params = "", list[Any]()
    if channel_id is not None:
        sql += " AND channel_id = %s"
        params.append(channel_id)
    tz = timezone.get_current_timezone()
    if since is not None:
        sql += " AND published_at >= %s"
        params.append(dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until is not None:
        sql += " AND published_at < %s"
        params.append(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return _Filters(sql, tuple(params))


def _in(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


class _Index:
    """The queries ranking needs. Each reads one index range: the ranking index
    (word, weight, date …) for the best documents of a word, the probe index (word, document …)
    for a word's weight in given documents, and the word frequencies."""

    def __init__(self, cursor: Any, filters: _Filters) -> None:
        self.cursor = cursor
        self.filters = filters
        self.postings = connection.ops.quote_name(SearchPosting._meta.db_table)
        self.terms = connection.ops.quote_name(SearchTerm._meta.db_table)

    def frequencies(self, tokens: Sequence[str]) -> dict[str, int]:
        """Documents per word, kept up to date by every index write (no filters)."""
        self.cursor.execute(f"SELECT token, documents FROM {self.terms} WHERE token IN ({_in(tokens)})", list(tokens))  # noqa: S608
        return {token: int(documents) for token, documents in self.cursor.fetchall()}

    def size(self, group: tuple[str, ...], cap: int) -> int:
        """Postings of a word group within the filters, counted up to `cap`."""
        self.cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {self.postings} WHERE token IN ({_in(group)})"  # noqa: S608
            f"{self.filters.sql} LIMIT {int(cap)}) sized",
            [*group, *self.filters.params],
        )
        return int(self.cursor.fetchone()[0])

    def documents(self, group: tuple[str, ...]) -> int:
        """Documents of a word group within the filters, counted one by one."""
        what = "COUNT(*)" if len(group) == 1 else "COUNT(DISTINCT document_id)"
        self.cursor.execute(
            f"SELECT {what} FROM {self.postings} WHERE token IN ({_in(group)}){self.filters.sql}",  # noqa: S608
            [*group, *self.filters.params],
        )
        return int(self.cursor.fetchone()[0])

    def every(self, group: tuple[str, ...]) -> Scored:
        """Every document of a (small) group within the filters."""
        self.cursor.execute(
            f"SELECT document_id, weight, published_at FROM {self.postings} "  # noqa: S608
            f"WHERE token IN ({_in(group)}){self.filters.sql}",
            [*group, *self.filters.params],
        )
        return _summed(self.cursor.fetchall())

    def head(self, token: str, pool: int) -> list[tuple[int, int, Any]]:
        """The `pool` best documents for one word: the first entries of the ranking index."""
        self.cursor.execute(
            f"SELECT document_id, weight, published_at FROM {self.postings} WHERE token = %s{self.filters.sql} "  # noqa: S608
            f"ORDER BY weight DESC, published_at DESC LIMIT {int(pool)}",
            [token, *self.filters.params],
        )
        return list(self.cursor.fetchall())

    def among(self, group: tuple[str, ...], documents: Sequence[int]) -> Scored:
        """The group's weights in the given documents only: one probe of the index each."""
        self.cursor.execute(
            f"SELECT document_id, weight, published_at FROM {self.postings} "  # noqa: S608
            f"WHERE token IN ({_in(group)}) AND document_id IN ({_in(documents)})",
            [*group, *documents],
        )
        return _summed(self.cursor.fetchall())


def _summed(rows: Sequence[tuple[int, int, Any]]) -> Scored:
    """Weights per document, added up over a group's synonyms."""
    out: Scored = {}
    for document_id, weight, published in rows:
        before = out.get(document_id)
        out[document_id] = (weight + (before[0] if before else 0), published)
    return out


def _matching(index: _Index, groups: list[tuple[str, ...]], documents: Scored) -> Scored:
    """Keep the documents that contain every group, adding up their weights."""
    for group in groups:
        if not documents:
            break
        found = index.among(group, list(documents))
        documents = {d: (w + found[d][0], when) for d, (w, when) in documents.items() if d in found}
    return documents


def search_articles(
    query: str,
    *,
    channel_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    offset: int = 0,
    limit: int = 20,
) -> SearchOutcome:
    groups = term_groups(query)
    if not groups:
        return SearchOutcome([], 0, [])
    terms = [group[0] for group in groups]
    filters = _filters(channel_id, since, until)
    with connection.cursor() as cursor:
        index = _Index(cursor, filters)
        frequency = index.frequencies(sorted({t for g in groups for t in g}))
        # Unfiltered, the frequencies bound each group's postings for free; filtered, count (capped).
        sizes = [
            (index.size(g, EXACT_POSTINGS + 1) if filters.sql else sum(frequency.get(t, 0) for t in g), n, g)
            for n, g in enumerate(groups)
        ]
        sizes.sort()
        rarest_size, _n, rarest = sizes[0]
        others = [group for _size, _n, group in sizes[1:]]
        if rarest_size == 0:
            return SearchOutcome(terms, 0, [])
        if rarest_size <= EXACT_POSTINGS:
            matched = _matching(index, others, index.every(rarest))
            total, exact = len(matched), True
        else:
            matched, total, exact = _common(index, rarest, others, offset + limit, frequency)
    now = timezone.now()
    ranked = sorted(((_ranked(weight, published, now), d) for d, (weight, published) in matched.items()), reverse=True)
    window = ranked[offset : offset + limit]
    documents = SearchDocument.objects.in_bulk([d for _score, d in window])
    highlight_tokens = sorted({t for g in groups for t in g}, key=len, reverse=True)
    hits = [
        SearchHit(
            page_id=d,
            title=highlight(documents[d].title, highlight_tokens),
            snippet=snippet(documents[d].text, highlight_tokens),
            published_at=documents[d].published_at,
            score=score,
        )
        for score, d in window
        if d in documents
    ]
    return SearchOutcome(terms, total, hits, exact)


def _common(
    index: _Index, rarest: tuple[str, ...], others: list[tuple[str, ...]], needed: int, frequency: dict[str, int]
) -> tuple[Scored, int, bool]:
    """The rarest group is common too: rank the head of its ranking index.

    The recency boost multiplies a score by at most 1 + RECENCY_BOOST, so the documents with the
    highest weights hold the best results; the pool grows until it yields the page asked for.
    Returns the matches, the total and whether the total is exact.
    """
    pool = max(POOL, needed * 2)
    while True:
        heads = [index.head(token, pool) for token in rarest]
        exhausted = all(len(head) < pool for head in heads)
        candidates = _summed([row for head in heads for row in head])
        matched = _matching(index, others, candidates)
        if len(matched) >= needed or exhausted or pool >= MAX_POOL:
            break
        pool = min(pool * 4, MAX_POOL)
    if exhausted:
        return matched, len(matched), True
    single = len(rarest) == 1
    if index.filters.sql:
        documents = index.documents(rarest)
    else:
        # Synonyms overlap: scale their summed frequencies by the overlap seen in the heads.
        listed = sum(len(head) for head in heads)
        documents = round(sum(frequency.get(t, 0) for t in rarest) * len(candidates) / listed)
    if not others:
        return matched, documents, single or bool(index.filters.sql)
    return matched, max(round(documents * len(matched) / len(candidates)), len(matched)), False


def _ranked(score: float, published: object, now: dt.datetime) -> float:
    if isinstance(published, str):  # SQLite returns text for an aggregated datetime
        published = dt.datetime.fromisoformat(published)
    if isinstance(published, dt.datetime):
        if timezone.is_naive(published):
            published = published.replace(tzinfo=dt.UTC)
        age_days = max((now - published).total_seconds() / 86400, 0)
    else:
        age_days = RECENCY_DAYS * 10
    # Newer articles win ties and near-ties; relevance still decides: a title match outweighs any boost.
    return float(score) * (1 + RECENCY_BOOST * math.exp(-age_days / RECENCY_DAYS))


def _pattern(tokens: list[str]) -> re.Pattern[str] | None:
    if not tokens:
        return None
    return re.compile("|".join(re.escape(t) for t in tokens), re.IGNORECASE)


def highlight(text: str, tokens: list[str]) -> SafeString:
    pattern = _pattern(tokens)
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[last : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped


def snippet(text: str, tokens: list[str]) -> SafeString:
    """About 160 characters around the first match, highlighted."""
    pattern = _pattern(tokens)
    match = pattern.search(text) if pattern else None
    start = max((match.start() if match else 0) - SNIPPET_CHARS // 2, 0)
    piece = text[start : start + SNIPPET_CHARS * 2].replace("\n", " ")
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + SNIPPET_CHARS * 2 < len(text) else ""
    return mark_safe(prefix + highlight(piece, tokens) + suffix)  # noqa: S308 - highlight escapes
