"""Pure: what happened (a store change, the matches, a source's health) → events to alert on.

Only NEW and CHANGED records make events. Each event has a dedupe key, so the same development
seen again (a re-run, another feed, a restart) can never make a second event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import urlsplit

from pipeline.records import Article, Change, Event, Match

SUMMARY_LIMIT = 600


def article_events(
    change: Change,
    article_id: int,
    article: Article,
    new_matches: Sequence[Match],
    case_titles: Mapping[str, str],
) -> list[Event]:
    """One ``article.new`` per case the article newly matches (an edit can add a case).

    The best match leads: its payload lists the other cases (``also``), and the others name
    it (``alerted_with``), so a channel that gets both sends one message, not one per case.
    """
    if change is Change.SAME or not new_matches:
        return []
    lead, *rest = sorted(new_matches, key=lambda m: -m.score)
    events = [
        Event(
            kind="article.new",
            case=lead.case,
            dedupe_key=f"article.new:{lead.case}:{article.canonical_url}",
            payload={
                **_article_payload(article, lead, case_titles.get(lead.case, lead.case)),
                "also": [
                    {
                        "case": m.case,
                        "case_title": case_titles.get(m.case, m.case),
                        "why": m.reason(),
                    }
                    for m in rest
                ],
            },
            article_id=article_id,
        )
    ]
    events += [
        Event(
            kind="article.new",
            case=m.case,
            dedupe_key=f"article.new:{m.case}:{article.canonical_url}",
            payload={
                **_article_payload(article, m, case_titles.get(m.case, m.case)),
                "alerted_with": lead.case,
            },
            article_id=article_id,
        )
        for m in rest
    ]
    return events


def _article_payload(article: Article, match: Match, case_title: str) -> dict[str, object]:
    summary = article.summary or article.text
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 1].rstrip() + "…"
    return {
        "title": article.title,
        "url": article.canonical_url,
        "source": article.source_id,
        "publisher": article.publisher or _host(article.canonical_url),
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "language": article.language,
        "case_title": case_title,
        "why": match.reason(),
        "score": match.score,
        "summary": summary,
    }


def source_health_events(
    source_id: str,
    *,
    failures_before: int,
    failures_after: int,
    failing_after: int,
    error: str,
    at: datetime,
) -> list[Event]:
    """``source.failing`` once when a source reaches N failures in a row; ``source.recovered`` after."""
    if failures_before < failing_after <= failures_after:
        return [
            Event(
                kind="source.failing",
                case=None,
                dedupe_key=f"source.failing:{source_id}:{at.isoformat()}",
                payload={"source": source_id, "failures": failures_after, "error": error},
            )
        ]
    if failures_before >= failing_after and failures_after == 0:
        return [
            Event(
                kind="source.recovered",
                case=None,
                dedupe_key=f"source.recovered:{source_id}:{at.isoformat()}",
                payload={"source": source_id, "failures": failures_before},
            )
        ]
    return []


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")
