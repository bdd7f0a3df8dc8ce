"""Hearings × cases and reminders: matches of a hearing, the cases it is matched to, and the
hearings due a reminder. Each function takes a session and never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from pipeline.events.hearings import reminder_key
from pipeline.normalize.dates import zone
from pipeline.normalize.hearing_time import upcoming
from pipeline.records import Hearing, Match
from pipeline.store.chunks import chunks
from pipeline.store.matches import record_matches
from pipeline.store.models import EventRow, HearingRow, MatchRow


def record(row: HearingRow) -> Hearing:
    """The Hearing record of a stored row."""
    return Hearing(
        source_id=row.source_id,
        court=row.court,
        case_number=row.case_number,
        case_key=row.case_key,
        scheduled_at=row.scheduled_at,
        local_time=row.local_time,
        timezone=row.timezone,
        courtroom=row.courtroom,
        judge=row.judge,
        parties=row.parties,
        category=row.category,
        stage=row.stage,
        status=row.status,
        source_url=row.source_url,
        article_url=row.article_url,
        identity=row.identity,
        cells=dict(row.cells or {}),
    )


def save_hearing_matches(
    session: Session,
    hearing_id: int,
    matches: Sequence[Match],
    now: datetime,
    check_existing: bool = True,
) -> list[Match]:
    """Record matches not recorded before for this hearing; return only the new ones."""
    return record_matches(session, MatchRow.hearing_id, hearing_id, matches, now, check_existing)


def matched_cases(session: Session, hearing_ids: Sequence[int]) -> dict[int, list[str]]:
    """Case slugs each hearing is matched to (for events about a CHANGED hearing)."""
    out: dict[int, list[str]] = {}
    for chunk in chunks(hearing_ids):
        query = select(MatchRow.hearing_id, MatchRow.case_slug).where(
            MatchRow.hearing_id.in_(chunk)
        )
        for hearing_id, slug in session.execute(query.order_by(MatchRow.case_slug)):
            if hearing_id is not None:
                out.setdefault(hearing_id, []).append(slug)
    return out


def due_reminders(
    session: Session, now: datetime, lead: timedelta
) -> list[tuple[int, Hearing, str]]:
    """(hearing id, hearing, case) for matched, not cancelled hearings starting within
    (now, now + lead] that have no reminder event yet. A hearing with a date but no time
    starts at the beginning of its local day."""
    soon = now + lead
    day_from, day_to = (now - timedelta(days=1)).date(), (soon + timedelta(days=1)).date()
    query = (
        select(HearingRow, MatchRow.case_slug)
        .join(MatchRow, MatchRow.hearing_id == HearingRow.id)
        .where(
            HearingRow.cancelled_at.is_(None),
            HearingRow.status.in_(("scheduled", "unknown")),
            or_(
                and_(HearingRow.scheduled_at > now, HearingRow.scheduled_at <= soon),
                and_(
                    HearingRow.scheduled_at.is_(None),
                    HearingRow.local_time >= day_from.isoformat(),
                    HearingRow.local_time <= day_to.isoformat(),
                ),
            ),
        )
        .order_by(HearingRow.scheduled_at, HearingRow.id, MatchRow.case_slug)
    )
    due = [
        (row.id, record(row), case)
        for row, case in session.execute(query)
        if row.scheduled_at is not None or _day_starts_within(row, now, soon)
    ]
    keys = [reminder_key(case, hearing) for _, hearing, case in due]
    sent: set[str] = set()
    for chunk in chunks(keys):
        sent.update(
            session.scalars(select(EventRow.dedupe_key).where(EventRow.dedupe_key.in_(chunk)))
        )
    return [item for item, key in zip(due, keys, strict=True) if key not in sent]


def _day_starts_within(row: HearingRow, now: datetime, soon: datetime) -> bool:
    start = datetime.fromisoformat(row.local_time[:10]).replace(tzinfo=zone(row.timezone))
    return now < start <= soon and upcoming(None, row.local_time, row.timezone, now)
