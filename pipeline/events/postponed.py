"""Pure: the news reports a case's hearing postponed with no new date → ``hearing.cancelled``
with status ``postponed`` ("postponed, no new date yet"), naming the article.

Two shapes. The case has a hearing on or after the article's day: that hearing is marked
postponed and alerted like any hearing change (:func:`postponed_events`). It has none that
casewatch knows of: a monitor still wants to hear that the trial stopped, so one case-level
notice goes out (:func:`case_postponed_events`), deduplicated per case and per the case's latest
hearing — the next outlet repeating the news adds nothing until the case's hearings change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from pipeline.events.hearings import hearing_events
from pipeline.events.kinds import HEARING_CANCELLED
from pipeline.parse.news_hearings import Postponement
from pipeline.records import Article, Event, HearingChange


def postponed_events(
    change: HearingChange,
    case_slugs: Sequence[str],
    case_titles: Mapping[str, str],
    *,
    now: datetime,
    article_id: int,
    article: Article,
    postponement: Postponement,
) -> list[Event]:
    """``hearing_events`` for a hearing the article reports postponed, with the article."""
    report = _report(article, postponement)
    return [
        replace(event, payload={**event.payload, **report}, article_id=article_id)
        for event in hearing_events(change, case_slugs, case_titles, now=now)
    ]


def case_postponed_events(
    postponement: Postponement,
    case_title: str,
    *,
    article_id: int,
    article: Article,
    latest: str,
) -> list[Event]:
    """The case-level notice when no hearing of the case is known on or after the article's
    day (or on the day it names). ``latest``: the identity of the case's latest hearing
    ('' for none), which the dedupe key carries."""
    p = postponement
    day = p.day.isoformat() if p.day else ""
    payload: dict[str, Any] = {
        "hearing_id": None,
        "court": p.court,
        "case_number": p.case_number,
        "scheduled_at": None,
        "local_time": day,
        "timezone": p.timezone,
        "status": "postponed",
        "case_title": case_title,
        "no_hearing": True,
        **_report(article, p),
    }
    after = f"on:{day}" if day else f"after:{latest or '-'}"
    return [
        Event(
            kind=HEARING_CANCELLED.name,
            case=p.case,
            dedupe_key=f"{HEARING_CANCELLED.name}:{p.case}:undated:{after}",
            payload=payload,
            article_id=article_id,
        )
    ]


def _report(article: Article, postponement: Postponement) -> dict[str, Any]:
    """Which article said so, and in which words."""
    return {
        "url": article.canonical_url,
        "article_url": article.canonical_url,
        "reported_title": article.title,
        "reported_sentence": postponement.sentence,
        "published_at": article.published_at.isoformat() if article.published_at else None,
    }
