"""Hearing dates announced in news text (ru, kk, en) → ``Announced``.

"The next hearing is set for 30 September" is how most monitors first learn a date. A sentence
counts only when it holds both a hearing word (заседание, отырыс, hearing…) and a scheduling or
postponing verb in a form that points ahead (назначено, состоится, қалдырылды, adjourned…); the
date taken is the one nearest that verb — after it in Russian and English, before it in Kazakh,
where the verb ends the clause. Dates printed without a year take the nearest occurrence on or
after the publication day, except one that fell in the month before publication: that is a
report of a past hearing, not one eleven months ahead. A date with a year before publication is
a past event and is dropped. Without ``published_at`` only dates printed with a year are kept.

Speed: a few ``str.find`` calls for words the verbs contain decide whether to look further and
which sentences to read, so an article with no such word costs one pass of cheap searches.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Literal

from pipeline.normalize.dates import zone
from pipeline.parse.announced_dates import DateHit, date_hits, resolve_day
from pipeline.parse.announced_words import (
    ABBREVIATION_RE,
    BREAK_RE,
    DIRECTION,
    INDEFINITE,
    KK_IMPLICIT,
    NEGATED_BEFORE,
    NOT_A_CANCELLATION,
    NOUNS,
    POSTPONED,
    SCHEDULED,
    TRIGGERS,
    YEAR_RE,
)

Kind = Literal["scheduled", "postponed_to", "postponed_no_date"]


@dataclass(frozen=True, slots=True)
class Announced:
    local_date: date | None
    """The hearing's day in the court's zone; None only for ``postponed_no_date``."""
    local_time: time | None
    kind: Kind
    sentence: str
    """The sentence (whitespace collapsed) that holds the date or the postponement."""
    found: str
    """The date (and time) as printed, or the postponing words when there is no date."""


_MAX_DISTANCE = 150


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    language: str
    nouns: re.Pattern[str]
    scheduled: re.Pattern[str]
    postponed: re.Pattern[str]
    indefinite: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Cue:
    """The first scan: where the text holds a word some verb needs, found by ``str.find``."""

    triggers: tuple[str, ...]
    verbs: re.Pattern[str]

    def positions(self, low: str) -> set[int]:
        found: set[int] = set()
        for word in self.triggers:
            at = low.find(word)
            while at >= 0:
                found.add(at)
                at = low.find(word, at + 1)
        return found


@cache
def _vocabularies(language: str) -> tuple[tuple[_Vocabulary, ...], _Cue]:
    """The vocabularies for ``language`` (applied to lower-cased text) and its first scan.

    Russian and Kazakh go together: Kazakh sites quote Russian and short texts are misread.
    No IGNORECASE: on Cyrillic it makes these regexes several times slower than ``str.lower``."""
    codes = {"en": ("en",), "ru": ("ru", "kk"), "kk": ("kk", "ru")}.get(
        language, ("ru", "kk", "en")
    )
    vocabularies = tuple(
        _Vocabulary(
            code,
            re.compile(NOUNS[code]),
            re.compile(SCHEDULED[code]),
            re.compile(POSTPONED[code]),
            re.compile(INDEFINITE[code]),
        )
        for code in codes
    )
    verbs = "|".join(f"{SCHEDULED[c]}|{POSTPONED[c]}|{INDEFINITE[c]}" for c in codes)
    triggers = tuple(word for code in codes for word in TRIGGERS[code])
    return vocabularies, _Cue(triggers, re.compile(rf"\b(?:{verbs})"))


def _lower(text: str) -> str:
    """Lower case, same length (positions must stay valid), e.g. «İ» stays as it is."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


# --- sentences -------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences, whitespace collapsed; initials and «ст.», «г.» do not cut."""
    return [joined for start, end in _spans(text) if (joined := " ".join(text[start:end].split()))]


def _spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in BREAK_RE.finditer(text):
        head = text[max(start, m.start() - 6) : m.start() + 1]
        if text[m.start()] == "." and ABBREVIATION_RE.search(head):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


# --- announcements ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    position: tuple[int, int]
    """(sentence, character): the order the text gives things in."""
    announced: Announced
    implicit: bool = False
    """A postponement with no date and no «indefinitely»: a later sentence may give the date."""


def extract_announced(
    text: str, *, published_at: datetime | None, language: str = "", tz: str = "Asia/Almaty"
) -> list[Announced]:
    """Hearings announced in ``text`` for the future, in the order the text gives them.

    ``published_at`` (aware; naive is taken as ``tz``) places dates printed without a year;
    ``language`` narrows the vocabulary: ``en`` → English, ``ru``/``kk`` → Russian and Kazakh,
    anything else → all three."""
    vocabularies, cue = _vocabularies(language)
    low = _OTHER_SPACE_RE.sub(" ", _lower(text))
    positions = cue.positions(low)
    if not positions:
        return []
    today = _local_day(published_at, tz)
    spans = _spans(text)
    starts = [start for start, _ in spans]
    found: list[_Found] = []
    for index in sorted({bisect_right(starts, at) - 1 for at in positions}):
        sentence = " ".join(text[slice(*spans[index])].split())
        low_sentence = _lower(sentence)
        if cue.verbs.search(low_sentence):
            found.extend(_from_sentence(index, sentence, low_sentence, vocabularies, today))
    return _finish(found)


_OTHER_SPACE_RE = re.compile(r"[^\S ]")


def _local_day(published_at: datetime | None, tz: str) -> date | None:
    if published_at is None:
        return None
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=zone(tz))
    return published_at.astimezone(zone(tz)).date()


def _from_sentence(
    index: int, sentence: str, low: str, vocabularies: tuple[_Vocabulary, ...], today: date | None
) -> list[_Found]:
    hits = date_hits(sentence)
    dated = [(hit, day) for hit in hits if (day := resolve_day(hit, today)) is not None]
    found: list[_Found] = []
    for vocabulary in vocabularies:
        if vocabulary.nouns.search(low):
            verbs = _verbs(low, vocabulary)
            for kind, verb in verbs:
                found.extend(_dated(index, sentence, kind, verb, vocabulary, dated))
            if not hits:
                found.extend(_undated(index, sentence, low, verbs, vocabulary, today))
    return _settle(found)


def _verbs(low: str, vocabulary: _Vocabulary) -> list[tuple[Kind, re.Match[str]]]:
    verbs: list[tuple[Kind, re.Match[str]]] = []
    kinds: tuple[tuple[Kind, re.Pattern[str]], ...] = (
        ("postponed_to", vocabulary.postponed),
        ("scheduled", vocabulary.scheduled),
    )
    for kind, pattern in kinds:
        for m in pattern.finditer(low):
            if not NEGATED_BEFORE.search(low, max(0, m.start() - 25), m.start()):
                verbs.append((kind, m))
    return verbs


def _dated(
    index: int,
    sentence: str,
    kind: Kind,
    verb: re.Match[str],
    vocabulary: _Vocabulary,
    dated: list[tuple[DateHit, date]],
) -> list[_Found]:
    best = _nearest(verb, dated, DIRECTION[vocabulary.language])
    if best is None:
        return []
    hit, day = best
    return [_Found((index, hit.start), Announced(day, hit.at, kind, sentence, hit.found))]


def _nearest(
    verb: re.Match[str], dated: list[tuple[DateHit, date]], direction: int
) -> tuple[DateHit, date] | None:
    """The date nearest ``verb``, on its preferred side (after: 1, before: -1) first."""

    def distance(item: tuple[DateHit, date]) -> tuple[int, int]:
        hit = item[0]
        side, gap = (
            (1, hit.start - verb.end()) if hit.start >= verb.end() else (-1, verb.start() - hit.end)
        )
        return (0 if side == direction else 1, gap)

    near = [item for item in dated if 0 <= distance(item)[1] <= _MAX_DISTANCE]
    return min(near, key=distance, default=None)


def _undated(
    index: int,
    sentence: str,
    low: str,
    verbs: list[tuple[Kind, re.Match[str]]],
    vocabulary: _Vocabulary,
    today: date | None,
) -> list[_Found]:
    """A postponement without a date: explicit («на неопределённый срок») or implicit."""
    verb = next((m for kind, m in verbs if kind == "postponed_to"), None)
    if verb is None:
        return []
    if (phrase := vocabulary.indefinite.search(low)) is not None:
        start, end = min(verb.start(), phrase.start()), max(verb.end(), phrase.end())
        if end - start > 80:
            start, end = phrase.span()
        return [_Found((index, start), _no_date(sentence, sentence[start:end]))]
    if vocabulary.language == "kk" and not KK_IMPLICIT.match(verb[0]):
        return []
    if NOT_A_CANCELLATION.search(low):
        return []
    if today is not None and any(int(y) < today.year for y in YEAR_RE.findall(sentence)):
        return []
    words = sentence[verb.start() : verb.end()]
    return [_Found((index, verb.start()), _no_date(sentence, words), implicit=True)]


def _no_date(sentence: str, words: str) -> Announced:
    return Announced(None, None, "postponed_no_date", sentence, words)


def _settle(found: list[_Found]) -> list[_Found]:
    """One result per day in a sentence; a postponement beats a schedule for the same day, and
    a schedule earlier than the postponement in the same sentence is the date it replaced."""
    moves = [f.announced.local_date for f in found if f.announced.kind == "postponed_to"]
    latest_move = max((day for day in moves if day is not None), default=None)
    kept: dict[object, _Found] = {}
    for item in sorted(found, key=lambda f: f.announced.kind != "postponed_to"):
        day = item.announced.local_date
        if item.announced.kind == "scheduled" and latest_move and day and day < latest_move:
            continue
        kept.setdefault(day, item)
    return sorted(kept.values(), key=lambda f: f.position)


def _finish(found: list[_Found]) -> list[Announced]:
    """Drop repeats (a title repeated in the body), a time-less twin of a timed result, and an
    implicit undated postponement when the text gives a date elsewhere."""
    has_date = any(f.announced.local_date is not None for f in found)
    timed = {(f.announced.kind, f.announced.local_date) for f in found if f.announced.local_time}
    seen: set[tuple[object, ...]] = set()
    result: list[Announced] = []
    for item in sorted(found, key=lambda f: f.position):
        a = item.announced
        key = (a.kind, a.local_date, a.local_time)
        if key in seen or (item.implicit and has_date):
            continue
        if a.local_time is None and (a.kind, a.local_date) in timed:
            continue
        seen.add(key)
        result.append(a)
    return result
