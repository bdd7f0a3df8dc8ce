"""Evidence captures of an article, as the article page and the API list them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.store.models import CaptureRow

CAPTURE_COLUMNS = (
    "fetched_at",
    "kind",
    "status",
    "final_url",
    "sha256",
    "body_size",
    "record_id",
)
"""What a reader needs to cite a capture; the bytes themselves go out by export-evidence."""


def captures_for(session: Session, article_id: int) -> list[dict[str, Any]]:
    """The article's captures, oldest first, as column → value (no raw bytes or text)."""
    columns = [getattr(CaptureRow, name) for name in CAPTURE_COLUMNS]
    query = (
        select(*columns)
        .where(CaptureRow.article_id == article_id)
        .order_by(CaptureRow.fetched_at, CaptureRow.id)
    )
    return [dict(row._mapping) for row in session.execute(query)]
