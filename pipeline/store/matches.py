"""Cases (synced from config) and the matches recorded against them.

Each function takes a session and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from pipeline.config.cases import Case
from pipeline.records import Match
from pipeline.store.chunks import chunks
from pipeline.store.models import CaseRow, MatchRow


def sync_cases(session: Session, cases: Iterable[Case], now: datetime) -> None:
    known = {row.slug: row for row in session.scalars(select(CaseRow))}
    for case in cases:
        definition = case.model_dump(mode="json")
        row = known.get(case.slug)
        if row is None:
            session.add(
                CaseRow(slug=case.slug, title=case.title, definition=definition, updated_at=now)
            )
        elif row.definition != definition or row.title != case.title:
            row.title, row.definition, row.updated_at = case.title, definition, now


def save_matches(
    session: Session,
    article_id: int,
    matches: Sequence[Match],
    now: datetime,
    *,
    check_existing: bool = True,
) -> list[Match]:
    """Record matches not recorded before for this article; return only the new ones.

    A just-inserted article has no matches yet, so the caller may skip the look-up.
    """
    return record_matches(session, MatchRow.article_id, article_id, matches, now, check_existing)


ArticleMatches = tuple[int, Sequence[Match], bool]
"""(article id, its matches, whether matches may be stored for it already)."""


def save_article_matches(
    session: Session, batch: Sequence[ArticleMatches], now: datetime
) -> list[list[Match]]:
    """:func:`save_matches` for many articles: one look-up for those that may have matches
    stored, one insert for all; per article, the matches that are new."""
    check = [article_id for article_id, _, checked in batch if checked]
    known: set[tuple[int, str]] = set()
    for chunk in chunks(check):
        query = select(MatchRow.article_id, MatchRow.case_slug).where(
            MatchRow.article_id.in_(chunk)
        )
        known.update((a, c) for a, c in session.execute(query) if a is not None)
    new = [[m for m in matches if (a, m.case) not in known] for a, matches, _ in batch]
    rows = [
        _row(MatchRow.article_id, article_id, m, now)
        for (article_id, _, _), fresh in zip(batch, new, strict=True)
        for m in fresh
    ]
    if rows:
        session.execute(insert(MatchRow.__table__), rows)
    return new


def reread_article_matches(session: Session, article_id: int, matches: Sequence[Match]) -> None:
    """Why and how well the article matches, as ``matches`` (read from another copy of it)
    say, for the cases recorded already; the others stay as recorded."""
    for match in matches:
        session.execute(
            update(MatchRow)
            .where(MatchRow.article_id == article_id, MatchRow.case_slug == match.case)
            .values(score=match.score, why=_why(match)),
            execution_options={"synchronize_session": False},
        )


def _row(subject: Any, subject_id: int, match: Match, now: datetime) -> dict[str, Any]:
    return {
        subject.key: subject_id,
        "case_slug": match.case,
        "score": match.score,
        "why": _why(match),
        "created_at": now,
    }


def _why(match: Match) -> list[list[str]]:
    return [[h.kind, h.term, h.field, h.found] for h in match.why]


def record_matches(
    session: Session,
    subject: Any,
    subject_id: int,
    matches: Sequence[Match],
    now: datetime,
    check_existing: bool,
) -> list[Match]:
    """Matches of one record (``subject``: ``MatchRow.article_id`` or ``.hearing_id``)."""
    if not matches:
        return []
    known = (
        set(session.scalars(select(MatchRow.case_slug).where(subject == subject_id)))
        if check_existing
        else set()
    )
    new = [m for m in matches if m.case not in known]
    if new:
        session.execute(
            insert(MatchRow.__table__), [_row(subject, subject_id, m, now) for m in new]
        )
    return new
