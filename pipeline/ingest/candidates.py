"""Watches in an ingest batch: what no case claimed, matched against the watches → candidates.

Called once per batch, in the batch's transaction, with the new or changed articles and
hearings that no case claimed (``Tally.unclaimed``). Each one a watch matches becomes evidence
for a candidate (``pipeline.store.candidates.place``: grouped by case number, else story, else
the people named); a candidate found now raises one ``candidate.new``. A dismissed, followed or
merged candidate takes its new evidence quietly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pipeline.events.candidates import CandidateFacts, candidate_new_event
from pipeline.ingest.deps import IngestDeps
from pipeline.items import RawHearing
from pipeline.match.watches import Keys, article_keys, hearing_keys
from pipeline.normalize.hearing import hearing_fields
from pipeline.records import Event, HearingChange, Match
from pipeline.store.articles import Upserted
from pipeline.store.candidate_models import CandidateRow
from pipeline.store.candidates import (
    Subject,
    alerting,
    event_key,
    known_subjects,
    place,
    unsent_event,
)
from pipeline.store.stories import store_story

log = logging.getLogger(__name__)

Item = Upserted | HearingChange


def watch_unclaimed(
    session: Session, deps: IngestDeps, items: Sequence[Item], now: datetime
) -> list[Event]:
    """Evidence for candidates from ``items``; the ``candidate.new`` events of those found."""
    watches = deps.watches
    if watches is None or not watches or not items:
        return []
    matched = [(item, m) for item in items for m in _matches(deps, item)]
    if not matched:
        return []
    events: dict[int, Event] = {}
    merged: set[int] = set()
    grown: dict[int, CandidateRow] = {}
    for watch in {m.case for _, m in matched}:
        todo = [(item, m) for item, m in matched if m.case == watch]
        known = known_subjects(session, watch, (_subject(item) for item, _ in todo))
        stories: dict[int, int | None] = {}
        for item, match in todo:
            subject = _subject(item)
            if subject in known:
                continue
            known.add(subject)
            keys = _keys(session, item, stories, now)
            placed = place(session, watch, subject, keys, match, _title(item), now)
            merged.update(placed.merged)
            if placed.created and alerting(placed.candidate):
                events[placed.candidate.id] = _event(deps, placed.candidate, item, match)
            elif alerting(placed.candidate):
                grown[placed.candidate.id] = placed.candidate
    for cid, row in grown.items():
        _update_unsent(session, deps, row, events.get(cid))
    log.debug("watches: %d item(s) matched, %d candidate(s) new", len(matched), len(events))
    return [e for cid, e in events.items() if cid not in merged]


def _update_unsent(
    session: Session, deps: IngestDeps, row: CandidateRow, event: Event | None
) -> None:
    """A candidate that grew: its ``candidate.new`` not sent yet (made in this batch, or
    waiting for its digest) says what is known now (court, case number, people)."""
    if event is not None:
        event.payload.update(_facts_payload(deps, row, event.payload))
        return
    stored = unsent_event(session, row.id)
    if stored is not None:
        stored.payload = {**stored.payload, **_facts_payload(deps, row, stored.payload)}


def _facts_payload(deps: IngestDeps, row: CandidateRow, payload: dict[str, Any]) -> dict[str, Any]:
    facts = _facts(deps, row, str(payload.get("url") or ""), str(payload.get("why") or ""))
    return candidate_new_event(facts, event_key(row.id)).payload


def _matches(deps: IngestDeps, item: Item) -> list[Match]:
    assert deps.watches is not None
    if isinstance(item, HearingChange):
        return deps.watches.hearing(hearing_fields(item.hearing))
    article = item.article
    fields = {"title": article.title, "summary": article.summary, "text": article.text}
    return deps.watches.article(fields, article.language)


def _subject(item: Item) -> Subject:
    if isinstance(item, HearingChange):
        return Subject(hearing_id=item.hearing_id)
    return Subject(article_id=item.article_id)


def _keys(session: Session, item: Item, stories: dict[int, int | None], now: datetime) -> Keys:
    """What groups the item; an article is grouped into its story first (another outlet's
    copy of it joins the same candidate)."""
    if isinstance(item, HearingChange):
        return hearing_keys(item.hearing)
    article = item.article
    if item.article_id not in stories:
        text = f"{article.summary}\n{article.text}"
        stories[item.article_id] = store_story(
            session, item.article_id, text, article.language, now
        )
    fields = {"title": article.title, "summary": article.summary, "text": article.text}
    return article_keys(fields, stories[item.article_id])


def _title(item: Item) -> str:
    if isinstance(item, HearingChange):
        hearing = item.hearing
        parts = [hearing.court, hearing.parties or hearing.case_number]
        return ": ".join(p.strip() for p in parts if p and p.strip())
    return item.article.title or item.article.canonical_url


def _url(item: Item) -> str:
    if isinstance(item, HearingChange):
        return item.hearing.source_url
    return item.article.canonical_url


def _event(deps: IngestDeps, row: CandidateRow, item: Item, match: Match) -> Event:
    return candidate_new_event(_facts(deps, row, _url(item), match.reason()), event_key(row.id))


def _facts(deps: IngestDeps, row: CandidateRow, url: str, why: str) -> CandidateFacts:
    watch = deps.watches.watch(row.watch) if deps.watches else None
    return CandidateFacts(
        id=row.id,
        watch=row.watch,
        watch_title=watch.title if watch else row.watch,
        title=row.title,
        url=url,
        why=why,
        courts=tuple(row.courts),
        case_numbers=tuple(row.case_numbers),
        people=tuple(p[1] for p in row.people),
        code_articles=tuple(row.code_articles),
        seen_at=row.first_seen_at,
    )


def kept_rows(deps: IngestDeps, source_id: str, raws: Sequence[RawHearing]) -> Sequence[RawHearing]:
    """The schedule rows to store: all of them, or (``keep_rows: matched``) those a case or a
    watch matches as printed — court, case number, parties, category, judge."""
    source = deps.config.source(source_id)
    if source is None or source.keep_rows != "matched" or not raws:
        return raws
    return [raw for raw in raws if _wanted(deps, raw)]


def _wanted(deps: IngestDeps, raw: RawHearing) -> bool:
    fields = {
        "case_number": raw.case_number,
        "parties": raw.parties,
        "court": raw.court,
        "category": raw.category,
        "judge": raw.judge,
    }
    return bool(deps.matcher.match(fields) or (deps.watches and deps.watches.hearing(fields)))
