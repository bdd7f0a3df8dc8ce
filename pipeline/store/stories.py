"""Stories in the store: an article joins the story of a recent near-duplicate, and a story
remembers its first alert per case. Each function takes a session and never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from pipeline.events.kinds import ARTICLE_NEW
from pipeline.match.stories import MAX_CANDIDATES, Signature, band_keys, same_story, signature
from pipeline.store.models import ArticleRow, EventRow, StoryBandRow

STORY_WINDOW = timedelta(days=30)
"""Only articles first seen this recently are candidates for the same story."""

GOOGLE_NEWS = "https://news.google.com/%"


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
