"""``explain``: the matcher's own verdict for every case, the form each term was found as, and
a sentence for what was missing — one row per rule of the matcher."""

from __future__ import annotations

import pytest
from test_match import CASES, FILLER, NEGATIVES, POSITIVES

from pipeline.match.cases import Matcher, compile_cases
from pipeline.match.explain import Explanation, explain


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return compile_cases(CASES)


def one(matcher: Matcher, slug: str, fields: dict[str, str], language: str = "ru") -> Explanation:
    [found] = [e for e in explain(matcher, fields, language) if e.case == slug]
    return found


FIELDS = [
    *({"text": text} for text, _ in [*POSITIVES, *NEGATIVES]),
    {"title": "Суд над полицейскими в Талдыкоргане", "text": "Их обвиняют в пытках. " + FILLER},
    {"title": "Суд над полицейскими в Талдыкоргане", "text": FILLER + " Их обвиняют в пытках."},
    {"title": "Полицейских осудили за пытки", "summary": "Суд в Талдыкоргане"},
    {"title": "Пытки в Талдыкоргане: учения полиции"},
    {"title": "Однофамилец? Дело 1917-22-00-1/215 слушается"},
    {"text": f"{FILLER} Пытки. {FILLER} Талдыкорган."},
]


@pytest.mark.parametrize("fields", FIELDS)
def test_the_verdict_and_score_are_the_matchers_own(
    matcher: Matcher, fields: dict[str, str]
) -> None:
    explained = explain(matcher, fields)
    assert [e.case for e in explained] == [c.slug for c in CASES]  # every case, config order
    matched = {e.case: e.score for e in explained if e.matched}
    assert matched == {m.case: m.score for m in matcher.match(fields)}
    for e in explained:
        assert bool(e.rule) == e.matched and bool(e.missing) == (not e.matched)


def test_a_match_lists_each_term_with_the_form_it_was_found_as(matcher: Matcher) -> None:
    e = one(matcher, "tk", {"title": "Пытками в Талдыкоргане", "text": "Суд по ст. 146 УК"})
    assert e.matched and e.rule == "topic and context both in the first 120 words of their fields"
    found = {(h.kind, h.term, h.found, h.field) for h in e.hits}
    assert found == {
        ("keyword", "пытки", "Пытками", "title"),
        ("context", "Талдыкорган", "Талдыкоргане", "title"),
        ("article", "146", "ст. 146", "text"),
    }


@pytest.mark.parametrize(
    ("slug", "text", "rule"),
    [
        ("kudebayev", "Дело № 1917-22-00-1/215 назначено", "case number"),
        ("tk", "Азамата Батырбаева допросили", "person named alone"),
        ("tk", f"{FILLER} Полицейские Талдыкоргана пытали задержанных.", "topic and context within 40 words"),
        ("topic-only", "Koshmambet detainees testify", "topic (the case needs no context)"),
    ],
)  # fmt: skip
def test_the_rule_that_made_the_match(matcher: Matcher, slug: str, text: str, rule: str) -> None:
    e = one(matcher, slug, {"text": text})
    assert e.matched and e.rule == rule and e.missing == ()


@pytest.mark.parametrize(
    ("slug", "fields", "missing"),
    [
        ("tk", {"text": "Полицейские пытали задержанных"},
         "topic found, no context term (require (ru): Талдыкорган, ДП Алматинской области;"
         " people Alexander Kim)"),
        ("tk", {"text": f"{FILLER} Пытки. {FILLER} Талдыкорган."},
         "topic found, no context within 40 words (nearest 241 words apart); nor are both in the"
         " first 120 words of their fields"),
        ("tk", {"title": "Талдыкорган", "text": f"{FILLER} Пытки."},
         "topic found, no context within 40 words (they are in different fields); nor are both"
         " in the first 120 words of their fields"),
        ("tk", {"title": "Талдыкорган", "summary": "ДП Алматинской области"},
         "context found, no topic term (keywords (ru): пытки, пытать, недозволенные методы;"
         " articles 146)"),
        ("tk", {"title": "Пытки в Талдыкоргане: учения полиции"},
         "excluded: «учения» found (only a case number overrides an exclude term)"),
        ("kudebayev", {"title": "Погода в Алматы"},
         "nothing found: no person named alone (Serik Kudebayev), no case number"
         " (1917-22-00-1/215)"),
        ("topic-only", {"title": "Погода в Алматы"},  # no Russian keywords: every language's
         "nothing found: no topic term (keywords: Koshmambet)"),
    ],
)  # fmt: skip
def test_what_was_missing(
    matcher: Matcher, slug: str, fields: dict[str, str], missing: str
) -> None:
    e = one(matcher, slug, fields)
    assert not e.matched and e.score is None
    assert e.missing == (missing,)


def test_the_language_picks_the_terms_a_missing_part_names(matcher: Matcher) -> None:
    fields = {"text": "Полицейские пытали задержанных"}
    assert "require (kk): Талдықорған" in one(matcher, "tk", fields, "kk").missing[0]
    assert "require (en): Taldykorgan" in one(matcher, "tk", fields, "en").missing[0]
    every = one(matcher, "tk", fields, "de").missing[0]  # no terms in that language: all
    assert "require: Талдыкорган, ДП Алматинской области, Талдықорған, Taldykorgan" in every


def test_an_exclusion_is_shown_among_the_hits(matcher: Matcher) -> None:
    e = one(matcher, "tk", {"title": "Пытки в Талдыкоргане: учения полиции"})
    assert ("exclude", "учения") in {(h.kind, h.term) for h in e.hits}
