"""Every event kind casewatch emits, in one registry — the only place a kind's name is spelled.

Adding an alert kind = one entry in :data:`KINDS` plus its two templates,
``pipeline/notify/templates/<kind>.en.j2`` and ``<kind>.ru.j2`` (blocks ``subject``, ``text``,
``markdown``, ``html``). Everything else reads the entry: quiet hours (``urgency``), digest
order (position in :data:`KINDS`) and headings (``titles``), template names, Atom entries,
and what the web pages call the kind (``labels``).
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
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    """What one event of the kind is called on the pages, per language (``en``, ``ru``)."""

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles.get("en") or self.name

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or self.name

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
        labels={"en": "hearing cancelled or postponed", "ru": "заседание отменено или отложено"},
    ),
    HEARING_REMOVED := EventKind(
        "hearing.removed",
        Urgency.ALWAYS,
        {"en": "Hearings gone from the schedule", "ru": "Заседания исчезли из графика"},
        atom_title="Hearing no longer listed: {when} — {court}",
        labels={"en": "hearing no longer listed", "ru": "заседание исчезло из графика"},
    ),
    HEARING_REINSTATED := EventKind(
        "hearing.reinstated",
        Urgency.SOON,
        {"en": "Hearings back on the schedule", "ru": "Заседания вернулись в график"},
        template="hearing.scheduled",
        atom_title="Hearing listed again: {when} — {court}",
        labels={"en": "hearing listed again", "ru": "заседание снова в графике"},
    ),
    HEARING_RESCHEDULED := EventKind(
        "hearing.rescheduled",
        Urgency.SOON,
        {"en": "Hearings moved", "ru": "Заседания перенесены"},
        atom_title="Hearing moved: {old} → {new} — {court}",
        labels={"en": "hearing moved", "ru": "заседание перенесено"},
    ),
    HEARING_SCHEDULED := EventKind(
        "hearing.scheduled",
        Urgency.SOON,
        {"en": "Hearings scheduled", "ru": "Заседания назначены"},
        atom_title="Hearing set: {when} — {court}",
        labels={"en": "hearing scheduled", "ru": "заседание назначено"},
    ),
    HEARING_REMINDER := EventKind(
        "hearing.reminder",
        Urgency.SOON,
        {"en": "Hearings coming up", "ru": "Скоро заседания"},
        atom_title="Hearing soon: {when} — {court}",
        labels={"en": "hearing reminder", "ru": "напоминание о заседании"},
    ),
    ARTICLE_NEW := EventKind(
        "article.new",
        titles={"en": "New articles", "ru": "Новые публикации"},
        atom_title="Article: {title}",
        atom_summary="article",
        labels={"en": "new article", "ru": "новая публикация"},
    ),
    # `casewatch alerts test`: sent, never routed
    ALERTS_TEST := EventKind(
        "alerts.test", labels={"en": "test alert", "ru": "тестовое оповещение"}
    ),
    ARTICLE_CHANGED := EventKind(
        "article.changed", labels={"en": "article edited", "ru": "публикация изменена"}
    ),
    ARTICLE_REMOVED := EventKind(
        "article.removed", labels={"en": "article removed", "ru": "публикация удалена"}
    ),
    ARTICLES_FOLDED := EventKind(
        "articles.folded",
        titles={"en": "Floods of articles, folded", "ru": "Потоки публикаций, свёрнуты"},
        atom_title="{title}",
        atom_summary="article",
        labels={"en": "articles folded", "ru": "публикации свёрнуты"},
    ),
    # a watch found a prosecution no case follows (``casewatch candidates``); no case
    CANDIDATE_NEW := EventKind(
        "candidate.new",
        titles={"en": "Possible new cases", "ru": "Возможные новые дела"},
        atom_title="Candidate: {title}",
        atom_summary="article",
        labels={"en": "new candidate", "ru": "возможное новое дело"},
    ),
    CHANNEL_FAILING := EventKind(
        "channel.failing",
        titles={"en": "Channels failing", "ru": "Каналы не работают"},
        ops=True,
        labels={"en": "channel failing", "ru": "канал не работает"},
    ),
    CHANNEL_RECOVERED := EventKind(
        "channel.recovered",
        titles={"en": "Channels working again", "ru": "Каналы снова работают"},
        ops=True,
        labels={"en": "channel working again", "ru": "канал снова работает"},
    ),
    SOURCE_FAILING := EventKind(
        "source.failing",
        titles={"en": "Sources failing", "ru": "Источники не работают"},
        template="generic",
        ops=True,
        labels={"en": "source failing", "ru": "источник не работает"},
    ),
    SOURCE_RECOVERED := EventKind(
        "source.recovered",
        titles={"en": "Sources working again", "ru": "Источники снова работают"},
        template="generic",
        ops=True,
        labels={"en": "source working again", "ru": "источник снова работает"},
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
