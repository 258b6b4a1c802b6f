"""Reading the search index: ranked, filtered, highlighted results."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fulian.search.models import SearchDocument
from fulian.search.segment import query_terms, synonyms

CANDIDATES = 500
SNIPPET_CHARS = 80
RECENCY_DAYS = 365.0


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


def term_groups(query: str) -> list[tuple[str, ...]]:
    """Each word of the query with its synonyms: a document must match every group."""
    table = synonyms()
    return [table.get(term, (term,)) for term in query_terms(query)]


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
    tokens = sorted({t for group in groups for t in group})
    posting = connection.ops.quote_name("fulian_search_searchposting")
    document = connection.ops.quote_name("fulian_search_searchdocument")
    # Placeholders in the order they appear in the SQL: WHERE first, then HAVING's CASE.
    where = [f"p.token IN ({', '.join(['%s'] * len(tokens))})"]
    params: list[Any] = list(tokens)
    if channel_id is not None:
        where.append("d.channel_id = %s")
        params.append(channel_id)
    tz = timezone.get_current_timezone()
    if since is not None:
        where.append("d.published_at >= %s")
        params.append(dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until is not None:
        where.append("d.published_at < %s")
        params.append(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    cases = []
    for index, group in enumerate(groups):
        cases.append(f"WHEN p.token IN ({', '.join(['%s'] * len(group))}) THEN {index}")
        params += list(group)
    grouped = (
        f"SELECT p.document_id AS id, SUM(p.weight) AS score, MAX(d.published_at) AS published_at "  # noqa: S608 - fixed names
        f"FROM {posting} p JOIN {document} d ON d.page_id = p.document_id "
        f"WHERE {' AND '.join(where)} GROUP BY p.document_id "
        f"HAVING COUNT(DISTINCT CASE {' '.join(cases)} END) = {len(groups)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({grouped}) matched", params)  # noqa: S608
        total = int(cursor.fetchone()[0])
        if total == 0 or offset >= total:
            return SearchOutcome(terms, total, [])
        cursor.execute(f"{grouped} ORDER BY score DESC, published_at DESC LIMIT {CANDIDATES}", params)
        rows = cursor.fetchall()
    now = timezone.now()
    ranked = sorted(((_ranked(score, published, now), pid) for pid, score, published in rows), reverse=True)
    if offset + limit > len(ranked):
        # Past the candidates the reranking looked at: keep the database's order.
        with connection.cursor() as cursor:
            cursor.execute(
                f"{grouped} ORDER BY score DESC, published_at DESC LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            window = [(float(score), pid) for pid, score, _published in cursor.fetchall()]
    else:
        window = ranked[offset : offset + limit]
    documents = SearchDocument.objects.in_bulk([pid for _score, pid in window])
    highlight_tokens = sorted({t for g in groups for t in g}, key=len, reverse=True)
    hits = [
        SearchHit(
            page_id=pid,
            title=highlight(documents[pid].title, highlight_tokens),
            snippet=snippet(documents[pid].text, highlight_tokens),
            published_at=documents[pid].published_at,
            score=score,
        )
        for score, pid in window
        if pid in documents
    ]
    return SearchOutcome(terms, total, hits)


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
    return float(score) * (1 + 0.5 * math.exp(-age_days / RECENCY_DAYS))


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
