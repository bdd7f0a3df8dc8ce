"""Record × cases → matches, with the reason each one matched. Pure; compiled once per run.

``compile_cases`` expands every configured term into the keys of its accepted forms (see
``pipeline.match.terms``) and indexes them; ``Matcher.match`` tokenizes each field once and
does one cached dict lookup per distinct word, then checks phrases, article mentions and case
numbers. A case matches when nothing in ``exclude`` was found (or a case number was) and:

* one of its case numbers is mentioned, or
* a person with ``alone: true`` is named, or
* a topic hit (a keyword, or a mention of one of its ``articles``) co-occurs with a context
  hit (a ``require`` term, a court, a person with ``alone: false``) — or the case configures no
  context at all. Co-occur means both in the leads of their fields (the first LEAD_WORDS
  words: title, summary, a body's first paragraphs) or within NEAR_WORDS words in one field.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.config.cases import Case
from pipeline.match.index import Entry, KeyIndex
from pipeline.match.names import NAME_FLAGS, PersonName, Words, parse_name
from pipeline.match.terms import (
    ARTICLE_RE,
    CASE_NUMBER_RE,
    article_mentions,
    article_numbers,
    clean_text,
    expand_word,
    fold,
    normalize_case_number,
    words,
)
from pipeline.match.words import WORDS
from pipeline.records import Hit, Match

log = logging.getLogger(__name__)
__all__ = ["Matcher", "article_mentions", "compile_cases", "matches_text", "normalize_case_number"]

MAX_GAP = 1
"""Words allowed between two words of a phrase ('январских трагических событий')."""
LEAD_WORDS = 120
"""A topic and a context hit co-occur when both sit in the first LEAD_WORDS of their fields
(title, summary, the body's first paragraphs) or within NEAR_WORDS of each other in one field:
a round-up that mentions Taldykorgan in one story and torture in another is not a match."""
NEAR_WORDS = 40
CACHE_LIMIT = 300_000
WEIGHTS = {"case_number": 4.0, "alone": 3.0, "person": 1.5, "keyword": 1.0, "article": 1.0, "context": 1.0}  # fmt: skip
TITLE_BONUS = 1.5
_KIND_ORDER = {"case_number": 0, "person": 1, "keyword": 2, "article": 3, "context": 4, "exclude": 5}  # fmt: skip

_WORD_RE = WORDS.exact
_BREAK_RE = re.compile(r"[.!?;:…\n\u2028\u2029|]")


@dataclass(frozen=True, slots=True)
class _Term:
    case: int
    text: str
    kind: str
    """keyword | context | person | exclude"""
    alone: bool = False
    size: int = 1
    head: str = ""
    """Fold of the first word as configured, to label a hit with the closest spelling."""
    name: PersonName | None = None
    """A person entry matched as a name (``pipeline.match.names``), indexed by its surname."""


def _shared(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass(slots=True)
class _Index(KeyIndex):
    terms: list[_Term] = field(default_factory=list)


def _flags(kind: str, lang: str | None, word: str) -> dict[str, bool]:
    """Which form generators apply to a configured word (see ``expand_word``).

    A capitalised word is a proper noun: it gets Russian name endings and Kazakh suffixes in
    any language list. ``lang`` None (courts, exclusions) turns every generator on.
    """
    if kind == "person":
        return NAME_FLAGS
    proper = word[:1].isupper()
    return {
        "russian": lang in ("ru", None) or proper,
        "kazakh": lang in ("kk", None) or proper,
        "english": lang in ("en", None),
        "name": proper,
    }


class Matcher:
    """Compiled cases. Reuse one per run; ``match`` is safe to call from one thread at a time."""

    def __init__(self, cases: Sequence[Case], index: _Index, numbers: dict[str, list[int]]):
        self.cases = tuple(cases)
        self._index = index
        self._case_numbers = numbers
        self._articles: dict[str, list[int]] = {}
        for ci, case in enumerate(self.cases):
            for article in case.articles:
                self._articles.setdefault(article.strip(), []).append(ci)
        articles = sorted(self._articles, key=len, reverse=True)
        # Plain alternation (no lookarounds): Python's re scans it several times faster.
        self._article_hint = re.compile("|".join(map(re.escape, articles)) or r"(?!)")
        self._needs_context = [
            bool(case.all_terms("require") or case.courts or any(not p.alone for p in case.people))
            for case in self.cases
        ]
        self._cache: dict[str, tuple[Entry, ...]] = {}

    def match(self, fields: Mapping[str, str]) -> list[Match]:
        """One Match per matching case, best first. ``fields``: plain text by field name."""
        matches = [m for ci, f in self.collect(fields).items() if (m := self._decide(ci, f))]
        return sorted(matches, key=lambda m: (-m.score, m.case))

    def collect(self, fields: Mapping[str, str]) -> dict[int, _Found]:
        """Each case's hits in ``fields``, before deciding (``explain`` reads them too)."""
        found: dict[int, _Found] = {}
        for name, value in fields.items():
            if not value:
                continue
            text = clean_text(value)
            for term, surface, pos, form in self._scan(text):
                hit = Hit(term.text, term.kind, name, surface, form)
                found.setdefault(term.case, _Found()).add(hit, term.alone, pos)
            for ci, hit, pos in self._scan_numbers(text, name):
                found.setdefault(ci, _Found()).add(hit, False, pos)
        return found

    # ------------------------------------------------------------ scanning

    def _entries(self, surfaces: list[str]) -> list[tuple[Entry, ...]]:
        """What each word stands for, from the per-word cache (filled on a miss)."""
        cache = self._cache
        cached: list[tuple[Entry, ...] | None] = list(map(cache.get, surfaces))
        if None not in cached:
            return cached  # type: ignore[return-value]  # no None left: checked above
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        out: list[tuple[Entry, ...]] = []
        for surface, hit in zip(surfaces, cached, strict=True):
            if hit is None:
                hit = cache.get(surface)  # a word repeated in this text is resolved once
                if hit is None:
                    hit = cache[surface] = self._ranked(surface, self._index.resolve(surface))
            out.append(hit)
        return out

    def _ranked(self, surface: str, entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
        """A word's entries, the longest terms first, then those sharing most of the word's
        start: ranked once, when the word is cached, not at each of its occurrences."""
        if len(entries) < 2:
            return entries
        here, terms = fold(surface), self._index.terms
        return tuple(
            sorted(entries, key=lambda e: (-terms[e[0]].size, -_shared(here, terms[e[0]].head)))
        )

    def _scan(self, text: str) -> Iterator[tuple[_Term, str, int, str]]:
        """(term, text as found, word position, name form); one per case, kind and position."""
        surfaces = words(text)
        resolved = self._entries(surfaces)
        if not any(resolved):
            return
        spans: list[tuple[int, int]] = []
        terms = self._index.terms
        for pos, entries in enumerate(resolved):
            if not entries:
                continue
            taken: set[tuple[int, str]] = set()
            for tid, word in entries:  # ranked (``_ranked``)
                term = terms[tid]
                if word != 0 or (term.case, term.kind) in taken:
                    continue
                if term.size == 1:
                    taken.add((term.case, term.kind))
                    yield term, surfaces[pos], pos, ""
                    continue
                if term.name is not None:
                    spans = spans or [m.span() for m in _WORD_RE.finditer(text)]
                    if name := term.name.find(Words(text, surfaces, spans), pos):
                        taken.add((term.case, term.kind))
                        yield term, text[spans[name.start][0] : name.stop], name.start, name.form
                    continue
                end = _phrase_end(resolved, pos, tid, term.size)
                if end is None:
                    continue
                spans = spans or [m.span() for m in _WORD_RE.finditer(text)]
                if not _BREAK_RE.search(text[spans[pos][1] : spans[end][0]]):
                    taken.add((term.case, term.kind))
                    yield term, text[spans[pos][0] : spans[end][1]], pos, ""

    def _scan_numbers(self, text: str, name: str) -> Iterator[tuple[int, Hit, int]]:
        """Article mentions and case numbers, with the word position where they start."""
        if self._articles:
            for number, surface, start in self._article_mentions(text):
                for ci in self._articles[number]:
                    yield ci, Hit(number, "article", name, surface), _word_pos(text, start)
        if self._case_numbers and "/" in text:
            for found in CASE_NUMBER_RE.finditer(text):
                for ci in self._case_numbers.get(normalize_case_number(found.group()), ()):
                    number = self.cases[ci].case_numbers[0]
                    hit = Hit(number, "case_number", name, found.group())
                    yield ci, hit, _word_pos(text, found.start())

    def _article_mentions(self, text: str) -> Iterator[tuple[str, str, int]]:
        """Configured articles mentioned in ``text``; the full pattern runs only near them."""
        seen: set[int] = set()
        for number in self._article_hint.finditer(text):
            start = max(0, number.start() - 40)
            for found in ARTICLE_RE.finditer(text[start : number.end() + 40]):
                if start + found.start() in seen:
                    continue
                seen.add(start + found.start())
                for value, surface in article_numbers(found):
                    if value in self._articles:
                        yield value, surface, start + found.start()

    # ------------------------------------------------------------ deciding

    def _decide(self, ci: int, found: _Found) -> Match | None:
        kinds = {kind for kind, _ in found.hits}
        by_number = "case_number" in kinds
        if "exclude" in kinds and not by_number:
            return None
        topic = (found.together() or not self._needs_context[ci]) and bool(found.topics)
        if not (by_number or found.alone or topic):
            return None
        why = sorted(
            (h for h in found.hits.values() if h.kind != "exclude"),
            key=lambda h: (_KIND_ORDER.get(h.kind, 9), h.field != "title"),
        )
        return Match(self.cases[ci].slug, found.score(), tuple(why))


def _word_pos(text: str, offset: int) -> int:
    return len(_WORD_RE.findall(text, 0, offset))


@dataclass(slots=True)
class _Found:
    """One case's hits in one record: the first hit per (kind, term), a title hit preferred,
    and where topic and context hits sit (field, word position) for the co-occurrence rule."""

    hits: dict[tuple[str, str], Hit] = field(default_factory=dict)
    titled: set[tuple[str, str]] = field(default_factory=set)
    alone: set[tuple[str, str]] = field(default_factory=set)
    topics: list[tuple[str, int]] = field(default_factory=list)
    contexts: list[tuple[str, int]] = field(default_factory=list)

    def add(self, hit: Hit, alone: bool, pos: int) -> None:
        key = (hit.kind, hit.term)
        if key not in self.hits or (hit.field == "title" and key not in self.titled):
            self.hits[key] = hit
        if hit.field == "title":
            self.titled.add(key)
        if alone:
            self.alone.add(key)
        elif hit.kind in ("keyword", "article"):
            self.topics.append((hit.field, pos))
        elif hit.kind in ("context", "person"):
            self.contexts.append((hit.field, pos))

    def together(self) -> bool:
        """A topic and a context hit both in their fields' leads, or near each other."""
        if any(p < LEAD_WORDS for _, p in self.topics) and any(
            p < LEAD_WORDS for _, p in self.contexts
        ):
            return True
        return any(
            tf == cf and abs(tp - cp) <= NEAR_WORDS
            for tf, tp in self.topics
            for cf, cp in self.contexts
        )

    def score(self) -> float:
        """Relevance in (0, 1): more distinct signals and title hits score higher.

        Each distinct (kind, term) counts once with its weight — case number 4, person named
        alone 3, other person 1.5, keyword / article / context 1 — times 1.5 when it occurs in
        the title. With ``raw`` the sum, ``score = raw / (raw + 2)``: a keyword and a context
        word in the summary score 0.5, both in the title 0.6, a case number alone 0.667.
        """
        raw = 0.0
        for key in self.hits:
            if key[0] == "exclude":
                continue
            weight = WEIGHTS["alone" if key in self.alone else key[0]]
            raw += weight * (TITLE_BONUS if key in self.titled else 1.0)
        return round(raw / (raw + 2.0), 3)


def _phrase_end(resolved: list[tuple[Entry, ...]], start: int, tid: int, size: int) -> int | None:
    """Position of the phrase's last word if its words follow ``start`` in order, else None.

    Up to MAX_GAP other words may sit between two of its words (the caller checks that no
    sentence break does).
    """
    last, need = start, 1
    for pos in range(start + 1, min(len(resolved), start + size * (MAX_GAP + 1))):
        if pos - last > MAX_GAP + 1:
            return None
        if (tid, need) in resolved[pos]:
            last, need = pos, need + 1
            if need == size:
                return last
    return None


# ---------------------------------------------------------------- compiling


@dataclass(frozen=True, slots=True)
class _Spec:
    """A configured term to index: its text, how hits are labelled, and its language."""

    text: str
    label: str
    kind: str
    lang: str | None = None
    alone: bool = False


def _case_specs(case: Case) -> Iterator[_Spec]:
    for lang, terms in case.keywords.items():
        yield from (_Spec(t, t, "keyword", lang) for t in terms)
    for lang, terms in case.require.items():
        yield from (_Spec(t, t, "context", lang) for t in terms)
    yield from (_Spec(court, court, "context") for court in case.courts)
    for person in case.people:
        for variant in dict.fromkeys((person.name, *person.variants)):
            yield _Spec(variant, person.name, "person", alone=person.alone)
    yield from (_Spec(t, t, "exclude") for t in case.exclude)


def _add_term(index: _Index, ci: int, spec: _Spec) -> None:
    """Index each word of a term; ``word*`` (a trailing star) is a prefix."""
    text = clean_text(spec.text)
    found = list(_WORD_RE.finditer(text))
    if not found:
        log.warning("case term %r has no words; ignored", spec.text)
        return
    tid = len(index.terms)
    name = parse_name(spec.text) if spec.kind == "person" else None
    if name is not None:  # indexed by its surname; the words around it are checked in _scan
        head = fold(name.surname)
        index.terms.append(_Term(ci, spec.label, spec.kind, spec.alone, name.size, head, name))
        index.add(expand_word(name.surname, **NAME_FLAGS), (tid, 0))
        return
    head = fold(found[0].group())
    index.terms.append(_Term(ci, spec.label, spec.kind, spec.alone, len(found), head))
    for wi, word in enumerate(found):
        star = "*" if text[word.end() : word.end() + 1] == "*" else ""
        flags = _flags(spec.kind, spec.lang, word.group())
        index.add(expand_word(word.group() + star, **flags), (tid, wi))


def compile_cases(cases: Sequence[Case]) -> Matcher:
    """Expand and index every case's terms (done once per run)."""
    index = _Index()
    numbers: dict[str, list[int]] = {}
    for ci, case in enumerate(cases):
        for spec in _case_specs(case):
            _add_term(index, ci, spec)
        for number in case.case_numbers:
            numbers.setdefault(normalize_case_number(number), []).append(ci)
    log.debug(
        "compiled %d cases: %d terms, %d keys", len(cases), len(index.terms), len(index.exact)
    )
    return Matcher(cases, index, numbers)


def matches_text(matcher: Matcher, text: str) -> list[str]:
    """Slugs of the cases a plain text matches (a test and CLI convenience)."""
    return [m.case for m in matcher.match({"text": text})]
