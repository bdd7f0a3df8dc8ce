"""normalize/announced: hearing dates announced in news text (ru, kk, en)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from pipeline.parse.announced import Announced, extract_announced, sentences

PUBLISHED = datetime(2024, 12, 20, 6, 0, tzinfo=UTC)
"""20 Dec 2024, 11:00 in Almaty: dates without a year fall in 2025 unless in late December."""

S, P, N = "scheduled", "postponed_to", "postponed_no_date"

POSITIVES = [
    # ru
    ("ru", "Следующее заседание назначено на 5 октября.", S, date(2025, 10, 5), None),
    ("ru", "Заседание отложено до 12 января.", P, date(2025, 1, 12), None),
    ("ru", "Рассмотрение дела продолжится 3 апреля в 10:00.", S, date(2025, 4, 3), time(10)),
    ("ru", "Суд назначил оглашение приговора на 18 марта.", S, date(2025, 3, 18), None),
    ("ru", "Слушание перенесено на 29 июня.", P, date(2025, 6, 29), None),
    ("ru", "Судебное заседание состоится 14.02.2025 в 11.00.", S, date(2025, 2, 14), time(11)),
    ("ru", "Заседание отложено на неопределённый срок.", N, None, None),
    ("ru", "Суд отложил рассмотрение дела.", N, None, None),
    (
        "ru",
        "Оглашение приговора состоится 27 декабря в 15:30.",
        S,
        date(2024, 12, 27),
        time(15, 30),
    ),
    ("ru", "Процесс возобновится 10 февраля 2025 года.", S, date(2025, 2, 10), None),
    ("ru", "12 января суд продолжит рассмотрение дела.", S, date(2025, 1, 12), None),
    ("ru", "В заседании объявлен перерыв до 9 января.", P, date(2025, 1, 9), None),
    (
        "ru",
        "Судья отложила слушание до 15-го января в 9 часов утра.",
        P,
        date(2025, 1, 15),
        time(9),
    ),
    ("ru", "Суд продолжит заседание завтра в 10:00.", S, date(2024, 12, 21), time(10)),
    ("ru", "Прения сторон назначены на 2025-01-14.", S, date(2025, 1, 14), None),
    (
        "ru",
        "Заседание, начавшееся 10 декабря 2024 года, отложено до 20 января.",
        P,
        date(2025, 1, 20),
        None,
    ),
    # kk
    ("kk", "Сот отырысы 5 қазанға қалдырылды.", P, date(2025, 10, 5), None),
    ("kk", "Келесі отырыс 12 қаңтарда өтеді.", S, date(2025, 1, 12), None),
    ("kk", "Сот отырысы белгісіз мерзімге қалдырылды.", N, None, None),
    ("kk", "Іс 3 сәуірге дейін кейінге шегерілді.", P, date(2025, 4, 3), None),
    (
        "kk",
        "Сот отырысы 2025 жылғы 14 ақпанда сағат 11:00-де жалғасады.",
        S,
        date(2025, 2, 14),
        time(11),
    ),
    ("kk", "Үкім 18 наурызда жарияланады.", S, date(2025, 3, 18), None),
    ("kk", "Келесі сот отырысы 20-қаңтарға белгіленді.", S, date(2025, 1, 20), None),
    ("kk", "Сот отырысы кейінге қалдырылды.", N, None, None),
    ("kk", "Іс 9 маусымда қаралады.", S, date(2025, 6, 9), None),
    ("kk", "Сот отырысы 12 қаңтарға ауыстырылды.", P, date(2025, 1, 12), None),
    ("kk", "Келесі сот отырысы наурыздың 24-і күні өтеді.", S, date(2025, 3, 24), None),
    ("kk", "Сот отырысы 24 наурыз күні сағат 10:00-де жалғасады.", S, date(2025, 3, 24), time(10)),
    (
        "kk",
        "Сот 2025 жылғы 21 шілдеде үкім жариялайды, отырыс сол күні өтеді.",
        S,
        date(2025, 7, 21),
        None,
    ),
    # en
    ("en", "The next hearing is set for 30 September.", S, date(2025, 9, 30), None),
    ("en", "The hearing was adjourned until 12 January.", P, date(2025, 1, 12), None),
    ("en", "The trial will resume on April 3 at 10 am.", S, date(2025, 4, 3), time(10)),
    ("en", "The verdict is due on March 18.", S, date(2025, 3, 18), None),
    ("en", "The hearing was postponed indefinitely.", N, None, None),
    (
        "en",
        "Sentencing is scheduled for January 14, 2025 at 2:30 p.m.",
        S,
        date(2025, 1, 14),
        time(14, 30),
    ),
    ("en", "The court adjourned the trial to 3rd of February.", P, date(2025, 2, 3), None),
    ("en", "The trial resumes tomorrow.", S, date(2024, 12, 21), None),
    ("en", "The court set the next hearing for 30 September.", S, date(2025, 9, 30), None),
    ("en", "The trial was adjourned without a new date.", N, None, None),
    ("en", "Next hearing: March 24.", S, date(2025, 3, 24), None),
    ("en", "The court will hear the case on March 24.", S, date(2025, 3, 24), None),
    ("ru", "Следующее судебное заседание — 24 марта.", S, date(2025, 3, 24), None),
    ("ru", "Суд рассмотрит ходатайство 13 января.", S, date(2025, 1, 13), None),
]

NEGATIVES = [
    ("ru", "10 февраля 2023 года суд вынес приговор."),
    ("en", "On January 5, 2022 protesters gathered outside the court."),
    ("ru", "Суд приговорил его к 5 годам лишения свободы."),
    ("ru", "Ему 5 лет, приговор вынесут позже."),
    ("en", "He was sentenced to 6 years in prison."),
    ("ru", "В 2022 году суд рассмотрел дело."),
    ("ru", "Январские события 2022 года стали поводом для процесса."),
    ("ru", "Подсудимый, родившийся 5 октября, назначен на должность."),
    ("ru", "5 октября открылся парк."),
    ("ru", "Парк откроется 5 октября."),
    ("ru", "Заседание не было отложено."),
    ("ru", "Адвокат заявил ходатайство об отложении заседания, суд отказал."),
    ("ru", "В 2023 году суд отложил рассмотрение дела."),
    ("ru", "Суд назначил наказание в виде 7 лет лишения свободы."),
    ("kk", "Сот оны қамауда қалдырды."),
    ("kk", "Апелляциялық сот үкімді күшінде қалдырды."),
    ("kk", "Сот отырысы 2023 жылғы 5 қазанда өтті."),
    ("en", "The hearing took place on 3 April 2023."),
    ("en", "The trial was scheduled for 5 March 2023."),
    ("en", "The hearing was delayed due to the judge's illness in 2023."),
    ("en", "Court will decide, as protests are due to continue on 5 May."),
    ("en", "The hearing was delayed by two hours."),
    ("ru", "Заседание отложили на час из-за опоздания конвоя."),
    ("ru", "В судебном заседании объявлен перерыв."),
    ("ru", "5 казанских полицейских суд назначил экспертами."),
    ("kk", "Сот отырысы 5 қазанға қалдырылмады."),
]


def one(text: str, language: str = "", published_at: datetime | None = PUBLISHED) -> Announced:
    found = extract_announced(text, published_at=published_at, language=language)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("language", "text", "kind", "day", "at"), POSITIVES)
def test_announced_hearings(
    language: str, text: str, kind: str, day: date | None, at: time | None
) -> None:
    found = one(text, language)
    assert (found.kind, found.local_date, found.local_time) == (kind, day, at)
    assert found.sentence == text
    assert found.found in text


@pytest.mark.parametrize(("language", "text"), [row[:2] for row in POSITIVES])
def test_language_left_empty_finds_the_same(language: str, text: str) -> None:
    assert extract_announced(text, published_at=PUBLISHED) == extract_announced(
        text, published_at=PUBLISHED, language=language
    )


@pytest.mark.parametrize(("language", "text"), NEGATIVES)
def test_not_an_announced_hearing(language: str, text: str) -> None:
    assert extract_announced(text, published_at=PUBLISHED, language=language) == []
    assert extract_announced(text, published_at=PUBLISHED) == []


@pytest.mark.parametrize(
    ("published_at", "text", "expected"),
    [
        (datetime(2024, 12, 20, tzinfo=UTC), "Заседание отложено до 12 января.", date(2025, 1, 12)),
        (
            datetime(2024, 12, 31, 20, tzinfo=UTC),
            "Заседание отложено до 1 января.",
            date(2025, 1, 1),
        ),
        (datetime(2025, 3, 1, tzinfo=UTC), "Заседание отложено до 12 января.", date(2026, 1, 12)),
        (datetime(2025, 4, 3, 5, tzinfo=UTC), "Заседание назначено на 3 апреля.", date(2025, 4, 3)),
        (
            datetime(2025, 1, 2, tzinfo=UTC),
            "Заседание назначено на 12 января 2025 года.",
            date(2025, 1, 12),
        ),
        (None, "Заседание назначено на 12 января 2025 года.", date(2025, 1, 12)),
    ],
)
def test_year_from_publication(published_at: datetime | None, text: str, expected: date) -> None:
    """Published 31 Dec 20:00 UTC is 1 Jan 01:00 in Almaty: «1 января» is that day."""
    assert one(text, published_at=published_at).local_date == expected


@pytest.mark.parametrize(
    ("published_at", "text"),
    [
        (datetime(2025, 3, 1, tzinfo=UTC), "Заседание назначено на 12 января 2025 года."),
        (datetime(2025, 4, 10, tzinfo=UTC), "Суд назначил оглашение приговора на 3 апреля."),
        (datetime(2025, 4, 10, tzinfo=UTC), "Заседание состоялось 3 апреля."),
        (None, "Заседание назначено на 12 января."),
        (datetime(2025, 3, 1, tzinfo=UTC), "Заседание отложено до 29 февраля."),
    ],
)
def test_past_or_unplaceable_dates_are_dropped(published_at: datetime | None, text: str) -> None:
    assert extract_announced(text, published_at=published_at) == []


def test_naive_publication_time_is_local() -> None:
    naive = datetime(2025, 1, 1, 1, 0)
    assert one("Заседание назначено на 1 января.", published_at=naive).local_date == date(
        2025, 1, 1
    )


@pytest.mark.parametrize(
    ("text", "at", "found"),
    [
        (
            "Заседание продолжится 3 апреля в 10:00 по местному времени.",
            time(10),
            "3 апреля в 10:00",
        ),
        ("Заседание продолжится 3 апреля, в 9.30.", time(9, 30), "3 апреля, в 9.30"),
        (
            "Приговор огласят... Оглашение состоится 3 апреля в 3 часа дня.",
            time(15),
            "3 апреля в 3 часа дня",
        ),
        ("Отырыс 3 сәуірде сағат 15:00-де өтеді.", time(15), "3 сәуірде сағат 15:00"),
        ("The hearing will begin at 9:15 am on April 3.", time(9, 15), "at 9:15 am on April 3"),
        ("The hearing will begin on 3 April at 4 pm.", time(16), "3 April at 4 pm"),
        ("Заседание назначено на 3 апреля, в 2025 году это четверг.", None, "3 апреля"),
    ],
)
def test_time_of_the_hearing(text: str, at: time | None, found: str) -> None:
    result = one(text)
    assert (result.local_date, result.local_time, result.found) == (date(2025, 4, 3), at, found)


def test_the_sentence_returned_is_the_one_with_the_date() -> None:
    text = (
        "В Талдыкоргане продолжается суд над полицейскими. По данным суда, подсудимые "
        "вину не признают. Следующее заседание назначено на 5 октября в 11:00. "
        "Родственники потерпевших пришли к зданию суда."
    )
    found = one(text)
    assert found.sentence == "Следующее заседание назначено на 5 октября в 11:00."
    assert (found.local_date, found.local_time) == (date(2025, 10, 5), time(11))


def test_the_date_nearest_the_verb_wins_over_a_past_one() -> None:
    text = "Суд, который 5 декабря начал рассматривать дело, назначил прения на 14 января."
    assert one(text).local_date == date(2025, 1, 14)


def test_two_announcements_in_one_sentence() -> None:
    text = "Заседание отложено до 12 марта, а оглашение приговора назначено на 20 марта."
    found = extract_announced(text, published_at=PUBLISHED)
    assert [(a.kind, a.local_date) for a in found] == [
        (P, date(2025, 3, 12)),
        (S, date(2025, 3, 20)),
    ]


def test_the_old_date_of_a_postponed_hearing_is_not_announced() -> None:
    text = "The hearing, scheduled for 5 March, was postponed until 20 March."
    assert [(a.kind, a.local_date) for a in extract_announced(text, published_at=PUBLISHED)] == [
        (P, date(2025, 3, 20))
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The hearing scheduled for March 14 has been postponed indefinitely.",
        "The hearing, which was set for 14 March, was adjourned until further notice.",
        "Заседание, назначенное на 14 марта, отложено на неопределённый срок.",
        "Суд отложил заседание, назначенное на 14 марта, на неопределённый срок.",
    ],
)
def test_the_old_date_of_a_hearing_postponed_indefinitely_is_not_announced(text: str) -> None:
    """«Indefinitely» wins over the date the same sentence says the hearing had."""
    found = extract_announced(text, published_at=PUBLISHED)
    assert [(a.kind, a.local_date) for a in found] == [(N, None)]


def test_a_schedule_after_an_indefinite_postponement_is_announced() -> None:
    text = "The trial was postponed indefinitely; the court scheduled a bail hearing for 20 March."
    found = extract_announced(text, published_at=PUBLISHED)
    assert [(a.kind, a.local_date) for a in found] == [(N, None), (S, date(2025, 3, 20))]


def test_undated_postponement_gives_way_to_a_date_elsewhere() -> None:
    text = "Суд отложил рассмотрение дела. Следующее заседание назначено на 15 января."
    found = extract_announced(text, published_at=PUBLISHED)
    assert [(a.kind, a.local_date) for a in found] == [(S, date(2025, 1, 15))]


def test_indefinite_postponement_is_kept_beside_a_date() -> None:
    text = "Оглашение отложено на неопределённый срок. Прения были назначены на 15 января."
    kinds = [a.kind for a in extract_announced(text, published_at=PUBLISHED)]
    assert kinds == [N, S]


def test_a_repeated_sentence_is_reported_once_with_its_time() -> None:
    text = "Заседание отложено до 12 января\n\nЗаседание отложено до 12 января в 10:00. Итак."
    found = extract_announced(text, published_at=PUBLISHED)
    assert [(a.local_date, a.local_time) for a in found] == [(date(2025, 1, 12), time(10))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Судья А. Иванов отложил дело. Ст. 146 УК.",
            ["Судья А. Иванов отложил дело.", "Ст. 146 УК."],
        ),
        ("Он ушёл.  10 февраля суд начал.", ["Он ушёл.", "10 февраля суд начал."]),
        ("по ч. 3 ст. 146 УК РК. Далее", ["по ч. 3 ст. 146 УК РК.", "Далее"]),
        ("Line one\nline two", ["Line one", "line two"]),
        ("The trial resumes at 10 a.m. on Monday.", ["The trial resumes at 10 a.m. on Monday."]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected
