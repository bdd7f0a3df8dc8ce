"""Hearings that articles announced, against the court schedule: which days a schedule already
lists, and the announced rows that step aside once it does. Takes a session, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from pipeline.store.models import HearingChangeRow, HearingRow, MatchRow


def scheduled_days(
    session: Session, cases: Sequence[str], days: Sequence[str]
) -> set[tuple[str, str]]:
    """(case, local day) pairs that a court schedule (not an article) already lists."""
    if not cases or not days:
        return set()
    rows = session.execute(
        select(MatchRow.case_slug, HearingRow.local_time)
        .join(MatchRow, MatchRow.hearing_id == HearingRow.id)
        .where(
            MatchRow.case_slug.in_(cases),
            HearingRow.article_url.in_(("", None)),
            HearingRow.cancelled_at.is_(None),
            or_(*(HearingRow.local_time.startswith(day) for day in days)),
        )
    )
    return {(case, local[:10]) for case, local in rows}


def supersede_announced(session: Session, cases: Sequence[str], day: str, seen_at: datetime) -> int:
    """The court schedule now lists a hearing that articles announced for that day: the
    announced rows step aside (status ``superseded``: no reminders, not upcoming)."""
    ids = list(
        session.scalars(
            select(HearingRow.id)
            .join(MatchRow, MatchRow.hearing_id == HearingRow.id)
            .where(
                MatchRow.case_slug.in_(cases),
                HearingRow.article_url.not_in(("",)),
                HearingRow.status.in_(("scheduled", "unknown")),
                HearingRow.cancelled_at.is_(None),
                HearingRow.local_time.startswith(day),
            )
        )
    )
    if ids:
        session.execute(
            update(HearingRow).where(HearingRow.id.in_(ids)).values(status="superseded")
        )
        session.execute(
            insert(HearingChangeRow),
            [
                {
                    "hearing_id": i,
                    "field": "status",
                    "old": "scheduled",
                    "new": "superseded",
                    "seen_at": seen_at,
                }
                for i in ids
            ],
        )
    return len(ids)
