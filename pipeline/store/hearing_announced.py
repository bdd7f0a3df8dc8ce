"""Hearings that articles announced, against the court schedule: which days a schedule already
lists, and the announced rows that step aside once it does. Takes a session, never commits."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from sqlalchemy import Row, insert, or_, select, update
from sqlalchemy.orm import Session
from pipeline.items import RawHearing
from pipeline.normalize.hearing import Skipped, normalize_hearing, raw_hash
from pipeline.records import Change, Hearing, ScanWindow
from pipeline.store.hearing_matches import (
    due_reminders,
    matched_cases,
    record,
    save_hearing_matches,
)
from pipeline.store.hearing_plan import (
    TRACKED,
    FieldChange,
    HearingChange,
    Step,
    fingerprint,
    make_plan,
)
from pipeline.store.models import ArticleRow, HearingChangeRow, HearingRow, MatchRow


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
