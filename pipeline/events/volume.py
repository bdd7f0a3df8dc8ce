"""Pure: a fetch that would alert on more articles than a source may send in one run.

A hostile or broken feed (20,000 matching items) must not flood a channel: past
``max_alerts_per_source_run`` article events of one fetch, the rest are recorded without
deliveries (``folded`` in their payload) and each case gets one ``articles.folded`` event
that counts them and lists the first few. Hearing events are never folded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from pipeline.events.kinds import ARTICLES_FOLDED
from pipeline.records import Event

LISTED = 20
"""Folded articles named in the alert (``casewatch events`` lists them all)."""


def fold_flood(events: Sequence[Event], source_id: str, cap: int) -> list[Event]:
    """``events`` with article events past ``cap`` folded (see the module); as is when the
    fetch is under the cap or ``cap`` is 0."""
    articles = [e for e in events if e.kind.startswith("article.")]
    if not cap or len(articles) <= cap:
        return list(events)
    over = {id(e) for e in articles[cap:]}
    kept, folded = [], defaultdict(list)
    for event in events:
        if id(event) in over:
            folded[event.case].append(event)
            kept.append(replace(event, payload={**event.payload, "folded": True}))
        else:
            kept.append(event)
    return kept + [_summary(source_id, case, group, cap) for case, group in folded.items()]


def _summary(source_id: str, case: str | None, group: Sequence[Event], cap: int) -> Event:
    first = group[0]
    return Event(
        kind=ARTICLES_FOLDED.name,
        case=case,
        dedupe_key=f"folded:{source_id}:{case or '-'}:{first.dedupe_key}",
        payload={
            "title": f"{len(group)} more articles from {source_id}",
            "source": source_id,
            "count": len(group),
            "cap": cap,
            "case_title": first.payload.get("case_title") or case or "",
            "items": [
                {"title": e.payload.get("title", ""), "url": e.payload.get("url", "")}
                for e in group[:LISTED]
            ],
        },
    )
