"""Why a text matches a case or not: every term found (as which form), and what was missing.

``casewatch match`` asks this of every case. The scan and the decision are the matcher's own
(:meth:`Matcher.collect` and :meth:`Matcher._decide`), run over the same fields ingest gives it, so an explanation can never
disagree with what ingest would store: ``matched`` is the matcher's verdict, and only the
sentence saying what was missing is composed here, from the hits the matcher collected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.config.cases import Case
from pipeline.match.cases import _KIND_ORDER, LEAD_WORDS, NEAR_WORDS, Matcher, _Found
from pipeline.records import Hit

MAX_TERMS_SHOWN = 4
"""Configured terms named in a 'missing' line, per kind: enough to recognise the list."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """One case against one text."""

    case: str
    matched: bool
    """The matcher's verdict (a disabled case is explained all the same: see ``enabled``)."""
    enabled: bool
    score: float | None
    """As ingest would store it; None when the text does not match."""
    rule: str
    """Which rule made the match: 'case number', 'person named alone', 'topic and context
    together', 'topic (the case needs no context)'; '' when there is no match."""
    hits: tuple[Hit, ...]
    """The first hit of each term (a title hit preferred), exclusions included."""
    missing: tuple[str, ...]
    """What kept the text from matching, one sentence each; empty for a match."""


def explain(matcher: Matcher, fields: Mapping[str, str], language: str = "") -> list[Explanation]:
    """Every compiled case, in config order, against ``fields`` (plain text by field name:
    ``title``, ``summary``, ``text`` as ingest passes them). ``language`` picks which
    configured terms a 'missing' sentence names (all languages' terms are looked for)."""
    found = matcher.collect(fields)
    return [
        _explain(matcher, ci, found.get(ci, _Found()), language) for ci in range(len(matcher.cases))
    ]


def _explain(matcher: Matcher, ci: int, found: _Found, language: str) -> Explanation:
    case = matcher.cases[ci]
    decided = matcher._decide(ci, found)
    hits = tuple(
        sorted(
            found.hits.values(),
            key=lambda h: (_KIND_ORDER.get(h.kind, 9), h.field != "title", h.term),
        )
    )
    needs_context = matcher._needs_context[ci]
    if decided is not None:
        rule = _rule(found, needs_context)
        return Explanation(case.slug, True, case.enabled, decided.score, rule, hits, ())
    missing = _missing(case, found, needs_context, language)
    return Explanation(case.slug, False, case.enabled, None, "", hits, missing)


def _rule(found: _Found, needs_context: bool) -> str:
    kinds = {kind for kind, _ in found.hits}
    if "case_number" in kinds:
        return "case number"
    if found.alone:
        return "person named alone"
    if not needs_context:
        return "topic (the case needs no context)"
    if any(p < LEAD_WORDS for _, p in found.topics) and any(
        p < LEAD_WORDS for _, p in found.contexts
    ):
        return f"topic and context both in the first {LEAD_WORDS} words of their fields"
    return f"topic and context within {NEAR_WORDS} words"


def _missing(case: Case, found: _Found, needs_context: bool, language: str) -> tuple[str, ...]:
    excluded = [h for h in found.hits.values() if h.kind == "exclude"]
    if excluded:
        terms = ", ".join(_quoted(h) for h in excluded)
        return (f"excluded: {terms} found (only a case number overrides an exclude term)",)
    topic, context = bool(found.topics), bool(found.contexts)
    if topic and context:
        return (_apart(found),)
    if topic and needs_context:
        return (f"topic found, no context term ({_context_terms(case, language)})",)
    if context:
        return (f"context found, no topic term ({_topic_terms(case, language)})",)
    return (_nothing(case, language),)


def _nothing(case: Case, language: str) -> str:
    """Nothing of the case found: name what would have identified it."""
    parts = []
    if case.keywords or case.articles:
        parts.append(f"no topic term ({_topic_terms(case, language)})")
    alone = [p.name for p in case.people if p.alone]
    if alone:
        parts.append(f"no person named alone ({_some(alone)})")
    if case.case_numbers:
        parts.append(f"no case number ({_some(case.case_numbers)})")
    return "nothing found: " + (", ".join(parts) or "the case has no terms")


def _apart(found: _Found) -> str:
    """Topic and context both found, too far apart: how far, and where."""
    gaps = [abs(tp - cp) for tf, tp in found.topics for cf, cp in found.contexts if tf == cf]
    where = f"nearest {min(gaps)} words apart" if gaps else "they are in different fields"
    return (
        f"topic found, no context within {NEAR_WORDS} words ({where}); nor are both in the"
        f" first {LEAD_WORDS} words of their fields"
    )


def _quoted(hit: Hit) -> str:
    shown = f"«{hit.term}»"
    return shown if hit.found.casefold() == hit.term.casefold() else f"{shown} as «{hit.found}»"


def _topic_terms(case: Case, language: str) -> str:
    parts = [_listed("keywords", case.keywords, language)]
    if case.articles:
        parts.append("articles " + ", ".join(case.articles))
    return "; ".join(p for p in parts if p) or "the case has no keywords or articles"


def _context_terms(case: Case, language: str) -> str:
    parts = [_listed("require", case.require, language)]
    if case.courts:
        parts.append(f"{len(case.courts)} court name{'s' if len(case.courts) != 1 else ''}")
    context_people = [p.name for p in case.people if not p.alone]
    if context_people:
        parts.append("people " + _some(context_people))
    return "; ".join(p for p in parts if p)


def _listed(kind: str, terms: Mapping[str, tuple[str, ...]], language: str) -> str:
    """'require (ru): Талдыкорган, Жетысу, …' in the text's language, else every language."""
    if language in terms:
        return f"{kind} ({language}): {_some(terms[language])}"
    every = [t for words in terms.values() for t in words]
    return f"{kind}: {_some(every)}" if every else ""


def _some(terms: list[str] | tuple[str, ...]) -> str:
    shown = ", ".join(terms[:MAX_TERMS_SHOWN])
    return shown + (", …" if len(terms) > MAX_TERMS_SHOWN else "")
