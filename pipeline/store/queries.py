"""Read-side queries behind the listing commands. Each takes a ``session`` and only reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pipeline.config import Source
from pipeline.store.models import ArticleRow, EventRow, MatchRow, SourceRow

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ArticleListing:
    url: str
    title: str
    published_at: datetime | None
    language: str
    source: str
    cases: tuple[str, ...]
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class EventListing:
    id: int
    kind: str
    case: str | None
    url: str | None
    """The article's URL, else the ``url`` the payload carries (a hearing's source)."""
    created_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SourceListing:
    id: str
    kind: str
    name: str | None
    url: str
    enabled: bool
    configured: bool
    """False for a source the database knows but the config no longer lists."""
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int


def _limited(query: Select[Any], limit: int | None) -> Select[Any]:
    return query if limit is None else query.limit(limit)


def list_articles(
    session: Session,
    *,
    case: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[ArticleListing]:
    """Newest first by publication date (first sighting when undated)."""
    when = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)
    query = select(ArticleRow).order_by(when.desc(), ArticleRow.id.desc())
    if case is not None:
        matched = select(MatchRow.article_id).where(MatchRow.case_slug == case)
        query = query.where(ArticleRow.id.in_(matched))
    if since is not None:
        query = query.where(when >= since)
    rows = session.scalars(_limited(query, limit)).all()
    cases = _cases_of(session, [row.id for row in rows])
    return [
        ArticleListing(
            url=row.url,
            title=row.title,
            published_at=row.published_at,
            language=row.language,
            source=row.source_id,
            cases=tuple(sorted(cases.get(row.id, ()))),
            first_seen_at=row.first_seen_at,
        )
        for row in rows
    ]


def _cases_of(session: Session, article_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(article_ids), _CHUNK):
        chunk = article_ids[start : start + _CHUNK]
        query = select(MatchRow.article_id, MatchRow.case_slug).where(
            MatchRow.article_id.in_(chunk)
        )
        for article_id, slug in session.execute(query):
            out[article_id].append(slug)
    return out


def list_events(
    session: Session,
    *,
    case: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[EventListing]:
    """Newest first."""
    query = (
        select(EventRow, ArticleRow.url)
        .outerjoin(ArticleRow, EventRow.article_id == ArticleRow.id)
        .order_by(EventRow.created_at.desc(), EventRow.id.desc())
    )
    if case is not None:
        query = query.where(EventRow.case_slug == case)
    if since is not None:
        query = query.where(EventRow.created_at >= since)
    return [
        EventListing(
            id=event.id,
            kind=event.kind,
            case=event.case_slug,
            url=article_url or _payload_url(event.payload),
            created_at=event.created_at,
            payload=event.payload,
        )
        for event, article_url in session.execute(_limited(query, limit))
    ]


def _payload_url(payload: dict[str, Any]) -> str | None:
    for key in ("url", "source_url"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def list_sources(
    session: Session,
    configured: Iterable[Source],
    *,
    case: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[SourceListing]:
    """Every configured source with its state (a never-run source too), then sources the
    database still knows but the config dropped. ``case`` keeps the sources that list the
    case or list none (they feed every case); ``since`` keeps sources run since then."""
    states = {row.id: row for row in session.scalars(select(SourceRow))}
    listed = [_source_listing(s, states.pop(s.id, None)) for s in configured if _feeds(s, case)]
    if case is None:
        listed += [_orphan_listing(row) for row in sorted(states.values(), key=lambda r: r.id)]
    if since is not None:
        listed = [s for s in listed if s.last_run_at is not None and s.last_run_at >= since]
    return listed if limit is None else listed[:limit]


def _feeds(source: Source, case: str | None) -> bool:
    return case is None or not source.cases or case in source.cases


def _source_listing(source: Source, state: SourceRow | None) -> SourceListing:
    return SourceListing(
        id=source.id,
        kind=source.kind,
        name=source.name,
        url=source.url,
        enabled=source.enabled,
        configured=True,
        last_run_at=state.last_run_at if state else None,
        last_success_at=state.last_success_at if state else None,
        last_error=state.last_error if state else None,
        consecutive_failures=state.consecutive_failures if state else 0,
    )


def _orphan_listing(row: SourceRow) -> SourceListing:
    return SourceListing(
        id=row.id,
        kind=row.kind,
        name=row.name,
        url=row.url,
        enabled=False,
        configured=False,
        last_run_at=row.last_run_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        consecutive_failures=row.consecutive_failures,
    )
