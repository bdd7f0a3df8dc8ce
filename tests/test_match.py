"""The matcher on small hand-made cases: forms, scripts, co-occurrence, vetoes, numbers, why."""

from __future__ import annotations

import pytest

from pipeline.config.cases import Case, Person
from pipeline.match.cases import (
    Matcher,
    article_mentions,
    compile_cases,
    matches_text,
    normalize_case_number,
)

CASES = [
    Case(
        slug="tk",
        title="Taldykorgan torture",
        keywords={
            "ru": ("пытки", "пытать", "недозволенные методы"),
            "kk": ("азапта*",),
            "en": ("torture",),
        },
        articles=("146",),
        require={
            "ru": ("Талдыкорган", "ДП Алматинской области"),
            "kk": ("Талдықорған",),
            "en": ("Taldykorgan",),
        },
        people=(
            Person(name="Azamat Batyrbayev", variants=("Азамат Батырбаев",)),
            Person(name="Alexander Kim", alone=False, variants=("Александр Ким",)),
        ),
        exclude=("учения",),
    ),
    Case(
        slug="kudebayev",
        title="Kudebayev trial",
        people=(Person(name="Serik Kudebayev", variants=("Kudebayev", "Кудебаев", "Күдебаев")),),
        case_numbers=("1917-22-00-1/215",),
        exclude=("однофамилец",),
    ),
    Case(
        slug="ten",
        title="A short name",
        people=(Person(name="Viktor Ten", variants=("Ten", "Тен")),),
    ),
    Case(
        slug="topic-only",
        title="No context configured",
        keywords={"en": ("Koshmambet",)},
    ),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return compile_cases(CASES)


POSITIVES = [
    # Russian inflection: keyword and context in oblique cases
    ("В Талдыкоргане осудили полицейских за пытки", "tk"),
    ("Полицейские пытали задержанных в Талдыкоргане", "tk"),
    ("Пытками в талдыкорганском ДП? Нет: суд в Талдыкоргана", "tk"),
    ("Применение недозволенных методов сотрудниками ДП Алматинской области", "tk"),
    # Kazakh suffixes and a prefix term
    ("Талдықорғанда полицейлер ұсталғандарды азаптаған", "tk"),
    ("Талдықорғандағы азаптау ісі бойынша үкім шықты", "tk"),
    ("Талдықорғанның полицейлері азаптағаны үшін сотталды", "tk"),
    # English and transliteration variants
    ("Police in Taldyqorghan tortured detainees", "tk"),
    ("Torture trial opens in Taldy-Korgan", "tk"),
    ("Taldykorgan's police accused of torturing protesters", "tk"),
    # Look-alike Latin letters inside Cyrillic words
    ("Пытки в Тaлдыкоргане", "tk"),
    # Article mentions count as topic
    ("Суд Талдыкоргана: трое осуждены по ст. 146 УК", "tk"),
    ("Талдыкорган: дело по части 2 статьи 146", "tk"),
    ("Талдықорған: ҚК-нің 146-бабы бойынша іс", "tk"),
    ("Taldykorgan officers charged under Article 146", "tk"),
    # A person named alone, in any script and form
    ("Азамат Батырбаев рассказал о пережитом", "tk"),
    ("Азамата Батырбаева допросили", "tk"),
    ("Azamat Batyrbaev speaks out", "tk"),
    ("Азамат Батырбаевтың ісі", "tk"),
    # A context person + topic, no place
    ("Адвокат Александр Ким заявил о пытках", "tk"),
    ("Суд над Кудебаевым отложен", "kudebayev"),
    ("Серика Кудебаева экстрадировали", "kudebayev"),
    ("Kudebaev handed 10 years", "kudebayev"),
    ("Күдебаевқа үкім шықты", "kudebayev"),
    ("Күдебаевтың апелляциясы қаралады", "kudebayev"),
    # Case number alone, normalised
    ("Дело № 1917-22-00-1/215 назначено", "kudebayev"),
    ("Дело 1917 – 22 – 00 – 1/215(2)", "kudebayev"),
    ("Іс №1917-22-00-1/0215", "kudebayev"),
    # A short name matches itself
    ("Lawyer Ten appeals", "ten"),
    ("Адвокат Тен обжаловал приговор", "ten"),
    # A case without context terms needs only a topic hit
    ("Koshmambet detainees testify", "topic-only"),
]


@pytest.mark.parametrize(("text", "slug"), POSITIVES)
def test_positive(matcher: Matcher, text: str, slug: str) -> None:
    assert slug in matches_text(matcher, text)


NEGATIVES = [
    ("В Талдыкоргане открыли новый парк", "tk"),  # same city, no torture
    ("В Шымкенте полицейских осудили за пытки", "tk"),  # torture elsewhere
    ("Taldykorgan hosts a football match", "tk"),
    ("Полицейские пытались остановить машину в Талдыкоргане", "tk"),  # пытаться ≠ пытать
    ("В Талдыкоргане питали надежды на урожай", "tk"),
    ("Попытки властей Талдыкоргана", "tk"),
    ("Torture in Shymkent police station", "tk"),
    ("Kim Jong Un accused of torture", "tk"),  # an unrelated Kim
    ("Батырбаев выиграл турнир", "tk"),  # surname without the first name
    ("Тенге укрепился к доллару", "ten"),  # Ten + ге
    ("The tenge fell", "ten"),
    ("Теңгеден айырылды", "ten"),
    ("Дело № 1917-22-00-1/216", "kudebayev"),
    ("Дело № 1917-22-00-2/215", "kudebayev"),
    ("Талдыкорган: ст. 1460 не применялась", "tk"),
    ("Талдыкорган: статья 146-1 о другом", "tk"),
]


@pytest.mark.parametrize(("text", "slug"), NEGATIVES)
def test_negative(matcher: Matcher, text: str, slug: str) -> None:
    assert slug not in matches_text(matcher, text)


def test_cooccurrence_crosses_sentences(matcher: Matcher) -> None:
    """Only a phrase must sit in one sentence; topic and context need only be close."""
    assert "tk" in matches_text(matcher, "Талдыкорган. Пытки")


FILLER = " ".join(["Новости экономики и погоды за неделю."] * 40)  # 240 words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"В Талдыкоргане открыли парк. {FILLER} В Шымкенте пытки.", []),  # a round-up
        (f"{FILLER} Полицейские Талдыкоргана пытали задержанных.", ["tk"]),  # near, deep in text
        (f"Пытки. {' '.join(['слово'] * 60)} Талдыкорган.", ["tk"]),  # both in the lead
        (f"{FILLER} Пытки. {FILLER} Талдыкорган.", []),  # deep and far apart
        (f"{FILLER} Азамат Батырбаев дал показания.", ["tk"]),  # a name alone: anywhere
    ],
)
def test_topic_and_context_must_be_together(
    matcher: Matcher, text: str, expected: list[str]
) -> None:
    assert matches_text(matcher, text) == expected


def test_lead_counts_per_field(matcher: Matcher) -> None:
    fields = {
        "title": "Суд над полицейскими в Талдыкоргане",
        "text": "Их обвиняют в пытках. " + FILLER,
    }
    assert [m.case for m in matcher.match(fields)] == ["tk"]
    fields["text"] = FILLER + " Их обвиняют в пытках."
    assert matcher.match(fields) == []


def test_context_needs_a_topic(matcher: Matcher) -> None:
    assert matcher.match({"title": "Талдыкорган", "summary": "ДП Алматинской области"}) == []


def test_topic_may_be_in_another_field(matcher: Matcher) -> None:
    found = matcher.match(
        {"title": "Полицейских осудили за пытки", "summary": "Суд в Талдыкоргане"}
    )
    assert [m.case for m in found] == ["tk"]


@pytest.mark.parametrize(
    ("fields", "slug"),
    [
        ({"title": "Пытки в Талдыкоргане: учения полиции"}, "tk"),
        ({"title": "Кудебаев — однофамилец генерала"}, "kudebayev"),
    ],
)
def test_exclusion_vetoes(matcher: Matcher, fields: dict[str, str], slug: str) -> None:
    assert slug not in [m.case for m in matcher.match(fields)]


def test_case_number_overrides_exclusion(matcher: Matcher) -> None:
    found = matcher.match({"title": "Однофамилец? Дело 1917-22-00-1/215 слушается"})
    assert [m.case for m in found] == ["kudebayev"]


def test_phrase_words_in_order_within_a_sentence(matcher: Matcher) -> None:
    assert "tk" in matches_text(matcher, "Александра Кима вызвали; речь о пытках")
    assert "tk" not in matches_text(matcher, "Вызвали Кима и Александра. Речь о пытках")
    assert "tk" not in matches_text(matcher, "Был Александр. Ким рассказал о пытках")


def test_why_names_term_kind_field_and_surface(matcher: Matcher) -> None:
    [match] = matcher.match(
        {"title": "Пытками занимались в Талдыкоргане", "summary": "Осуждены по ч.2 ст.146 УК РК"}
    )
    assert match.reason() == (
        "keyword 'пытки' (as 'Пытками') in title; article '146' (as 'ст.146') in summary; "
        "context 'Талдыкорган' (as 'Талдыкоргане') in title"
    )


def test_why_for_people_and_phrases(matcher: Matcher) -> None:
    [match] = matcher.match({"summary": "Азамата Батырбаева пытали"})
    person = match.why[0]
    assert (person.term, person.kind, person.field, person.found) == (
        "Azamat Batyrbayev",
        "person",
        "summary",
        "Азамата Батырбаева",
    )
    [number] = matcher.match({"text": "Дело 1917-22-00-1/215(2) рассмотрено"})
    assert str(number.why[0]) == "case_number '1917-22-00-1/215' (as '1917-22-00-1/215(2)') in text"


def test_one_hit_per_term_and_title_preferred(matcher: Matcher) -> None:
    [match] = matcher.match(
        {"summary": "Пытки, пытки и пытки в Талдыкоргане", "title": "Пытки в Талдыкоргане"}
    )
    assert [(h.term, h.field) for h in match.why] == [("пытки", "title"), ("Талдыкорган", "title")]


def test_score_rises_with_signals_and_title(matcher: Matcher) -> None:
    def score(fields: dict[str, str]) -> float:
        return matcher.match(fields)[0].score

    summary = score({"summary": "Пытки в Талдыкоргане"})
    title = score({"title": "Пытки в Талдыкоргане"})
    more = score({"title": "Пытки в Талдыкоргане", "summary": "ст. 146, адвокат Александр Ким"})
    assert 0 < summary < title < more < 1
    assert summary == 0.5


def test_results_are_sorted_best_first(matcher: Matcher) -> None:
    found = matcher.match(
        {"title": "Kudebayev: Дело 1917-22-00-1/215", "summary": "Пытки в Талдыкоргане"}
    )
    assert [m.case for m in found] == ["kudebayev", "tk"]
    assert found[0].score > found[1].score


def test_empty_fields_and_no_cases() -> None:
    assert compile_cases([]).match({"title": "Пытки в Талдыкоргане"}) == []
    assert compile_cases(CASES).match({"title": "", "summary": None}) == []  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("по ч. 2 ст. 146 УК РК", ["146"]),
        ("ст.146 ч.2", ["146"]),
        ("статьям 146 и 362 УК", ["146", "362"]),
        ("146-й статьи", ["146"]),
        ("части 2 статьи 146", ["146"]),
        ("ҚК-нің 146-бабының 2-бөлігі", ["146"]),
        ("under Articles 146 and 362", ["146", "362"]),
        ("Art. 146", ["146"]),
        ("статья 146-1", ["146-1"]),
        ("в 146 км от города", []),
        ("146 человек", []),
    ],
)
def test_article_mentions(text: str, expected: list[str]) -> None:
    assert [number for number, _ in article_mentions(text)] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1917-22-00-1/215", "1917-22-00-1/215"),
        ("1917 – 22 — 00 ‑ 1 / 215 (3)", "1917-22-00-1/215"),
        ("6003-25-00-4к/1454(2)", "6003-25-00-4k/1454"),
        ("7594-25-00-4/05229", "7594-25-00-4/5229"),
        ("6294-25-00-4А/215", "6294-25-00-4a/215"),  # Cyrillic А and Latin a agree
    ],
)
def test_normalize_case_number(value: str, expected: str) -> None:
    assert normalize_case_number(value) == expected


def test_matcher_is_reusable_and_cache_stays_correct(matcher: Matcher) -> None:
    first = matches_text(matcher, "Пытки в Талдыкоргане")
    matches_text(matcher, "Пытки в Шымкенте")
    assert matches_text(matcher, "Пытки в Талдыкоргане") == first == ["tk"]
