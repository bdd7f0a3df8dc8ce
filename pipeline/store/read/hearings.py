"""Hearings as lists, the calendar and the dashboard timeline show them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from pipeline.normalize.dates import zone
from pipeline.normalize.hearing_time import local_iso, upcoming
from pipeline.store.chunks import chunks
from pipeline.store.hearing_matches import matched_cases
from pipeline.store.hearing_seen import last_sightings
from pipeline.store.models import CaseRow, HearingChangeRow, HearingRow, MatchRow
from pipeline.store.read.common import limited

ON_SCHEDULE = ("scheduled", "unknown")
"""Statuses of a hearing that is still expected to take place."""


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


@dataclass(frozen=True, slots=True)
class HearingMeta:
    """What the calendar needs beyond a :class:`HearingListing`: id and change moments."""

    id: int
    sequence: int
    """How many scans changed the hearing: iCalendar's SEQUENCE."""
    last_change_at: datetime | None


def list_hearings(
    session: Session,
    *,
    case: str | None = None,
    since: datetime | None = None,
    upcoming_from: datetime | None = None,
    limit: int | None = None,
    history: bool = False,
    ids: Sequence[int] | None = None,
    matched_only: bool = False,
) -> list[HearingListing]:
    """Latest local date and time first. With ``upcoming_from``: only hearings still ahead
    then and on the schedule (not cancelled, postponed or held), soonest first; a hearing
    with a date but no time is ahead all of its local day. ``since`` is on the first sighting;
    ``ids`` keeps only those hearings; ``matched_only`` those a case claims (a court page lists
    dozens of unrelated hearings a day: they stay stored for a later case, out of the views)."""
    query = select(HearingRow)
    if matched_only and case is None:
        claimed = select(MatchRow.hearing_id).where(MatchRow.hearing_id.is_not(None))
        query = query.where(HearingRow.id.in_(claimed))
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
        rows = list(session.scalars(limited(newest, limit)))
    else:
        rows = _upcoming_rows(session, query, upcoming_from, limit)
    ids = [row.id for row in rows]
    cases = matched_cases(session, ids)
    seen = last_sightings(session, rows)
    changes = _hearing_history(session, rows) if history else {}
    return [
        _hearing_listing(
            row, cases.get(row.id, ()), changes.get(row.id, ()) if history else None, seen[row.id]
        )
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
        HearingRow.status.in_(ON_SCHEDULE),
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
    last_seen_at: datetime,
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
        last_seen_at=last_seen_at,
        identity=row.identity,
        history=tuple(history) if history is not None else None,
    )


def hearing_meta(session: Session, identities: Sequence[str]) -> dict[str, HearingMeta]:
    """Hearing identity → id, SEQUENCE (distinct change moments) and the last change."""
    out: dict[str, HearingMeta] = {}
    for chunk in chunks(identities):
        moments = (
            select(
                HearingChangeRow.hearing_id,
                func.count(func.distinct(HearingChangeRow.seen_at)).label("n"),
                func.max(HearingChangeRow.seen_at).label("last"),
            )
            .group_by(HearingChangeRow.hearing_id)
            .subquery()
        )
        query = (
            select(HearingRow.identity, HearingRow.id, moments.c.n, moments.c.last)
            .outerjoin(moments, moments.c.hearing_id == HearingRow.id)
            .where(HearingRow.identity.in_(chunk))
        )
        for identity, hearing_id, count, last in session.execute(query):
            last_at = (
                last.replace(tzinfo=UTC) if isinstance(last, datetime) and not last.tzinfo else last
            )
            out[identity] = HearingMeta(hearing_id, int(count or 0), last_at)
    return out


@dataclass(frozen=True, slots=True)
class HearingTime:
    id: int
    identity: str
    starts_at: datetime
    """The instant, or the start of the local day when only a date was printed."""
    ahead: bool
    """On the schedule and still ahead at the time asked about."""


def case_hearing_times(session: Session, case: str, now: datetime) -> list[HearingTime]:
    """Every hearing of ``case`` in timeline order (oldest first; ties as ``list_hearings``
    orders them), from a few columns: the dashboard then loads in full only those it shows."""
    matched = select(MatchRow.hearing_id).where(
        MatchRow.case_slug == case, MatchRow.hearing_id.is_not(None)
    )
    query = (
        select(
            HearingRow.id,
            HearingRow.identity,
            HearingRow.scheduled_at,
            HearingRow.local_time,
            HearingRow.timezone,
            HearingRow.status,
            HearingRow.cancelled_at,
        )
        .where(HearingRow.id.in_(matched))
        .order_by(HearingRow.local_time.desc(), HearingRow.id.desc())
    )
    times = [
        HearingTime(
            id=hearing_id,
            identity=identity,
            starts_at=at
            if at is not None
            else datetime.fromisoformat(local[:10]).replace(tzinfo=zone(tz)),
            ahead=cancelled is None and status in ON_SCHEDULE and upcoming(at, local, tz, now),
        )
        for hearing_id, identity, at, local, tz, status, cancelled in session.execute(query)
    ]
    times.sort(key=lambda t: t.starts_at)
    return times


def calendar_version(session: Session) -> tuple[Any, ...]:
    """Changes whenever anything a calendar shows could have: a hearing added, changed
    (every change writes a history row) or matched, a case retitled. One cheap query."""
    return tuple(
        session.execute(
            select(
                select(func.max(HearingRow.id)).scalar_subquery(),
                select(func.max(HearingChangeRow.id)).scalar_subquery(),
                select(func.max(MatchRow.id))
                .where(MatchRow.hearing_id.is_not(None))
                .scalar_subquery(),
                select(func.max(CaseRow.updated_at)).scalar_subquery(),
            )
        ).one()
    )
