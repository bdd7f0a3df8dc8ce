"""A digest: many events in one message, grouped by case, then by kind — pure.

Templates ``digest.<language>.j2`` get ``groups`` (one per case, in first-seen order; events
without a case last), each with ``kinds`` (in the registry's order, ``events.kinds.KINDS``),
each with its ``title`` in the language and ``entries``: the same per-event context the
single-event templates see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.events.kinds import digest_rank, kind_of
from pipeline.notify.render import EventLike, Message, event_context, render_template


def render_digest(
    events: Sequence[tuple[EventLike, str | None]],
    *,
    language: str = "en",
    route: str = "",
    period: str = "",
    listed: int | None = None,
) -> Message:
    """One message for ``events`` (each with the time zone its times are shown in); with
    ``listed``, only the first that many are listed (the count says how many there are)."""
    lang = (language or "en").split("-")[0].lower()
    context = {
        "groups": group_events(events[:listed] if listed else events, language=lang),
        "count": len(events),
        "route": route,
        "period": period,
    }
    return render_template([f"digest.{lang}.j2", "digest.en.j2"], context)


def group_events(
    events: Sequence[tuple[EventLike, str | None]], *, language: str = "en"
) -> list[dict[str, Any]]:
    """Case → kind → items, cases in first-seen order (no case last), kinds in digest order.
    Events without a case group by the watch that found them (``candidate.new``), if any."""
    cases: dict[str, dict[str, Any]] = {}
    for event, zone in events:
        item = event_context(event, zone)
        slug = event.case_slug or ""
        key = slug or f"watch:{(event.payload or {}).get('watch') or ''}"
        group = cases.setdefault(
            key, {"case_slug": slug, "case_title": item["case_title"] or slug, "kinds": {}}
        )
        group["kinds"].setdefault(event.kind, []).append(item)
    ordered = sorted(cases.values(), key=lambda g: g["case_slug"] == "")
    return [
        {
            "case_slug": g["case_slug"],
            "case_title": g["case_title"],
            "kinds": [
                {"kind": kind, "title": _title(kind, language), "entries": items}
                for kind, items in sorted(g["kinds"].items(), key=lambda kv: digest_rank(kv[0]))
            ],
        }
        for g in ordered
    ]


def _title(kind: str, language: str) -> str:
    known = kind_of(kind)
    return known.title(language) if known else kind
