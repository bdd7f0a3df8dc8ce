"""A case's collected material as rows for export: articles (with why they matched),
hearings (with their history) and events. Read-only; rows are JSON-ready dicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.output import iso_instant, to_row
from pipeline.store.models import ArticleRow, MatchRow
from pipeline.store.read.events import list_events
from pipeline.store.read.hearings import list_hearings

KINDS = ("articles", "hearings", "events")


def article_rows(session: Session, case: str) -> list[dict[str, Any]]:
    """The case's articles, oldest first (a report reads forward), with match score and why."""
    when = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)
    query = (
        select(
            ArticleRow.id,
            ArticleRow.published_at,
            ArticleRow.first_seen_at,
            ArticleRow.source_id,
            ArticleRow.language,
            ArticleRow.title,
            ArticleRow.canonical_url,
            ArticleRow.summary,
            MatchRow.score,
            MatchRow.why,
        )
        .join(MatchRow, MatchRow.article_id == ArticleRow.id)
        .where(MatchRow.case_slug == case)
        .order_by(when, ArticleRow.id)
    )
    return [
        {
            "id": row.id,
            "published_at": _iso(row.published_at),
            "first_seen_at": _iso(row.first_seen_at),
            "source": row.source_id,
            "language": row.language,
            "title": row.title,
            "url": row.canonical_url,
            "summary": row.summary,
            "score": row.score,
            "why": [" ".join(map(str, hit)) for hit in row.why or ()],
        }
        for row in session.execute(query)
    ]


def _iso(value: Any) -> Any:
    return iso_instant(value) if isinstance(value, datetime) else value


def hearing_rows(session: Session, case: str) -> list[dict[str, Any]]:
    return [to_row(h) for h in list_hearings(session, case=case, history=True)]


def event_rows(session: Session, case: str) -> list[dict[str, Any]]:
    return [to_row(e) for e in reversed(list_events(session, case=case))]


def export_rows(
    session: Session, case: str, kinds: tuple[str, ...]
) -> dict[str, list[dict[str, Any]]]:
    makers = {"articles": article_rows, "hearings": hearing_rows, "events": event_rows}
    return {kind: makers[kind](session, case) for kind in kinds}
