"""A monitor's query → a parsed query → FTS5 MATCH text or a PostgreSQL tsquery. Pure.

The grammar is forgiving on purpose; nothing a user types is passed through as syntax:

* words are ANDed; ``"a quoted phrase"`` («…», “…” too) keeps its words in order;
* ``word*`` is a prefix; ``-word`` / ``-"phrase"`` / ``NOT word`` excludes; ``a OR b`` either;
  ``AND`` and ``NEAR`` are ignored (AND is the default);
* a word written with hyphens or slashes (``1917-22-00-1/215``, ``146-бабы``) is a phrase;
* everything else (brackets, quotes left open, ``ст.``) is punctuation between words.

Only keys (``[a-z0-9]+``, see ``keys``) reach the compiled query, so it is always valid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice, product
from math import prod

from pipeline.match.keys import COMPOUND_RE, Alt, article_keys, query_alts
from pipeline.match.terms import ARTICLE_RE, CASE_NUMBER_RE, clean_text, normalize_case_number

MAX_QUERY_CHARS = 1000
MAX_WORDS = 16
MAX_PHRASE_VARIANTS = 8
"""A phrase of words with several forms each is searched as at most this many variants."""

_UNIT_RE = re.compile(
    r"""(?P<neg>-(?=["«“„\w]))?(?:"(?P<q1>[^"]*)"?|«(?P<q2>[^»]*)»?|“(?P<q3>[^”]*)”?"""
    r"""|„(?P<q4>[^“”]*)[“”]?|(?P<bare>[^\s"«“„]+))"""
)
_QUOTED_RE = re.compile(r"""("[^"]*"?|«[^»]*»?|“[^”]*”?|„[^“”]*[“”]?)|([^"«“„]+)""")
_WORD_RE = re.compile(r"[^\W_]+(?:['’ʼ`][^\W_]+)*(?P<star>\*)?")
_IGNORED = frozenset({"AND", "NEAR", "&", "&&", "+"})
_OR = frozenset({"OR", "|", "||"})
_NOT = frozenset({"NOT", "!"})

Word = tuple[Alt, ...]
"""The forms one query word may take (any of them matches)."""


@dataclass(frozen=True, slots=True)
class Term:
    """A word, or a phrase: words in this order, next to each other."""

    words: tuple[Word, ...]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    groups: tuple[tuple[Term, ...], ...]
    """Every group must match; within a group, any term (``a OR b``)."""
    excluded: tuple[Term, ...]
    message: str | None = None
    """Why nothing can be searched, or what was dropped from the query."""

    @property
    def searchable(self) -> bool:
        return bool(self.groups)

    def alts(self) -> tuple[Alt, ...]:
        """Every form of every wanted word (to mark hits in a snippet)."""
        return tuple(a for g in self.groups for t in g for w in t.words for a in w)


@dataclass(slots=True)
class _State:
    groups: list[list[Term]]
    excluded: list[Term]
    words: int = 0
    pending_or: bool = False
    pending_not: bool = False
    dropped: bool = False


def parse_query(query: str) -> ParsedQuery:
    """Parse whatever was typed; ``message`` says why when there is nothing to search."""
    text = clean_text(query or "")
    cut = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    if "/" in text:
        text = CASE_NUMBER_RE.sub(lambda m: normalize_case_number(m.group()), text)
    text = _QUOTED_RE.sub(lambda m: m.group(1) or _article_words(m.group(2)), text)
    if not text.strip():
        return ParsedQuery((), (), "the query is empty")
    state = _State([], [])
    for unit in _UNIT_RE.finditer(text):
        _add_unit(state, unit)
    return _finish(state, cut)


def _article_words(text: str) -> str:
    """Article mentions outside quotes become ``art<number>`` words («ст. 146» = "Art. 146")."""
    return ARTICLE_RE.sub(lambda m: " " + " ".join(article_keys(m.group())) + " ", text)


def _add_unit(state: _State, unit: re.Match[str]) -> None:
    bare = unit.group("bare")
    if bare is not None and not unit.group("neg"):
        if bare in _IGNORED:
            return
        if bare in _OR:
            state.pending_or = bool(state.groups)
            return
        if bare in _NOT:
            state.pending_not = True
            return
    quoted = next((g for g in unit.group("q1", "q2", "q3", "q4") if g is not None), None)
    term = _term(state, bare if quoted is None else quoted)
    negated = bool(unit.group("neg")) or state.pending_not
    state.pending_not = False
    if term is None:
        return
    if negated:
        state.excluded.append(term)
    elif state.pending_or:
        state.groups[-1].append(term)
    else:
        state.groups.append([term])
    state.pending_or = False


def _term(state: _State, text: str) -> Term | None:
    """A word or phrase; a hyphenated name ('Taldy-Korgan') is one word, as it is indexed."""
    whole = text.rstrip("*")
    if COMPOUND_RE.fullmatch(whole):
        pieces = [(whole, whole != text)]
    else:
        pieces = [(m.group().rstrip("*"), bool(m.group("star"))) for m in _WORD_RE.finditer(text)]
    words: list[Word] = []
    for word, star in pieces:
        if state.words >= MAX_WORDS:
            state.dropped = True
            break
        alts = query_alts(word, prefix=star)
        if alts:
            words.append(alts)
            state.words += 1
    return Term(tuple(words)) if words else None


def _finish(state: _State, cut: bool) -> ParsedQuery:
    groups = tuple(tuple(g) for g in state.groups)
    excluded = tuple(state.excluded)
    if not groups:
        message = (
            "the query only excludes words; add a word to search for"
            if excluded
            else "the query has no searchable words"
        )
        return ParsedQuery((), excluded, message)
    message = None
    if cut:
        message = f"the query was shortened to its first {MAX_QUERY_CHARS} characters"
    elif state.dropped:
        message = f"the query was shortened to its first {MAX_WORDS} words"
    return ParsedQuery(groups, excluded, message)


# ---------------------------------------------------------------- compiling

Expansions = Mapping[str, tuple[str, ...]]
"""Prefix key → the indexed keys that start with it (``search_index.expand_prefixes``). A
prefix found here is compiled as those exact keys, which the index reads newest first; a
prefix not here stays a prefix (the index merges every key under it: slower, same hits)."""
NO_EXPANSIONS: Expansions = {}
MAX_EXPANDED = 128
"""A term compiles to at most this many expanded variants, else its prefixes stay prefixes."""


def prefix_keys(parsed: ParsedQuery) -> set[str]:
    """The keys the query uses as prefixes (wanted and excluded words)."""
    terms = [t for g in parsed.groups for t in g] + list(parsed.excluded)
    return {a.key for t in terms for w in t.words for a in w if a.prefix}


def _variants(term: Term) -> list[tuple[Alt, ...]]:
    """A phrase's word-form combinations (a single word: one variant per form)."""
    if len(term.words) == 1:
        return [(alt,) for alt in term.words[0]]
    return list(islice(product(*term.words), MAX_PHRASE_VARIANTS))


def _expanded(term: Term, expand: Expansions) -> list[tuple[Alt, ...]]:
    """The term's variants with each expandable prefix replaced by its exact keys (the same
    matches: a position holds a key with the prefix iff it holds one of those keys)."""
    variants = _variants(term)
    if not expand:
        return variants
    choices = [[_choices(a, expand) for a in variant] for variant in variants]
    sizes = [prod(len(c) for c in per_word) for per_word in choices]
    if sum(sizes) > MAX_EXPANDED:
        return variants
    return list(dict.fromkeys(v for per_word in choices for v in product(*per_word)))


def _choices(alt: Alt, expand: Expansions) -> tuple[Alt, ...]:
    keys = expand.get(alt.key) if alt.prefix else None
    return tuple(Alt(k) for k in keys) if keys else (alt,)


def _either(parts: list[str], sep: str) -> str:
    return parts[0] if len(parts) == 1 else "(" + sep.join(parts) + ")"


def _fts5_term(term: Term, expand: Expansions) -> str:
    variants = [
        " + ".join(f'"{a.key}"' + ("*" if a.prefix else "") for a in v)
        for v in _expanded(term, expand)
    ]
    return _either(variants, " OR ")


def to_fts5(parsed: ParsedQuery, expand: Expansions = NO_EXPANSIONS) -> str:
    """The FTS5 MATCH expression (a searchable query only)."""
    wanted = " AND ".join(
        _either([_fts5_term(t, expand) for t in g], " OR ") for g in parsed.groups
    )
    if not parsed.excluded:
        return wanted
    unwanted = _either([_fts5_term(t, expand) for t in parsed.excluded], " OR ")
    return f"({wanted}) NOT {unwanted}"


def _ts_term(term: Term, expand: Expansions) -> str:
    variants = [
        " <-> ".join(a.key + (":*" if a.prefix else "") for a in v) for v in _expanded(term, expand)
    ]
    return _either(variants, " | ")


def to_tsquery(parsed: ParsedQuery, expand: Expansions = NO_EXPANSIONS) -> str:
    """The text for ``to_tsquery('simple', …)`` (a searchable query only)."""
    parts = [_either([_ts_term(t, expand) for t in g], " | ") for g in parsed.groups]
    if parsed.excluded:
        parts.append(f"!{_either([_ts_term(t, expand) for t in parsed.excluded], ' | ')}")
    return " & ".join(parts)
