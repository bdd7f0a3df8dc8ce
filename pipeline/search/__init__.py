"""Full-text search over stored articles, morphology-aware like matching (see ``keys``).

``search_articles(session, query, filters)`` is the one entry point (CLI, web, API); the index
is kept by the store (``pipeline.store.search_index.index_articles`` after an article is
written) and can be rebuilt with ``reindex_all`` (``casewatch search --reindex``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.search.backend import CANDIDATES, COUNT_LIMIT, Where, among, ranked_ids
from pipeline.search.query import ParsedQuery, parse_query
from pipeline.search.snippet import (
    MARK_END,
    MARK_START,
    Highlighter,
    make_snippet,
    plain,
    segments,
)
from pipeline.store.models import ArticleRow, MatchRow

log = logging.getLogger(__name__)

__all__ = [
    "MARK_END",
    "MARK_START",
    "MAX_LIMIT",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "parse_query",
    "plain",
    "search_articles",
    "segments",
]

MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """``since`` ≤ publication date (first sighting when undated) < ``until``."""

    case: str | None = None
    source: str | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: int
    url: str
    title: str
    source: str
    language: str | None
    published_at: datetime | None
    cases: tuple[str, ...]
    snippet: str
    """Plain text around the found words, each between MARK_START and MARK_END."""
    score: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    total: int
    """All matches, or COUNT_LIMIT when there are more (``message`` says so)."""
    query: str
    message: str | None
    """Why nothing was searched ("the query has no searchable words"), or what was dropped."""


def search_articles(
    session: Session,
    query: str,
    filters: SearchFilters = SearchFilters(),
    *,
    limit: int = 50,
    offset: int = 0,
) -> SearchResult:
    """Articles matching ``query``, best first (title hits rank higher), one page of them.

    Never raises for what a user types: an unusable query comes back with no hits and a
    ``message``.
    """
    parsed = parse_query(query)
    if not parsed.searchable:
        return SearchResult((), 0, query, parsed.message)
    where = Where(filters.case, filters.source, filters.language, filters.since, filters.until)
    limit = max(1, min(limit, MAX_LIMIT))
    ranked, total = ranked_ids(session, parsed, where, limit, max(0, offset))
    hits = _hits(session, ranked, parsed)
    log.debug("search %r: %d of %d", query, len(hits), total)
    message = parsed.message
    if total > COUNT_LIMIT:
        total = COUNT_LIMIT
        message = message or (
            f"more than {COUNT_LIMIT:,} articles match; the newest {CANDIDATES} are ranked "
            "(add words or filters to narrow the search)"
        )
    return SearchResult(tuple(hits), total, query, message)


def _hits(
    session: Session, ranked: Sequence[tuple[int, float]], parsed: ParsedQuery
) -> list[SearchHit]:
    ids = [article_id for article_id, _ in ranked]
    if not ids:
        return []
    columns = (
        ArticleRow.id,
        ArticleRow.canonical_url,
        ArticleRow.title,
        ArticleRow.summary,
        ArticleRow.text,
    )
    columns += (ArticleRow.source_id, ArticleRow.language, ArticleRow.published_at)
    found = session.execute(select(*columns).where(among(session, ArticleRow.id, ids)))
    rows = {row.id: row for row in found.all()}
    cases: dict[int, list[str]] = defaultdict(list)
    for article_id, slug in session.execute(
        select(MatchRow.article_id, MatchRow.case_slug).where(
            among(session, MatchRow.article_id, ids)
        )
    ).all():
        cases[article_id].append(slug)
    marker = Highlighter(parsed.alts())
    return [
        _hit(rows[i], score, tuple(sorted(cases[i])), marker) for i, score in ranked if i in rows
    ]


def _hit(row: Any, score: float, cases: tuple[str, ...], marker: Highlighter) -> SearchHit:
    body = row.text or row.summary or row.title
    return SearchHit(
        article_id=row.id,
        url=row.canonical_url,
        title=row.title,
        source=row.source_id,
        language=row.language or None,
        published_at=row.published_at,
        cases=cases,
        snippet=make_snippet(body, marker),
        score=round(score, 6),
    )
