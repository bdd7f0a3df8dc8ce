"""One sentence of :mod:`pipeline.parse.announced`: its verbs, the dates they take, and the
postponements without a date.

A verb takes the date nearest it on its side: after it in Russian and English, before it in
Kazakh (a Kazakh date may stand after, as a second choice; so may a Russian or English date
before a scheduling verb, «12 января суд продолжит…», but never before a postponing one: "on
5 May the court adjourned the trial" gives the day of the adjournment, not of a hearing). A
schedule the sentence then postpones («назначенное на 5 мая заседание отложено») is the old
date. A plan that was («had been scheduled», «планировалось, что … будет») and a Kazakh habit
(«шегеріліп келген еді») take no date. With no date at all, a time after the verb is that day's
(«после перерыва процесс продолжится в 15.00»), unless the break is one of minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from pipeline.parse.announced_dates import DateHit, date_hits, resolve_day, time_alone
from pipeline.parse.announced_patterns import YEAR_RE
from pipeline.parse.announced_words import (
    DIRECTION,
    FOR_THE_DAY,
    FUTURE_UNDATED,
    KK_IMPLICIT,
    NEGATED_BEFORE,
    NOT_A_CANCELLATION,
    PAST_AFTER,
    PAST_BEFORE,
    PAST_WAS,
    PRONOUN,
    SHORT_BREAK,
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


@dataclass(frozen=True, slots=True)
class Vocabulary:
    language: str
    nouns: re.Pattern[str]
    scheduled: re.Pattern[str]
    postponed: re.Pattern[str]
    indefinite: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Found:
    position: tuple[int, int]
    """(sentence, character): the order the text gives things in."""
    announced: Announced
    implicit: bool = False
    """A postponement with no date and no «indefinitely»: a later sentence may give the date."""
    verb: int = -1
    """Where the verb that took the date starts."""


_MAX_DISTANCE = {"ru": 150, "en": 150, "kk": 200}
"""How far a date may stand from its verb; Kazakh puts the verb at the end of long clauses."""
Verb = tuple[Kind, re.Match[str]]


def from_sentence(
    index: int,
    sentence: str,
    low: str,
    vocabularies: tuple[Vocabulary, ...],
    today: date | None,
    before: str = "",
) -> list[Found]:
    """``before``: the sentence before this one (lower case), for a hearing named there."""
    english = all(v.language == "en" for v in vocabularies)
    hits = date_hits(sentence, month_first=english)
    dated = [(hit, day) for hit in hits if (day := resolve_day(hit, today)) is not None]
    found: list[Found] = []
    for vocabulary in vocabularies:
        if not _about_a_hearing(low, before, vocabulary):
            continue
        verbs = _verbs(low, vocabulary)
        indefinite = vocabulary.indefinite.search(low) is not None
        taken: list[Found] = []
        for kind, verb in verbs:
            if not (kind == "postponed_to" and indefinite):
                usable = dated if kind == "postponed_to" else _for_verb(low, verb, dated, today)
                taken.extend(_dated(index, sentence, kind, verb, vocabulary.language, usable))
        taken = _without_replaced(taken, verbs)
        if not hits and today is not None:
            taken.extend(_same_day(index, sentence, low, verbs, vocabulary.language, today))
        if not any(f.announced.kind == "postponed_to" for f in taken):
            gone = _gone(low, hits, vocabulary, today)
            taken.extend(_undated(index, sentence, low, verbs, vocabulary, today, gone))
        found.extend(taken)
    return _settle(found)


def _about_a_hearing(low: str, before: str, vocabulary: Vocabulary) -> bool:
    if vocabulary.nouns.search(low):
        return True
    return bool(before and PRONOUN.search(low, 0, 40) and vocabulary.nouns.search(before))


def _for_verb(
    low: str, verb: re.Match[str], dated: list[tuple[DateHit, date]], today: date | None
) -> list[tuple[DateHit, date]]:
    """After "was scheduled", a day printed without a year that is past this year is that
    day, not next year's ("Sentencing was scheduled for May 3", written in August)."""
    if today is None or not PAST_WAS.search(low, max(0, verb.start() - 8), verb.start()):
        return dated
    return [(hit, day) for hit, day in dated if hit.year or hit.named or day.year == today.year]


def _gone(low: str, hits: list[DateHit], vocabulary: Vocabulary, today: date | None) -> bool:
    """A day already past makes the sentence a report of the past, unless it is the day of a
    plan that was ("initially scheduled for July 11th … was postponed")."""
    plans = [m.end() for m in vocabulary.scheduled.finditer(low) if _a_plan_that_was(low, m)]
    return any(
        not hit.named
        and resolve_day(hit, today) is None
        and not any(0 <= hit.start - end <= 40 for end in plans)
        for hit in hits
    )


def _verbs(low: str, vocabulary: Vocabulary) -> list[Verb]:
    verbs: list[Verb] = []
    kinds: tuple[tuple[Kind, re.Pattern[str]], ...] = (
        ("postponed_to", vocabulary.postponed),
        ("scheduled", vocabulary.scheduled),
    )
    for kind, pattern in kinds:
        for m in pattern.finditer(low):
            if not _negated(low, m) and not (kind == "scheduled" and _a_plan_that_was(low, m)):
                verbs.append((kind, m))
    return verbs


def _negated(low: str, m: re.Match[str]) -> bool:
    start = m.start()
    return bool(
        NEGATED_BEFORE.search(low, max(0, start - 25), start)
        or PAST_AFTER.match(low, m.end())
        or FOR_THE_DAY.match(low, m.end())
    )


def _a_plan_that_was(low: str, m: re.Match[str], scheduled: bool = True) -> bool:
    """ "had been scheduled", "was due to", «планировалось, что … будет»; after a postponing
    verb ("had been adjourned until 15 April") it still gives the date, but no postponement
    without one ("had been adjourned indefinitely on 19 April" is history)."""
    start = m.start()
    return bool(
        PAST_BEFORE.search(low, max(0, start - 60), start)
        or (
            scheduled
            and PAST_WAS.search(low, max(0, start - 8), start)
            and low.startswith(" to ", m.end())
        )
    )


def _dated(
    index: int,
    sentence: str,
    kind: Kind,
    verb: re.Match[str],
    language: str,
    dated: list[tuple[DateHit, date]],
) -> list[Found]:
    usable = [(hit, day) for hit, day in dated if kind == "postponed_to" or not hit.span]
    direction = DIRECTION[language]
    only_after = kind == "postponed_to" and direction == 1
    best = _nearest(verb, usable, direction, only_after, _MAX_DISTANCE[language])
    if best is None:
        return []
    hit, day = best
    announced = Announced(day, hit.at, kind, sentence, hit.found)
    return [Found((index, hit.start), announced, verb=verb.start())]


def _nearest(
    verb: re.Match[str],
    dated: list[tuple[DateHit, date]],
    direction: int,
    only_after: bool,
    limit: int,
) -> tuple[DateHit, date] | None:
    """The date nearest ``verb``, on its preferred side (after: 1, before: -1) first."""

    def distance(item: tuple[DateHit, date]) -> tuple[int, int]:
        hit = item[0]
        side, gap = (
            (1, hit.start - verb.end()) if hit.start >= verb.end() else (-1, verb.start() - hit.end)
        )
        return (0 if side == direction else 1, gap)

    near = [
        item
        for item in dated
        if 0 <= distance(item)[1] <= limit and not (only_after and item[0].start < verb.end())
    ]
    return min(near, key=distance, default=None)


def _without_replaced(found: list[Found], verbs: list[Verb]) -> list[Found]:
    """A schedule the same sentence then postpones — to a date or indefinitely ("the hearing
    scheduled for March 14 has been postponed indefinitely") — is the date it replaced."""
    moves = [verb.start() for kind, verb in verbs if kind == "postponed_to"]
    return [
        f for f in found if f.announced.kind != "scheduled" or not any(f.verb < at for at in moves)
    ]


def _same_day(
    index: int, sentence: str, low: str, verbs: list[Verb], language: str, today: date
) -> list[Found]:
    """No date in the sentence, but a time beside the verb: the hearing goes on that day."""
    if SHORT_BREAK.search(low):
        return []
    for kind, verb in verbs:
        start, end = (
            (verb.end(), verb.end() + 60)
            if DIRECTION[language] == 1
            else (max(0, verb.start() - 60), verb.start())
        )
        if (hit := time_alone(sentence, start, min(end, len(sentence)))) is not None:
            announced = Announced(today, hit.at, kind, sentence, hit.found)
            return [Found((index, hit.start), announced, verb=verb.start())]
    return []


def _undated(
    index: int,
    sentence: str,
    low: str,
    verbs: list[Verb],
    vocabulary: Vocabulary,
    today: date | None,
    gone: bool,
) -> list[Found]:
    """A postponement without a date: explicit («на неопределённый срок») or implicit."""
    verb = next(
        (
            m
            for kind, m in verbs
            if kind == "postponed_to" and not _a_plan_that_was(low, m, scheduled=False)
        ),
        None,
    )
    if verb is None:
        return []
    if (phrase := vocabulary.indefinite.search(low)) is not None:
        start, end = min(verb.start(), phrase.start()), max(verb.end(), phrase.end())
        if end - start > 80:
            start, end = phrase.span()
        return [Found((index, start), _no_date(sentence, sentence[start:end]))]
    if gone or FUTURE_UNDATED.search(verb[0]) or NOT_A_CANCELLATION.search(low):
        return []
    if vocabulary.language == "kk" and not KK_IMPLICIT.match(verb[0]):
        return []
    if today is not None and any(int(y) < today.year for y in YEAR_RE.findall(sentence)):
        return []
    words = sentence[verb.start() : verb.end()]
    return [Found((index, verb.start()), _no_date(sentence, words), implicit=True)]


def _no_date(sentence: str, words: str) -> Announced:
    return Announced(None, None, "postponed_no_date", sentence, words)


def _settle(found: list[Found]) -> list[Found]:
    """One result per day in a sentence; a postponement beats a schedule for the same day, and
    a schedule earlier than the postponement in the same sentence is the date it replaced."""
    moves = [f.announced.local_date for f in found if f.announced.kind == "postponed_to"]
    latest_move = max((day for day in moves if day is not None), default=None)
    kept: dict[object, Found] = {}
    for item in sorted(found, key=lambda f: f.announced.kind != "postponed_to"):
        day = item.announced.local_date
        if item.announced.kind == "scheduled" and latest_move and day and day < latest_move:
            continue
        kept.setdefault(day, item)
    return sorted(kept.values(), key=lambda f: f.position)
