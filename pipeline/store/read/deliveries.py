"""The delivery log the web shows: newest first, with each delivery's event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.store.models import DeliveryRow, EventRow


@dataclass(frozen=True, slots=True)
class DeliveryListing:
    id: int
    event_id: int
    kind: str
    case: str | None
    channel: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime
    last_error: str | None


def list_deliveries(session: Session, *, limit: int = 200) -> list[DeliveryListing]:
    """Newest first, with the event each delivery carries."""
    query = (
        select(DeliveryRow, EventRow.kind, EventRow.case_slug)
        .join(EventRow, EventRow.id == DeliveryRow.event_id)
        .order_by(DeliveryRow.created_at.desc(), DeliveryRow.id.desc())
        .limit(limit)
    )
    return [
        DeliveryListing(
            id=d.id,
            event_id=d.event_id,
            kind=kind,
            case=case,
            channel=d.channel,
            status=d.status,
            attempts=d.attempts,
            created_at=d.created_at,
            sent_at=d.sent_at,
            next_attempt_at=d.next_attempt_at,
            last_error=d.last_error,
        )
        for d, kind, case in session.execute(query)
    ]
