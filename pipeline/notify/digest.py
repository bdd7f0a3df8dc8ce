"""A digest: many events in one message, grouped by case, then by kind — pure.

Templates ``digest.<language>.j2`` get ``groups`` (one per case, in first-seen order; events
without a case last), each with ``kinds`` (hearing changes first, then articles, then the
rest), each with ``entries``: the same per-event context the single-event templates see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.notify.render import EventLike, Message, event_context, render_template

KIND_ORDER = (
    "hearing.cancelled",
    "hearing.rescheduled",
    "hearing.scheduled",
    "hearing.reminder",
    "article.new",
)


def render_digest(
    events: Sequence[tuple[EventLike, str | None]],
    *,
    language: str = "en",
    route: str = "",
    period: str = "",
) -> Message:
    """One message for ``events`` (each with the time zone its times are shown in)."""
    lang = (language or "en").split("-")[0].lower()
    context = {
        "groups": group_events(events),
        "count": len(events),
        "route": route,
        "period": period,
    }
    return render_template([f"digest.{lang}.j2", "digest.en.j2"], context)


def group_events(events: Sequence[tuple[EventLike, str | None]]) -> list[dict[str, Any]]:
    """Case → kind → items, cases in first-seen order (no case last), kinds by KIND_ORDER."""
    cases: dict[str, dict[str, Any]] = {}
    for event, zone in events:
        item = event_context(event, zone)
        key = event.case_slug or ""
        group = cases.setdefault(
            key, {"case_slug": key, "case_title": item["case_title"] or key, "kinds": {}}
        )
        group["kinds"].setdefault(event.kind, []).append(item)
    ordered = sorted(cases.values(), key=lambda g: g["case_slug"] == "")
    return [
        {
            "case_slug": g["case_slug"],
            "case_title": g["case_title"],
            "kinds": [
                {"kind": kind, "entries": items}
                for kind, items in sorted(g["kinds"].items(), key=lambda kv: _kind_rank(kv[0]))
            ],
        }
        for g in ordered
    ]


def _kind_rank(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind)
