"""The search form as typed filters, and the search behind the page and the API.

Form values are user input: a bad date becomes a message on the page, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from pipeline.errors import CasewatchError
from pipeline.search import SearchFilters, SearchHit, search_articles, segments

MAX_QUERY = 500


@dataclass(frozen=True, slots=True)
class SearchForm:
    q: str = ""
    case: str = ""
    source: str = ""
    language: str = ""
    since: str = ""
    until: str = ""
    """Dates as typed (YYYY-MM-DD); ``until`` includes its day."""


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    hits: tuple[SearchHit, ...] = ()
    total: int = 0
    messages: tuple[str, ...] = field(default_factory=tuple)
    searched: bool = False


def parse_day(text: str, name: str, *, end: bool = False) -> datetime | None:
    """'2026-11-28' → that UTC midnight (the next one for an inclusive end)."""
    text = text.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{name}: expected a date like 2026-11-28, got {text[:40]!r}") from exc
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return moment + timedelta(days=1) if end else moment


def to_filters(form: SearchForm) -> SearchFilters:
    return SearchFilters(
        case=form.case or None,
        source=form.source or None,
        language=form.language or None,
        since=parse_day(form.since, "from"),
        until=parse_day(form.until, "to", end=True),
    )


def run_search(session: Session, form: SearchForm, *, limit: int, offset: int) -> SearchOutcome:
    """No query, no search; a query too long or filters unreadable give a message."""
    if not form.q.strip():
        return SearchOutcome()
    if len(form.q) > MAX_QUERY:
        return SearchOutcome(messages=(f"query longer than {MAX_QUERY} characters",), searched=True)
    try:
        filters = to_filters(form)
    except ValueError as exc:
        return SearchOutcome(messages=(str(exc),), searched=True)
    try:
        result = search_articles(session, form.q, filters, limit=limit, offset=offset)
    except CasewatchError as exc:
        return SearchOutcome(messages=(str(exc),), searched=True)
    messages = (result.message,) if result.message else ()
    return SearchOutcome(hits=result.hits, total=result.total, messages=messages, searched=True)


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "article_id": hit.article_id,
        "url": hit.url,
        "title": hit.title,
        "source": hit.source,
        "language": hit.language,
        "published_at": hit.published_at,
        "cases": list(hit.cases),
        "snippet": hit.snippet,
        "score": hit.score,
    }


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """(text, found) pieces: the template marks found words without trusting the text."""
    return list(segments(snippet))
