"""Turn an event into a message (subject, plain text, HTML, markdown) — pure.

Templates live in ``templates/`` as one file per event kind and language, named by the kind's
registry entry (``events.kinds``): ``<kind>.<language>.j2`` (``article.new.ru.j2``), with four
blocks: ``subject``, ``text``, ``markdown`` and ``html``. The ``html`` block is always rendered
by an environment with autoescape on (scraped text is untrusted); the other blocks by one
without it, where the ``md`` filter escapes Markdown. ``generic.<language>.j2`` shows the
payload's usual fields and any other scalar ones, for a kind whose entry names it and for
an unregistered kind. Lookup order: kind in the language, kind in English, generic in the
language, generic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.events.kinds import kind_of

if TYPE_CHECKING:
    from jinja2 import Environment, Template

TEMPLATES = Path(__file__).resolve().parent / "templates"
SUBJECT_LIMIT = 200
SUMMARY_LIMIT = 600
EXTRA_LIMIT = 300
SHOWN_FIELDS = frozenset(
    {
        "title",
        "url",
        "source",
        "publisher",
        "published_at",
        "language",
        "case_title",
        "why",
        "summary",
    }
)
PARTIES_LIMIT = 500
_HEARING_TEXT = (
    "court",
    "case_number",
    "local_time",
    "timezone",
    "courtroom",
    "judge",
    "parties",
    "category",
    "stage",
    "status",
    "source_url",
    "article_url",
)
_OFF_STATUSES = ("cancelled", "postponed", "removed")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body_text: str
    body_html: str
    body_markdown: str
    ref: str = ""
    """Which delivery this is (``casewatch.<delivery>.<event>``), in the email Message-ID."""
    origin: str = ""
    """The installation's random id (``store.outbox.installation_id``): with ``ref`` it makes
    the Message-ID, so two databases never send the same one."""


class EventLike(Protocol):
    """What render needs from an event: an ``EventRow`` or an :class:`EventView`."""

    @property
    def kind(self) -> str: ...

    @property
    def case_slug(self) -> str | None: ...

    @property
    def payload(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class EventView:
    """A detached copy of an event, safe to use outside its session."""

    kind: str
    case_slug: str | None
    payload: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, event: EventLike) -> EventView:
        return cls(event.kind, event.case_slug, dict(event.payload or {}))


def render(
    event: EventLike, *, language: str = "en", timezone: str | None = None, route: str = ""
) -> Message:
    """The message for ``event`` in ``language``; times shown in ``timezone`` (default UTC).

    ``route`` names the routing rule that sent it (shown with the match reason)."""
    lang = (language or "en").split("-")[0].lower()
    context = _context(event, timezone) | {"route": _one_line(route)}
    return render_template(_candidates(event.kind, lang), context)


def render_template(names: list[str], context: dict[str, Any]) -> Message:
    """The four blocks of the first template in ``names`` that exists, as a message."""
    template = _environment(False).select_template(names)
    html_template = _environment(True).get_template(template.name or "generic.en.j2")
    return Message(
        title=_one_line(_block(template, "subject", context), SUBJECT_LIMIT),
        body_text=_block(template, "text", context),
        body_html=_block(html_template, "html", context),
        body_markdown=_block(template, "markdown", context),
    )


def _candidates(kind: str, lang: str) -> list[str]:
    known = kind_of(kind)
    return [*(known.templates(lang) if known else ()), f"generic.{lang}.j2", "generic.en.j2"]


def _block(template: Template, name: str, context: dict[str, Any]) -> str:
    render_block = template.blocks[name]
    return "".join(render_block(template.new_context(context))).strip()


def event_context(event: EventLike, timezone: str | None) -> dict[str, Any]:
    """What a template sees of one event (also each item of a digest)."""
    return _context(event, timezone)


def _context(event: EventLike, timezone: str | None) -> dict[str, Any]:
    payload = dict(event.payload or {})
    url = str(payload.get("url") or "")
    return {
        "kind": event.kind,
        "case_slug": event.case_slug or "",
        "case_title": _one_line(str(payload.get("case_title") or event.case_slug or "")),
        "title": _one_line(str(payload.get("title") or "")),
        "url": url if re.match(r"^https?://", url, re.IGNORECASE) else "",
        "raw_url": _one_line(url),
        "publisher": _one_line(str(payload.get("publisher") or "")),
        "source": _one_line(str(payload.get("source") or "")),
        "published": format_time(payload.get("published_at"), timezone),
        "why": why_text(payload.get("why")),
        "summary": truncate(_one_line(str(payload.get("summary") or "")), SUMMARY_LIMIT),
        "also": [
            {"case_title": _one_line(str(a.get("case_title") or "")), "why": why_text(a.get("why"))}
            for a in payload.get("also") or ()
            if isinstance(a, dict)
        ],
        "extra": extra_fields(payload),
        "hearing": hearing_context(payload),
        "payload": payload,
    }


def hearing_context(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A hearing payload (``events.hearings.hearing_events``) as one-line text: ``when`` is the local
    time the court printed, with zone and offset; ``old_*``/``new_*`` say what a move changed."""
    text = {key: _one_line(str(payload.get(key) or "")) for key in _HEARING_TEXT}
    when = text["local_time"] or format_time(payload.get("scheduled_at"), text["timezone"])
    old, new = _side(payload.get("old")), _side(payload.get("new"))
    new_when, new_room = new["local_time"] or when, new["courtroom"] or text["courtroom"]
    return {
        **text,
        "parties": truncate(text["parties"], PARTIES_LIMIT),
        "when": when,
        "old_when": old["local_time"],
        "new_when": new_when,
        "old_courtroom": old["courtroom"],
        "new_courtroom": new_room,
        "moved": bool(old["local_time"]) and old["local_time"] != new_when,
        "room_moved": bool(old["courtroom"]) and old["courtroom"] != new_room,
        "reinstated": any(
            isinstance(c, dict) and c.get("field") == "status" and c.get("old") in _OFF_STATUSES
            for c in payload.get("changes") or ()
        ),
        "source_href": _web_url(text["source_url"]),
        "article_href": _web_url(text["article_url"]),
        "lead": _hours(payload.get("lead_hours")),
        "no_hearing": bool(payload.get("no_hearing")),
        "report_title": _one_line(str(payload.get("reported_title") or "")),
        "report_quote": truncate(
            _one_line(str(payload.get("reported_sentence") or "")), SUMMARY_LIMIT
        ),
    }


def _side(value: Any) -> dict[str, str]:
    """One side of a move: the payload's dict, or a bare text taken as the time."""
    if isinstance(value, dict):
        return {k: _one_line(str(value.get(k) or "")) for k in ("local_time", "courtroom")}
    return {"local_time": _one_line(str(value or "")), "courtroom": ""}


def _web_url(url: str) -> str:
    """Only http(s) URLs become links."""
    return url if re.match(r"^https?://", url, re.IGNORECASE) else ""


def _hours(value: Any) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ""
    return f"{value:g}"


def format_time(value: Any, timezone: str | None = None) -> str:
    """An ISO 8601 time shown in ``timezone`` with its offset; unparseable text as is."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return _one_line(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone = _zone(timezone)
    try:
        local = moment.astimezone(zone or UTC)
    except OverflowError:  # a date at the calendar's edge (year 9999 east of UTC): as stored
        return f"{moment:%Y-%m-%d %H:%M} ({moment.tzname() or 'UTC'})"
    if zone is None:
        return local.strftime("%Y-%m-%d %H:%M UTC")
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]}, {timezone})"


def _zone(name: str | None) -> ZoneInfo | None:
    if not name or name.upper() == "UTC":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def why_text(why: Any) -> str:
    """The match reason as one line (a string, or a list of reasons joined by '; ')."""
    if isinstance(why, (list, tuple)):
        return "; ".join(_one_line(str(w)) for w in why if w)
    return _one_line(str(why or ""))


def extra_fields(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Scalar payload fields a template does not show by name, for the generic template."""
    return [
        (str(key), truncate(_one_line(str(value)), EXTRA_LIMIT))
        for key, value in payload.items()
        if key not in SHOWN_FIELDS
        and isinstance(value, (str, int, float, bool))
        and str(value).strip()
    ]


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters at a word boundary, marking the cut with '…'."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:—-") + "…"


def _one_line(text: str, limit: int | None = None) -> str:
    flat = " ".join(text.split())
    return truncate(flat, limit) if limit else flat


def escape_markdown(text: Any) -> str:
    """Backslash-escape the CommonMark characters that could format or link untrusted text."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def markdown_url(url: Any) -> str:
    """A URL safe inside ``[text](url)``."""
    return str(url).replace(" ", "%20").replace("(", "%28").replace(")", "%29")


@lru_cache(maxsize=2)
def _environment(autoescape: bool) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined  # when rendering

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = escape_markdown
    env.filters["mdurl"] = markdown_url
    return env
