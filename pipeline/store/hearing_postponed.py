"""A case's hearing the news reports postponed with no new date: which hearing that is, and
marking it postponed. Takes a session, never commits.

The hearing keeps its date, its fingerprint and its source: the status is the news', the rest
is still what its schedule printed. A re-scan printing it as before is therefore no change (a
court page is often days behind the news); the court's own change — a new time, a new date,
a status of its own — is, and brings the status the court prints with it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from pipeline.records import Change, FieldChange, HearingChange
from pipeline.store.hearing_matches import record
from pipeline.store.models import HearingChangeRow, HearingRow, MatchRow

POSTPONED = "postponed"
_IN_PLAY = ("scheduled", "unknown", POSTPONED)
"""A hearing still to happen as far as anyone said: on the schedule, or already postponed."""


def next_hearing(
    session: Session, case: str, *, since: date, day: date | None = None
) -> HearingRow | None:
    """The case's first hearing on ``day`` when given, else on or after ``since`` (local
    dates), that is on the schedule or postponed. A hearing that left the schedule, was held,
    or that the court's listing superseded does not count."""
    query = _of_case(case).where(HearingRow.cancelled_at.is_(None), HearingRow.status.in_(_IN_PLAY))
    if day is not None:
        query = query.where(HearingRow.local_time.startswith(day.isoformat()))
    else:
        query = query.where(HearingRow.local_time >= since.isoformat())
    return session.scalars(query.order_by(HearingRow.local_time, HearingRow.id).limit(1)).first()


def latest_hearing(session: Session, case: str) -> HearingRow | None:
    """The case's hearing with the latest date, whatever became of it (superseded aside)."""
    query = _of_case(case).where(HearingRow.status != "superseded")
    order = (HearingRow.local_time.desc(), HearingRow.id.desc())
    return session.scalars(query.order_by(*order).limit(1)).first()


def last_postponed_at(session: Session, case: str) -> datetime | None:
    """When a hearing of the case last turned ``postponed`` (the news or its court said so)."""
    query = (
        select(func.max(HearingChangeRow.seen_at))
        .join(MatchRow, MatchRow.hearing_id == HearingChangeRow.hearing_id)
        .where(
            MatchRow.case_slug == case,
            HearingChangeRow.field == "status",
            HearingChangeRow.new == POSTPONED,
        )
    )
    return session.scalar(query)


def postpone(session: Session, row: HearingRow, seen_at: datetime) -> HearingChange:
    """Status ``postponed``, with its line of history; the change, for the alert."""
    old = row.status
    session.execute(update(HearingRow).where(HearingRow.id == row.id).values(status=POSTPONED))
    session.execute(
        insert(HearingChangeRow).values(
            hearing_id=row.id, field="status", old=old, new=POSTPONED, seen_at=seen_at
        )
    )
    hearing = replace(record(row), status=POSTPONED)
    return HearingChange(Change.CHANGED, row.id, hearing, (FieldChange("status", old, POSTPONED),))


def _of_case(case: str) -> Select[tuple[HearingRow]]:
    joined = select(HearingRow).join(MatchRow, MatchRow.hearing_id == HearingRow.id)
    return joined.where(MatchRow.case_slug == case)
