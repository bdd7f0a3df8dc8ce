"""Pure: a new candidate → its ``candidate.new`` event.

A candidate has no case (it is what no case claims): the event reaches the routes for every
case (``cases: ["*"]``) that pick ``candidate.*``; the shipped route sends them in a daily
digest. The payload carries what a monitor decides on — courts, case numbers, people,
articles of the code, the first item and why the watch matched it — and the command to
follow it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pipeline.events.kinds import CANDIDATE_NEW
from pipeline.records import Event


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """What the event says of a candidate when it is found."""

    id: int
    watch: str
    watch_title: str
    title: str
    url: str
    why: str
    courts: Sequence[str] = ()
    case_numbers: Sequence[str] = ()
    people: Sequence[str] = ()
    code_articles: Sequence[str] = ()
    seen_at: datetime | None = None


def headline(facts: CandidateFacts) -> str:
    """One line: the case number, the court, the people, the articles — what is known."""
    parts = [
        ", ".join(facts.case_numbers),
        ", ".join(facts.courts),
        ", ".join(facts.people[:4]),
        ", ".join(f"Art. {a}" for a in facts.code_articles),
    ]
    known = " · ".join(p for p in parts if p)
    return f"#{facts.id} {known or facts.title}"


def candidate_new_event(facts: CandidateFacts, key: str) -> Event:
    """``candidate.new`` for a candidate found now (``key``: its dedupe key)."""
    return Event(
        kind=CANDIDATE_NEW.name,
        case=None,
        dedupe_key=key,
        payload={
            "candidate": facts.id,
            "watch": facts.watch,
            "case_title": f"{facts.watch_title} (watch {facts.watch})",
            "title": headline(facts),
            "first_item": facts.title,
            "url": facts.url,
            "why": facts.why,
            "courts": list(facts.courts),
            "case_numbers": list(facts.case_numbers),
            "people": list(facts.people),
            "code_articles": list(facts.code_articles),
            "first_seen_at": facts.seen_at.isoformat() if facts.seen_at else None,
            "follow": f"casewatch follow {facts.id} --slug SLUG",
        },
    )
