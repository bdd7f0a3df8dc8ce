"""Events as ``casewatch events``, the API and the Atom feeds list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.store.models import ArticleRow, EventRow
from pipeline.store.read.common import limited


@dataclass(frozen=True, slots=True)
class EventListing:
    id: int
    kind: str
    case: str | None
    url: str | None
    """The article's canonical URL, else the ``url`` the payload carries (a hearing's source)."""
    created_at: datetime
    payload: dict[str, Any]


def list_events(
    session: Session,
    *,
    case: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[EventListing]:
    """Newest first."""
    query = (
        select(EventRow, ArticleRow.canonical_url)
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
        for event, article_url in session.execute(limited(query, limit))
    ]


def _payload_url(payload: dict[str, Any]) -> str | None:
    for key in ("url", "source_url"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None
