"""Read-side queries behind the listing commands. Each takes a ``session`` and only reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from pipeline.config.load import Source
from pipeline.normalize.dates import zone
from pipeline.normalize.hearing_time import local_iso, upcoming
from pipeline.store.chunks import chunks
from pipeline.store.hearing_matches import matched_cases
from pipeline.store.models import (
    ArticleRow,
    EventRow,
    HearingChangeRow,
    HearingRow,
    MatchRow,
    SourceRow,
)


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
    for chunk in chunks(article_ids):
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


# ---------------------------------------------------------------- hearings

ON_SCHEDULE = ("scheduled", "unknown")
"""Statuses of a hearing that is still expected to take place."""
_ON_SCHEDULE = ON_SCHEDULE


@dataclass(frozen=True, slots=True)
class HearingHistoryEntry:
    """One field of a hearing that changed; a ``scheduled_at`` value in the court's offset."""

    field: str
    old: str | None
    new: str | None
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class HearingListing:
    case_number: str
    court: str
    scheduled_at: datetime | None
    """In the court's zone, so ISO 8601 shows its offset; None when only a date was printed."""
    local_time: str
    """Wall-clock time in ``timezone`` as stored: '2026-12-01T10:00', or the date alone."""
    timezone: str
    status: str
    courtroom: str
    judge: str
    parties: str
    category: str
    stage: str
    cases: tuple[str, ...]
    source: str
    source_url: str
    article_url: str
    first_seen_at: datetime
    last_seen_at: datetime
    identity: str
    history: tuple[HearingHistoryEntry, ...] | None = None
    """Oldest change first; None unless asked for."""


def list_hearings(
    session: Session,
    *,
    case: str | None = None,
    since: datetime | None = None,
    upcoming_from: datetime | None = None,
    limit: int | None = None,
    history: bool = False,
    ids: Sequence[int] | None = None,
) -> list[HearingListing]:
    """Latest local date and time first. With ``upcoming_from``: only hearings still ahead
    then and on the schedule (not cancelled, postponed or held), soonest first; a hearing
    with a date but no time is ahead all of its local day. ``since`` is on the first sighting;
    ``ids`` keeps only those hearings."""
    query = select(HearingRow)
    if ids is not None:
        query = query.where(HearingRow.id.in_(ids))
    if case is not None:
        matched = select(MatchRow.hearing_id).where(
            MatchRow.case_slug == case, MatchRow.hearing_id.is_not(None)
        )
        query = query.where(HearingRow.id.in_(matched))
    if since is not None:
        query = query.where(HearingRow.first_seen_at >= since)
    if upcoming_from is None:
        newest = query.order_by(HearingRow.local_time.desc(), HearingRow.id.desc())
        rows = list(session.scalars(_limited(newest, limit)))
    else:
        rows = _upcoming_rows(session, query, upcoming_from, limit)
    ids = [row.id for row in rows]
    cases = matched_cases(session, ids)
    changes = _hearing_history(session, rows) if history else {}
    return [
        _hearing_listing(row, cases.get(row.id, ()), changes.get(row.id, ()) if history else None)
        for row in rows
    ]


def _upcoming_rows(
    session: Session, query: Select[Any], now: datetime, limit: int | None
) -> list[HearingRow]:
    """SQL keeps what may be ahead (a date alone is compared a day early, zones differ);
    ``upcoming`` decides in the hearing's own zone. Few hearings lie ahead: sorted here."""
    day_from = (now - timedelta(days=1)).date().isoformat()
    query = query.where(
        HearingRow.cancelled_at.is_(None),
        HearingRow.status.in_(_ON_SCHEDULE),
        or_(
            HearingRow.scheduled_at > now,
            and_(HearingRow.scheduled_at.is_(None), HearingRow.local_time >= day_from),
        ),
    )
    rows = [
        row
        for row in session.scalars(query)
        if upcoming(row.scheduled_at, row.local_time, row.timezone, now)
    ]
    rows.sort(key=lambda row: (_starts_at(row), row.id))
    return rows if limit is None else rows[:limit]


def _starts_at(row: HearingRow) -> datetime:
    """The instant, or the start of the local day when only a date was printed."""
    if row.scheduled_at is not None:
        return row.scheduled_at
    return datetime.fromisoformat(row.local_time[:10]).replace(tzinfo=zone(row.timezone))


def _hearing_history(
    session: Session, rows: Sequence[HearingRow]
) -> dict[int, list[HearingHistoryEntry]]:
    zones = {row.id: row.timezone for row in rows}
    ids = list(zones)
    out: dict[int, list[HearingHistoryEntry]] = defaultdict(list)
    for chunk in chunks(ids):
        query = (
            select(HearingChangeRow)
            .where(HearingChangeRow.hearing_id.in_(chunk))
            .order_by(HearingChangeRow.seen_at, HearingChangeRow.id)
        )
        for change in session.scalars(query):
            tz = zones[change.hearing_id]
            out[change.hearing_id].append(
                HearingHistoryEntry(
                    field=change.field,
                    old=_history_value(change.field, change.old, tz),
                    new=_history_value(change.field, change.new, tz),
                    seen_at=change.seen_at,
                )
            )
    return out


def hearing_histories(
    session: Session, identities: Sequence[str]
) -> dict[str, tuple[HearingHistoryEntry, ...]]:
    """Hearing identity → its changes, oldest first: the history of just these hearings (a
    dashboard shows a few of a case's hundreds)."""
    rows: list[HearingRow] = []
    for chunk in chunks(identities):
        rows += session.scalars(select(HearingRow).where(HearingRow.identity.in_(chunk)))
    changes = _hearing_history(session, rows)
    return {row.identity: tuple(changes.get(row.id, ())) for row in rows}


def _history_value(name: str, value: str | None, tz: str) -> str | None:
    """A stored UTC ``scheduled_at`` shown with the court's offset; anything else as stored."""
    if name != "scheduled_at" or not value:
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return local_iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC), tz)


def _hearing_listing(
    row: HearingRow,
    cases: Sequence[str],
    history: Sequence[HearingHistoryEntry] | None,
) -> HearingListing:
    at = row.scheduled_at
    return HearingListing(
        case_number=row.case_number,
        court=row.court,
        scheduled_at=at.astimezone(zone(row.timezone)) if at is not None else None,
        local_time=row.local_time,
        timezone=row.timezone,
        status=row.status,
        courtroom=row.courtroom,
        judge=row.judge,
        parties=row.parties,
        category=row.category,
        stage=row.stage,
        cases=tuple(sorted(cases)),
        source=row.source_id,
        source_url=row.source_url,
        article_url=row.article_url,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        identity=row.identity,
        history=tuple(history) if history is not None else None,
    )
