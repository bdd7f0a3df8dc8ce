"""Evidence in the store: captures of matched articles' pages and their re-check scheduling.

Stories (near-duplicate grouping) live in :mod:`pipeline.store.stories`.

Each function takes a session and never commits (the caller frames the transaction).
"""

from __future__ import annotations

import hashlib
import uuid
import zlib
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from pipeline.items import ArticlePage, ArticleTarget
from pipeline.store.models import ArticleRow, CaptureRow, MatchRow

GOOGLE_NEWS = "https://news.google.com/%"


def add_capture(
    session: Session,
    page: ArticlePage,
    *,
    kind: str,
    title: str,
    text: str,
    now: datetime,
) -> CaptureRow:
    """Keep ``page`` as fetched (compressed) with the text extracted from it."""
    row = CaptureRow(
        article_id=page.target.article_id,
        kind=kind,
        url=page.target.url,
        final_url=page.final_url,
        status=page.status,
        request_headers=[list(p) for p in page.request_headers],
        headers=[list(p) for p in page.headers],
        body=zlib.compress(page.body, 6),
        body_size=len(page.body),
        sha256=hashlib.sha256(page.body).hexdigest(),
        fetched_at=now,
        title=title,
        text=text,
        text_sha256=text_digest(text),
        record_id=f"<urn:uuid:{uuid.uuid4()}>",
    )
    session.add(row)
    session.flush()
    if kind == "first":
        session.execute(
            update(ArticleRow)
            .where(ArticleRow.id == row.article_id)
            .values(raw_body=row.body, raw_sha256=row.sha256)
        )
    return row


def text_digest(text: str) -> str:
    """sha256 of the text with whitespace collapsed (re-flowed markup is not an edit)."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def latest_capture(session: Session, article_id: int) -> CaptureRow | None:
    return session.scalars(
        select(CaptureRow)
        .where(CaptureRow.article_id == article_id)
        .order_by(CaptureRow.id.desc())
        .limit(1)
    ).first()


def mark_checked(
    session: Session, article_id: int, now: datetime, *, removed: bool = False, **values: Any
) -> None:
    if removed:
        values["removed_at"] = now
    session.execute(
        update(ArticleRow).where(ArticleRow.id == article_id).values(checked_at=now, **values)
    )


def matched_cases(session: Session, article_id: int) -> list[str]:
    return sorted(
        session.scalars(select(MatchRow.case_slug).where(MatchRow.article_id == article_id))
    )


def due_rechecks(
    session: Session,
    now: datetime,
    *,
    every: timedelta,
    window: timedelta,
    limit: int,
    skip_sources: Collection[str] = (),
) -> list[ArticleTarget]:
    """Matched articles, not removed, first seen within ``window``, not checked for ``every``
    (never-captured ones first: their evidence is missing), leaving out ``skip_sources`` (those
    configured ``full_text: never``). Each target carries its last capture's ETag and
    Last-Modified, so an unchanged page costs a 304."""
    if limit <= 0:
        return []
    matched = exists().where(MatchRow.article_id == ArticleRow.id)
    rows = session.execute(
        select(ArticleRow.id, ArticleRow.url, ArticleRow.source_id)
        .where(
            matched,
            ArticleRow.removed_at.is_(None),
            ArticleRow.first_seen_at >= now - window,
            or_(ArticleRow.checked_at.is_(None), ArticleRow.checked_at <= now - every),
            ArticleRow.canonical_url.not_like(GOOGLE_NEWS),
            ArticleRow.source_id.not_in(list(skip_sources)),
        )
        .order_by(ArticleRow.checked_at.is_not(None), ArticleRow.checked_at, ArticleRow.id)
        .limit(limit)
    ).all()
    validators = _validators(session, [i for i, _, _ in rows])
    return [
        ArticleTarget(i, url, source, "recheck", *validators.get(i, ("", "")))
        for i, url, source in rows
    ]


def _validators(session: Session, article_ids: list[int]) -> dict[int, tuple[str, str]]:
    """article id → (ETag, Last-Modified) of its latest capture that answered 200."""
    if not article_ids:
        return {}
    latest = (
        select(func.max(CaptureRow.id))
        .where(CaptureRow.article_id.in_(article_ids), CaptureRow.status == 200)
        .group_by(CaptureRow.article_id)
    )
    rows = session.execute(
        select(CaptureRow.article_id, CaptureRow.headers).where(CaptureRow.id.in_(latest))
    )
    found = {}
    for article_id, headers in rows:
        named = {str(k).lower(): str(v) for k, v in headers or ()}
        if "etag" in named or "last-modified" in named:
            found[article_id] = (named.get("etag", ""), named.get("last-modified", ""))
    return found


def case_captures(session: Session, case: str) -> list[tuple[CaptureRow, ArticleRow]]:
    """Every capture of every article matched to ``case``, oldest first."""
    rows = session.execute(
        select(CaptureRow, ArticleRow)
        .join(ArticleRow, CaptureRow.article_id == ArticleRow.id)
        .join(MatchRow, MatchRow.article_id == ArticleRow.id)
        .where(MatchRow.case_slug == case)
        .order_by(CaptureRow.fetched_at, CaptureRow.id)
    )
    return [(c, a) for c, a in rows]
