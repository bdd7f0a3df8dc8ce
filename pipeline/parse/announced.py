"""Hearing dates announced in news text (ru, kk, en) → ``Announced``.

"The next hearing is set for 30 September" is how most monitors first learn a date. A sentence
counts only when it holds both a hearing word (заседание, отырыс, hearing…) and a scheduling or
postponing verb in a form that points ahead (назначено, состоится, қалдырылды, adjourned…); the
date taken is the one nearest that verb (:mod:`pipeline.parse.announced_sentence` says which).
Dates printed without a year take the nearest occurrence on or after the publication day,
except one that fell in the month before publication: that is a report of a past hearing, not
one eleven months ahead. A date with a year before publication is a past event and is dropped.
Days named from publication («завтра», «в четверг», "next Tuesday", «на две недели») and a time
alone («продолжится в 14.30») are placed from the publication day. Without ``published_at`` only
dates printed with a year are kept.

Speed: a few ``str.find`` calls for words the verbs contain decide whether to look further and
which sentences to read, so an article with no such word costs one pass of cheap searches.

Measured on real labelled sentences by ``bench/news_dates.py`` (figures in ``bench/README.md``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from pipeline.normalize.dates import zone
from pipeline.parse.announced_patterns import ABBREVIATION_RE, BREAK_RE
from pipeline.parse.announced_sentence import Announced, Found, Kind, Vocabulary, from_sentence
from pipeline.parse.announced_words import (
    INDEFINITE,
    NOUNS,
    POSTPONED,
    SCHEDULED,
    TRIGGERS,
)

__all__ = ["Announced", "Kind", "extract_announced", "sentences"]


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
def _vocabularies(language: str) -> tuple[tuple[Vocabulary, ...], _Cue]:
    """The vocabularies for ``language`` (applied to lower-cased text) and its first scan.

    Russian and Kazakh go together: Kazakh sites quote Russian and short texts are misread.
    No IGNORECASE: on Cyrillic it makes these regexes several times slower than ``str.lower``."""
    codes = {"en": ("en",), "ru": ("ru", "kk"), "kk": ("kk", "ru")}.get(
        language, ("ru", "kk", "en")
    )
    vocabularies = tuple(
        Vocabulary(
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
    found: list[Found] = []
    for index in sorted({bisect_right(starts, at) - 1 for at in positions}):
        sentence = " ".join(text[slice(*spans[index])].split())
        low_sentence = _lower(sentence)
        if cue.verbs.search(low_sentence):
            before = _lower(text[slice(*spans[index - 1])]) if index else ""
            found.extend(from_sentence(index, sentence, low_sentence, vocabularies, today, before))
    return _finish(found)


_OTHER_SPACE_RE = re.compile(r"[^\S ]")


def _local_day(published_at: datetime | None, tz: str) -> date | None:
    if published_at is None:
        return None
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=zone(tz))
    return published_at.astimezone(zone(tz)).date()


def _finish(found: list[Found]) -> list[Announced]:
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
