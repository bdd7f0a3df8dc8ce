"""Watch matching (a case without identity) and what groups evidence: case numbers and people
as courts and the news print them, one key per person."""

from __future__ import annotations

import pytest

from pipeline.config.watches import Watch
from pipeline.match.people import people_in
from pipeline.match.watches import WatchMatcher, article_keys, hearing_keys
from pipeline.records import Hearing

WATCH = Watch(
    id="torture-kz",
    title="Torture prosecutions in Kazakhstan",
    keywords={"ru": ("пытки",), "kk": ("азапта*",), "en": ("torture",)},
    articles=("146",),
    regions=("Казахстан", "Kazakhstan", "Шымкент", "Караганда", "Талдыкорган"),
    languages=("ru", "kk", "en"),
)
IN_COURT = Watch(
    id="taldy",
    title="Torture cases in one court",
    keywords={"ru": ("пытки",)},
    articles=("146",),
    courts=("Талдыкорганский городской суд",),
)


def row(category: str, court: str = "Шымкентский городской суд", parties: str = "") -> Hearing:
    return Hearing(
        source_id="court", court=court, case_number="1917-22-00-1/215", case_key="",
        scheduled_at=None, local_time="2026-12-01", timezone="Asia/Almaty", courtroom="",
        judge="Сеитова С.", parties=parties, category=category, stage="", status="scheduled",
        source_url="http://127.0.0.1/s", article_url="", identity="x",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "language", "watches"),
    [
        ("В Шымкенте полицейские осуждены за пытки задержанного", "ru", ["torture-kz"]),
        ("Kazakhstan: police officers convicted of torture", "en", ["torture-kz"]),
        ("Суд в Караганде: полицейский получил 5 лет по статье 146", "ru", ["torture-kz"]),
        ("В Бишкеке милиционеров судят за пытки", "ru", []),  # abroad: no region
        ("В Шымкенте открылся новый торговый центр", "ru", []),  # no topic
        ("В Шымкенте полицейские осуждены за пытки задержанного", "uz", []),  # not read
    ],
)
def test_news_needs_topic_and_region_in_a_language_read(
    text: str, language: str, watches: list[str]
) -> None:
    found = WatchMatcher([WATCH, IN_COURT]).article({"title": text}, language)
    assert [m.case for m in found] == watches


def test_a_schedule_row_needs_its_article_and_the_watch_court() -> None:
    matcher = WatchMatcher([WATCH, IN_COURT])
    [found] = matcher.hearing({"category": "ст. 146 ч. 2 УК РК", "court": "Шымкентский суд"})
    assert (
        found.case == "torture-kz" and found.reason() == "article '146' (as 'ст. 146') in category"
    )
    taldy = matcher.hearing(
        {"category": "ст. 146 ч. 2 УК РК", "court": "Талдыкорганский городской суд"}
    )
    assert {m.case for m in taldy} == {"taldy", "torture-kz"}
    assert matcher.hearing({"category": "ст. 188 ч. 2 УК РК", "court": "Шымкентский суд"}) == []


def test_a_disabled_or_absent_watch_matches_nothing() -> None:
    off = WATCH.model_copy(update={"enabled": False})
    assert not WatchMatcher([off])
    assert WatchMatcher([off]).article({"title": "пытки в Казахстане"}, "ru") == []
    assert WatchMatcher([]).hearing({"category": "ст. 146"}) == []


@pytest.mark.parametrize(
    ("text", "people"),
    [
        (
            "Абенов Н.С., Буханов А. (подсудимые)",
            [("abenov:n", "Абенов Н.С."), ("buhanov:a", "Буханов А.")],
        ),
        ("АБЕНОВ Н. С.", [("abenov:n", "АБЕНОВ Н. С.")]),
        ("суд над Н.С. Абеновым", [("abenov:n", "Н.С. Абеновым")]),
        ("Подсудимый Абенов Нуржан Серикович", [("abenov:n", "Абенов Нуржан Серикович")]),
        ("допрос Нуржана Абенова", [("abenov:n", "Нуржана Абенова")]),
        ("Нұржан Абеновтың ісі", [("abenov:n", "Нұржан Абеновтың")]),
        ("Police officer Nurzhan Abenov", [("abenov:n", "Nurzhan Abenov")]),
        ("Abenov N.S. (defendant)", [("abenov:n", "Abenov N.S.")]),
        ("Сапаров Н. Абенов К.", [("saparov:n", "Сапаров Н."), ("abenov:k", "Абенов К.")]),
        ("Суд Абенова отложен", []),  # a common word before a surname: nobody
        ("полицейский Абенов", []),  # a surname alone: nobody
        ("Генпрокуратура Казахстана сообщила", []),
    ],
)
def test_people_as_printed_get_one_key_per_person(text: str, people: list[tuple[str, str]]) -> None:
    assert [(p.key, p.shown) for p in people_in(text)] == people


def test_two_printed_forms_of_one_person_share_a_key() -> None:
    court = hearing_keys(row("ст. 146 ч. 2", parties="Абенов Н.С., Буханов А. (подсудимые)"))
    news = article_keys(
        {"title": "Полицейского Нуржана Абенова судят за пытки", "text": "Сообщил Сеитов."}
    )
    assert {p.key for p in court.people} & {p.key for p in news.people} == {"abenov:n"}
    assert court.numbers == ("1917-22-00-1/215",) and court.code_articles == ("146",)
    assert court.courts == ("Шымкентский городской суд",)


def test_article_keys_read_case_numbers_anywhere_and_people_in_the_lead() -> None:
    late = " ".join(["слово"] * 200) + " адвокат Евгений Жовтисов"
    keys = article_keys(
        {"title": "Дело № 1917 – 22-00-1/0215", "text": f"Ержан Сапаров, ст. 146. {late}"}
    )
    assert keys.numbers == ("1917-22-00-1/215",)
    assert [p.key for p in keys.people] == ["saparov:e"]
    assert keys.code_articles == ("146",)
