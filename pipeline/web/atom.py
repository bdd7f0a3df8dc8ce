"""A case's developments (new hearings, changes, articles) as an Atom 1.0 feed.

Rendered from a Jinja2 template with autoescaping on; characters XML 1.0 forbids (scraped
text may carry them) are dropped first, so the feed always parses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from pipeline.events.kinds import kind_of
from pipeline.store.read.events import EventListing
from pipeline.web.security import http_url

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True, slots=True)
class AtomEntry:
    id: str
    title: str
    updated: datetime
    link: str | None
    summary: str
    category: str


def xml_text(value: Any) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def tag_uri(domain: str, what: str) -> str:
    """RFC 4151 ``tag:`` id; stable because it names the row, not the URL it is served at."""
    return f"tag:{domain},2024:casewatch/{what}"


def entry_of(event: EventListing, domain: str) -> AtomEntry:
    payload = event.payload
    return AtomEntry(
        id=tag_uri(domain, f"event/{event.id}"),
        title=entry_title(event.kind, payload),
        updated=event.created_at,
        link=http_url(event.url),
        summary=_summary(event.kind, payload),
        category=event.kind,
    )


def entry_title(kind: str, payload: dict[str, Any]) -> str:
    """The kind's ``atom_title`` filled in from the payload; the kind itself without one."""
    known = kind_of(kind)
    if known is None or not known.atom_title:
        return kind
    when = payload.get("local_time") or "date unknown"
    postponed = payload.get("status") == "postponed"
    return known.atom_title.format(
        title=payload.get("title") or payload.get("url") or "",
        when=when,
        court=payload.get("court") or "",
        old=_local_time(payload.get("old")) or "?",
        new=_local_time(payload.get("new")) or when,
        off="postponed, no new date yet" if postponed else "cancelled",
    )


def _local_time(side: Any) -> Any:
    """The ``local_time`` of one side of a move (``old``/``new``), if it has one."""
    return side.get("local_time") if isinstance(side, dict) else None


def _summary(kind: str, payload: dict[str, Any]) -> str:
    known = kind_of(kind)
    if known is not None and known.atom_summary == "article":
        parts = [
            payload.get("summary"),
            f"Why: {payload.get('why')}" if payload.get("why") else None,
        ]
    else:
        parts = [
            f"Case number: {payload.get('case_number')}" if payload.get("case_number") else None,
            f"Courtroom: {payload.get('courtroom')}" if payload.get("courtroom") else None,
            f"Judge: {payload.get('judge')}" if payload.get("judge") else None,
            f"Status: {payload.get('status')}" if payload.get("status") else None,
        ]
    return "\n".join(str(p) for p in parts if p)


def render_atom(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    page_url: str,
    entries: Sequence[AtomEntry],
    now: datetime,
) -> str:
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True)
    env.filters["x"] = xml_text
    env.filters["rfc3339"] = lambda moment: moment.isoformat(timespec="seconds")
    updated = max((e.updated for e in entries), default=now)
    return env.get_template("feed.atom.j2").render(
        feed_id=feed_id,
        title=title,
        self_url=self_url,
        page_url=page_url,
        entries=entries,
        updated=updated,
    )
