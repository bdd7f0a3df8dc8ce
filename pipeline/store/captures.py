"""Evidence in the store: captures of matched articles' pages, re-check scheduling, stories.

Each function takes a session and never commits (the caller frames the transaction).
"""

from __future__ import annotations

import hashlib
import uuid
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from pipeline.events.kinds import ARTICLE_NEW
from pipeline.items import ArticlePage, ArticleTarget
from pipeline.match.stories import MAX_CANDIDATES, Signature, band_keys, same_story, signature
from pipeline.store.models import ArticleRow, CaptureRow, EventRow, MatchRow, StoryBandRow

STORY_WINDOW = timedelta(days=30)
"""Only articles first seen this recently are candidates for the same story."""
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
    session: Session, now: datetime, *, every: timedelta, window: timedelta, limit: int
) -> list[ArticleTarget]:
    """Matched articles, not removed, first seen within ``window``, not checked for ``every``
    (never-captured ones first: their evidence is missing)."""
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
        )
        .order_by(ArticleRow.checked_at.is_not(None), ArticleRow.checked_at, ArticleRow.id)
        .limit(limit)
    )
    return [ArticleTarget(i, url, source, "recheck") for i, url, source in rows]


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


# ---------------------------------------------------------------- stories


def store_story(session: Session, article_id: int, text: str, language: str, now: datetime) -> int:
    """Group the article with a recent near-duplicate (``pipeline.match.stories``); its story id."""
    current = session.scalar(select(ArticleRow.story_id).where(ArticleRow.id == article_id))
    sig = signature(text, language)
    if sig is None:
        story = current or article_id
        _set_story(session, article_id, story, None)
        return story
    keys = band_keys(sig)
    session.execute(delete(StoryBandRow).where(StoryBandRow.article_id == article_id))
    found = _same_story_as(session, article_id, sig, keys, now)
    story = found or (current if current and current != article_id else article_id)
    session.execute(insert(StoryBandRow), [{"band": k, "article_id": article_id} for k in keys])
    _set_story(session, article_id, story, sig.to_bytes())
    return story


def _same_story_as(
    session: Session, article_id: int, sig: Signature, keys: Sequence[int], now: datetime
) -> int | None:
    shared = func.count().label("shared")
    best = (
        select(StoryBandRow.article_id, shared)
        .join(ArticleRow, ArticleRow.id == StoryBandRow.article_id)
        .where(
            StoryBandRow.band.in_(keys),
            StoryBandRow.article_id != article_id,
            ArticleRow.first_seen_at >= now - STORY_WINDOW,
        )
        .group_by(StoryBandRow.article_id)
        .order_by(shared.desc(), StoryBandRow.article_id)
        .limit(MAX_CANDIDATES)
        .subquery()
    )
    candidates = session.execute(
        select(ArticleRow.id, ArticleRow.story_id, ArticleRow.story_sig, ArticleRow.language)
        .join(best, best.c.article_id == ArticleRow.id)
        .order_by(ArticleRow.id)
    )
    for other_id, story_id, data, language in candidates:
        if data and same_story(sig, Signature.from_bytes(data, language)):
            return story_id or other_id
    return None


def _set_story(session: Session, article_id: int, story: int, sig: bytes | None) -> None:
    values: dict[str, Any] = {"story_id": story}
    if sig is not None:
        values["story_sig"] = sig
    session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(**values))


def story_first_alert(
    session: Session, story_id: int, case: str, article_id: int
) -> dict[str, Any] | None:
    """The first ``article.new`` for ``case`` about another article of the story, if any."""
    found = session.execute(
        select(EventRow.payload, EventRow.created_at)
        .join(ArticleRow, EventRow.article_id == ArticleRow.id)
        .where(
            EventRow.kind == ARTICLE_NEW.name,
            EventRow.case_slug == case,
            ArticleRow.story_id == story_id,
            ArticleRow.id != article_id,
        )
        .order_by(EventRow.id)
        .limit(1)
    ).first()
    if found is None:
        return None
    payload, created = found
    return story_info(story_id, payload, created.isoformat())


def story_info(story_id: int, payload: dict[str, Any], alerted_at: str) -> dict[str, Any]:
    return {
        "id": story_id,
        "title": payload.get("title", ""),
        "url": payload.get("url", ""),
        "publisher": payload.get("publisher", ""),
        "alerted_at": alerted_at,
    }
