"""Records × watches → watch matches with why, and the keys that group them into candidates.

A watch compiles like a case (``pipeline.match.cases``) but has no identity: its topic terms
and articles of the code are the topic, its regions, courts and ``require`` terms the context.
News must have both, together (the cases' co-occurrence rule); a schedule row needs a topic
hit (its category or article column, or a keyword), in one of the watch's courts when it names
any — a schedule row's place is its court. Pure; compiled once per run.

:func:`hearing_keys` and :func:`article_keys` give what groups evidence into candidates: the
case numbers, the people (``pipeline.match.people``: one key per person whatever the printed
form), the courts and the articles of the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from pipeline.config.watches import Watch
from pipeline.match.cases import LEAD_WORDS, Matcher, compile_cases
from pipeline.match.people import Named, people_in
from pipeline.match.terms import (
    CASE_NUMBER_RE,
    article_mentions,
    clean_text,
    normalize_case_number,
)
from pipeline.records import Hearing, Match


class WatchMatcher:
    """The enabled watches, compiled for news and for schedule rows."""

    def __init__(self, watches: Sequence[Watch]):
        self.watches = tuple(w for w in watches if w.enabled)
        self._by_id = {w.id: w for w in self.watches}

    @cached_property
    def _news(self) -> Matcher:
        """Compiled at the first article (like the cases: ``match.lazy``)."""
        return compile_cases([w.news_case() for w in self.watches])

    @cached_property
    def _rows(self) -> Matcher:
        return compile_cases([w.row_case() for w in self.watches])

    def __bool__(self) -> bool:
        return bool(self.watches)

    def watch(self, watch_id: str) -> Watch | None:
        return self._by_id.get(watch_id)

    def article(self, fields: Mapping[str, str], language: str = "") -> list[Match]:
        """The watches an article matches (``Match.case`` is the watch's id), best first."""
        if not self.watches:
            return []
        return [m for m in self._news.match(fields) if self._by_id[m.case].reads(language)]

    def hearing(self, fields: Mapping[str, str]) -> list[Match]:
        """The watches a schedule row matches (``hearing_fields`` of it), best first."""
        return self._rows.match(fields) if self.watches else []


@dataclass(frozen=True, slots=True)
class Keys:
    """What groups a piece of evidence with others: one prosecution's marks."""

    numbers: tuple[str, ...] = ()
    """Case numbers, normalised (``normalize_case_number``)."""
    people: tuple[Named, ...] = ()
    courts: tuple[str, ...] = ()
    code_articles: tuple[str, ...] = ()
    story: int | None = None


def hearing_keys(hearing: Hearing) -> Keys:
    """A schedule row's case number, parties (not the judge: a judge hears many cases),
    court and the articles its category names."""
    number = hearing.case_key or (
        normalize_case_number(hearing.case_number) if hearing.case_number.strip() else ""
    )
    return Keys(
        numbers=(number,) if number else (),
        people=tuple(people_in(hearing.parties)),
        courts=(hearing.court,) if hearing.court.strip() else (),
        code_articles=_articles([hearing.category]),
    )


def article_keys(fields: Mapping[str, str], story: int | None = None) -> Keys:
    """An article's case numbers and articles of the code (anywhere), and the people its
    leads name — title, summary and the first LEAD_WORDS words of the text: the defendants
    and victims of a story are named early, the commentators quoted on other cases later."""
    texts = [v for v in fields.values() if v]
    leads = [_lead(v) for v in texts]
    people: dict[str, Named] = {}
    for text in leads:
        for named in people_in(text):
            known = people.get(named.key)
            if known is None or (named.full and not known.full):
                people[named.key] = named
    return Keys(
        numbers=_numbers(texts),
        people=tuple(people.values()),
        code_articles=_articles(texts),
        story=story,
    )


def _lead(text: str) -> str:
    """The text up to its LEAD_WORDS-th word (counted by spaces)."""
    return " ".join(clean_text(text).split()[:LEAD_WORDS])


def _numbers(texts: Iterable[str]) -> tuple[str, ...]:
    found = (
        normalize_case_number(m.group())
        for text in texts
        if "/" in text
        for m in CASE_NUMBER_RE.finditer(clean_text(text))
    )
    return tuple(dict.fromkeys(found))


def _articles(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for text in texts for n, _ in article_mentions(text)))
