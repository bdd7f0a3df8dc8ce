"""Pure: an article's change and the cases it newly matches → the events to alert on.

Only NEW and CHANGED articles make events. Each event has a dedupe key, so the same article
seen again (a re-run, another feed, a restart) can never make a second event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from pipeline.events.kinds import ARTICLE_CHANGED, ARTICLE_NEW, ARTICLE_REMOVED
from pipeline.records import Article, Change, Event, Match

SUMMARY_LIMIT = 600


def article_events(
    change: Change,
    article_id: int,
    article: Article,
    new_matches: Sequence[Match],
    case_titles: Mapping[str, str],
    stories: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Event]:
    """One ``article.new`` per case the article newly matches (an edit can add a case).

    The best match leads: its payload lists the other cases (``also``), and the others name
    it (``alerted_with``), so a channel that gets both sends one message, not one per case.
    ``stories``: case → the story's first alert (``store.stories.story_info``) for cases
    whose story was alerted already from another outlet; those events carry it as ``story``
    with ``story_repeat`` (routes with ``per: story`` skip them).
    """
    if change is Change.SAME or not new_matches:
        return []
    events = _article_new_events(article_id, article, new_matches, case_titles)
    return [_with_story(e, (stories or {}).get(e.case or "")) for e in events]


def _with_story(event: Event, story: Mapping[str, Any] | None) -> Event:
    if not story:
        return event
    return replace(event, payload={**event.payload, "story": dict(story), "story_repeat": True})


def _article_new_events(
    article_id: int, article: Article, new_matches: Sequence[Match], case_titles: Mapping[str, str]
) -> list[Event]:
    lead, *rest = sorted(new_matches, key=lambda m: -m.score)
    events = [
        Event(
            kind=ARTICLE_NEW.name,
            case=lead.case,
            dedupe_key=_new_key(lead.case, article),
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
            kind=ARTICLE_NEW.name,
            case=m.case,
            dedupe_key=_new_key(m.case, article),
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
    return {
        **_article_fields(article),
        "case_title": case_title,
        "why": match.reason(),
        "score": match.score,
    }


def _article_fields(article: Article) -> dict[str, object]:
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
        "summary": summary,
    }


def moved_alert(
    case: str | None, payload: Mapping[str, Any], article: Article, matches: Mapping[str, Match]
) -> tuple[dict[str, Any], str]:
    """An unsent ``article.new`` moved onto the publisher's own copy of its article, which
    was stored first under an aggregator link: (its payload, its dedupe key) as that copy
    would have made them — its title, link, source, publisher, date, language and summary,
    and why it matches (``matches``: case → the copy's match) where it does. The case, the
    other cases it was sent with (``also``, ``alerted_with``) and its story stay."""
    moved: dict[str, Any] = {**payload, **_article_fields(article)}
    match = matches.get(case or "")
    if match is not None:
        moved.update(why=match.reason(), score=match.score)
    if "also" in payload:
        moved["also"] = [
            {**a, "why": matches[a["case"]].reason()} if a.get("case") in matches else a
            for a in payload["also"]
        ]
    return moved, _new_key(case, article)


def _new_key(case: str | None, article: Article) -> str:
    return f"{ARTICLE_NEW.name}:{case}:{article.canonical_url}"


def article_changed_events(
    article_id: int,
    cases: Sequence[str],
    case_titles: Mapping[str, str],
    facts: Mapping[str, Any],
    key: str,
) -> list[Event]:
    """``article.changed`` (facts: ``diff``, old/new title) for each case the article matches;
    ``key`` (the new text's digest) tells this change from the next."""
    return _check_events(ARTICLE_CHANGED.name, article_id, cases, case_titles, facts, key)


def article_removed_events(
    article_id: int,
    cases: Sequence[str],
    case_titles: Mapping[str, str],
    facts: Mapping[str, Any],
    key: str,
) -> list[Event]:
    """``article.removed`` (facts: ``reason``, ``status``) for each case the article matches;
    ``key`` (the last capture's digest) tells this removal from the next."""
    return _check_events(ARTICLE_REMOVED.name, article_id, cases, case_titles, facts, key)


def _check_events(
    kind: str,
    article_id: int,
    cases: Sequence[str],
    case_titles: Mapping[str, str],
    facts: Mapping[str, Any],
    key: str,
) -> list[Event]:
    """One event per case; the first case leads, the others name it (``alerted_with``)."""
    if not cases:
        return []
    lead, *_ = sorted(cases)
    return [
        Event(
            kind=kind,
            case=case,
            dedupe_key=f"{kind}:{case}:{facts.get('url', '')}:{key}",
            payload={
                **facts,
                "case_title": case_titles.get(case, case),
                **({"alerted_with": lead} if case != lead else {}),
            },
            article_id=article_id,
        )
        for case in sorted(cases)
    ]


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")
