"""Every event kind casewatch emits, in one registry — the only place a kind's name is spelled.

Adding an alert kind = one entry in :data:`KINDS` plus its two templates,
``pipeline/notify/templates/<kind>.en.j2`` and ``<kind>.ru.j2`` (blocks ``subject``, ``text``,
``markdown``, ``html``). Everything else reads the entry: quiet hours (``urgency``), digest
order (position in :data:`KINDS`) and headings (``titles``), template names, Atom entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal


class Urgency(Enum):
    """Whether an instant alert may break a route's quiet hours."""

    NEVER = "never"
    SOON = "soon"
    """Only when the hearing's time (old or new) is within the route's urgency window."""
    ALWAYS = "always"


@dataclass(frozen=True, slots=True)
class EventKind:
    name: str
    urgency: Urgency = Urgency.NEVER
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Digest heading per language; a kind without one shows its name."""
    template: str = ""
    """Template stem (``<stem>.<language>.j2``); empty = the kind's name."""
    atom_title: str = ""
    """``str.format`` pattern over ``title``, ``when``, ``court``, ``old``, ``new``, ``off``
    ('cancelled', or 'postponed, no new date yet' for a postponed hearing); empty = name."""
    atom_summary: Literal["article", "hearing"] = "hearing"
    """``article`` (summary and match reason) or ``hearing`` (case number, room, judge, status)."""
    ops: bool = False
    """The health of casewatch itself, for the ops route (``config/alerts.yaml``): no case, so
    only routes with ``cases: ["*"]`` get it."""

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles.get("en") or self.name

    def templates(self, language: str) -> list[str]:
        """Template names to try, in the language first, then English."""
        stem = self.template or self.name
        return [f"{stem}.{language}.j2", f"{stem}.en.j2"]


# The order of KINDS is the digest order: hearing changes first, then articles, then the rest.
KINDS: tuple[EventKind, ...] = (
    HEARING_CANCELLED := EventKind(
        "hearing.cancelled",
        Urgency.ALWAYS,
        {"en": "Hearings cancelled", "ru": "Заседания отменены"},
        atom_title="Hearing {off}: {when} — {court}",
    ),
    HEARING_REMOVED := EventKind(
        "hearing.removed",
        Urgency.ALWAYS,
        {"en": "Hearings gone from the schedule", "ru": "Заседания исчезли из графика"},
        atom_title="Hearing no longer listed: {when} — {court}",
    ),
    HEARING_REINSTATED := EventKind(
        "hearing.reinstated",
        Urgency.SOON,
        {"en": "Hearings back on the schedule", "ru": "Заседания вернулись в график"},
        template="hearing.scheduled",
        atom_title="Hearing listed again: {when} — {court}",
    ),
    HEARING_RESCHEDULED := EventKind(
        "hearing.rescheduled",
        Urgency.SOON,
        {"en": "Hearings moved", "ru": "Заседания перенесены"},
        atom_title="Hearing moved: {old} → {new} — {court}",
    ),
    HEARING_SCHEDULED := EventKind(
        "hearing.scheduled",
        Urgency.SOON,
        {"en": "Hearings scheduled", "ru": "Заседания назначены"},
        atom_title="Hearing set: {when} — {court}",
    ),
    HEARING_REMINDER := EventKind(
        "hearing.reminder",
        Urgency.SOON,
        {"en": "Hearings coming up", "ru": "Скоро заседания"},
        atom_title="Hearing soon: {when} — {court}",
    ),
    ARTICLE_NEW := EventKind(
        "article.new",
        titles={"en": "New articles", "ru": "Новые публикации"},
        atom_title="Article: {title}",
        atom_summary="article",
    ),
    ALERTS_TEST := EventKind("alerts.test"),  # `casewatch alerts test`: sent, never routed
    ARTICLE_CHANGED := EventKind("article.changed"),
    ARTICLE_REMOVED := EventKind("article.removed"),
    ARTICLES_FOLDED := EventKind(
        "articles.folded",
        titles={"en": "Floods of articles, folded", "ru": "Потоки публикаций, свёрнуты"},
        atom_title="{title}",
        atom_summary="article",
    ),
    CHANNEL_FAILING := EventKind(
        "channel.failing",
        titles={"en": "Channels failing", "ru": "Каналы не работают"},
        ops=True,
    ),
    CHANNEL_RECOVERED := EventKind(
        "channel.recovered",
        titles={"en": "Channels working again", "ru": "Каналы снова работают"},
        ops=True,
    ),
    SOURCE_FAILING := EventKind(
        "source.failing",
        titles={"en": "Sources failing", "ru": "Источники не работают"},
        template="generic",
        ops=True,
    ),
    SOURCE_RECOVERED := EventKind(
        "source.recovered",
        titles={"en": "Sources working again", "ru": "Источники снова работают"},
        template="generic",
        ops=True,
    ),
)

BY_NAME: Mapping[str, EventKind] = {k.name: k for k in KINDS}


def kind_of(name: str) -> EventKind | None:
    """The registered kind called ``name``, or None (an old row, a kind since removed)."""
    return BY_NAME.get(name)


def digest_rank(name: str) -> tuple[int, str]:
    """Sort key: registry order, unregistered kinds last by name."""
    kind = BY_NAME.get(name)
    return (KINDS.index(kind) if kind else len(KINDS), name)
