"""Hearing alerts in English and Russian, rendered from payloads the real ``hearing_events`` /
``reminder_events`` make: what happened, which case, when (court's local time), where, links,
and untrusted text escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pipeline.events.hearings import hearing_events, reminder_events
from pipeline.events.postponed import case_postponed_events, postponed_events
from pipeline.items import RawHearing
from pipeline.normalize.hearing import normalize_hearing
from pipeline.notify.render import EventView, Message, hearing_context, render
from pipeline.parse.news_hearings import Postponement
from pipeline.records import Article, Change, Event, FieldChange, Hearing, HearingChange

CASE, CASE_TITLE = "taldykorgan-torture", "Taldykorgan police torture trials"
COURT = "Талдыкорганский городской суд"
SCHEDULE = "https://office.sud.kz/court/schedule?d=20.02.2024"
ARTICLE = "https://vlast.kz/novosti/61234-sud.html"
SEEN = datetime(2024, 2, 1, 6, 0, tzinfo=UTC)
# Asia/Almaty was UTC+06 until 2024-03-01 and is UTC+05 since
BEFORE = "2024-02-20 10:00 (Asia/Almaty, UTC+06:00)"
AFTER = "2024-03-20 11:30 (Asia/Almaty, UTC+05:00)"


def _hearing(date: str = "20.02.2024", time: str = "10:00") -> Hearing:
    raw = RawHearing(
        source_id="taldykorgan-city-court",
        url=SCHEDULE,
        court=COURT,
        date=date,
        time=time,
        case_number="№ 1917-22-00-1/215",
        judge="Ахметов А.",
        parties="Батырбаев А. (потерпевший); Иванов И.",
        category="ст. 146 ч. 2 УК РК",
        courtroom="зал 3",
        timezone="Asia/Almaty",
        row=1,
    )
    hearing = normalize_hearing(raw, seen_at=SEEN)
    assert isinstance(hearing, Hearing)
    return hearing


BASE = _hearing()
MOVED = _hearing(date="20.03.2024", time="11:30")
MOVE = (
    FieldChange("scheduled_at", BASE.scheduled_at.isoformat(), MOVED.scheduled_at.isoformat()),  # type: ignore[union-attr]
    FieldChange("local_time", BASE.local_time, MOVED.local_time),
)


def _one(events: list[Event]) -> EventView:
    (event,) = events
    return EventView(event.kind, event.case, event.payload)


def scheduled(hearing: Hearing = BASE) -> EventView:
    return _one(
        hearing_events(HearingChange(Change.NEW, 7, hearing), [CASE], {CASE: CASE_TITLE}, now=SEEN)
    )


def rescheduled() -> EventView:
    change = HearingChange(Change.CHANGED, 7, MOVED, MOVE)
    return _one(hearing_events(change, [CASE], {CASE: CASE_TITLE}, now=SEEN))


def room_moved() -> EventView:
    change = HearingChange(
        Change.CHANGED,
        7,
        replace(BASE, courtroom="зал 5"),
        (FieldChange("courtroom", "зал 3", "зал 5"),),
    )
    return _one(hearing_events(change, [CASE], {CASE: CASE_TITLE}, now=SEEN))


def cancelled(status: str = "cancelled") -> EventView:
    change = HearingChange(
        Change.CHANGED,
        7,
        replace(BASE, status=status),
        (FieldChange("status", "scheduled", status),),
    )
    return _one(hearing_events(change, [CASE], {CASE: CASE_TITLE}, now=SEEN))


def reminder() -> EventView:
    events = reminder_events([(7, BASE, CASE)], timedelta(hours=24), case_titles={CASE: CASE_TITLE})
    return _one(events)


def bodies(message: Message) -> tuple[str, str, str]:
    return message.body_text, message.body_markdown, message.body_html


@pytest.mark.parametrize(
    ("make", "language", "subject", "headline"),
    [
        (scheduled, "en", "hearing scheduled", "Hearing scheduled"),
        (scheduled, "ru", "назначено заседание", "Назначено заседание"),
        (rescheduled, "en", f"hearing moved to {AFTER}", "Hearing rescheduled"),
        (rescheduled, "ru", f"заседание перенесено на {AFTER}", "Заседание перенесено"),
        (cancelled, "en", f"hearing of {BEFORE} cancelled", "Hearing cancelled"),
        (cancelled, "ru", f"заседание {BEFORE} отменено", "Заседание отменено"),
        (reminder, "en", f"reminder — hearing {BEFORE}", "hearing coming up within 24 h"),
        (reminder, "ru", f"напоминание — заседание {BEFORE}", "заседание в ближайшие 24 ч"),
    ],
)
def test_hearing_alert_says_what_which_case_when_and_where(
    make: Any, language: str, subject: str, headline: str
) -> None:
    event = make()
    message = render(event, language=language, timezone="UTC")
    assert message.title.startswith(f"[casewatch] {CASE_TITLE}: ")
    assert subject in message.title and COURT in message.title
    for body in bodies(message):
        assert headline in body
        assert CASE_TITLE in body and CASE in body
        assert COURT in body and "1917-22-00-1/215" in body
        assert "Ахметов А." in body and "Батырбаев А." in body
        assert "ст. 146 ч. 2 УК РК" in body
        assert SCHEDULE in body
        assert (AFTER if make is rescheduled else BEFORE) in body, "the court's local time"
    assert f'<a href="{SCHEDULE}">' in message.body_html
    assert f"]({SCHEDULE})" in message.body_markdown


@pytest.mark.parametrize(("language", "label"), [("en", "When"), ("ru", "Когда")])
def test_rescheduled_shows_old_and_new_local_time_across_the_offset_change(
    language: str, label: str
) -> None:
    text, markdown, html = bodies(render(rescheduled(), language=language))
    assert f"{label}: {BEFORE} → {AFTER}" in text
    assert f"{label}: {BEFORE} → **{AFTER}**" in markdown
    assert f"<s>{BEFORE}</s> → <strong>{AFTER}</strong>" in html


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        ("en", "hearing moved to another courtroom: зал 5", "Courtroom: зал 3 → зал 5"),
        ("ru", "заседание переведено в другой зал: зал 5", "Зал: зал 3 → зал 5"),
    ],
)
def test_courtroom_move(language: str, subject: str, line: str) -> None:
    message = render(room_moved(), language=language)
    assert subject in message.title
    assert line in message.body_text
    assert f"{BEFORE} →" not in message.body_text, "the time did not change"


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ("postponed", "no new date yet")), ("ru", ("отложено", "новая дата пока не известна"))],
)
def test_postponed_is_not_called_cancelled(language: str, words: tuple[str, str]) -> None:
    message = render(cancelled("postponed"), language=language)
    assert words[0] in message.title
    assert all(w in message.body_text for w in words)


@pytest.mark.parametrize(
    ("language", "headline"),
    [("en", "Hearing back on the schedule"), ("ru", "Заседание снова в расписании")],
)
def test_back_on_the_schedule(language: str, headline: str) -> None:
    change = HearingChange(
        Change.CHANGED, 7, BASE, (FieldChange("status", "cancelled", "scheduled"),)
    )
    event = _one(hearing_events(change, [CASE], {CASE: CASE_TITLE}, now=SEEN))
    assert event.kind == "hearing.scheduled"
    assert render(event, language=language).body_text.startswith(headline)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_untrusted_text_is_escaped(language: str) -> None:
    evil = "<script>alert(1)</script> [x](https://evil.example) *bold*"
    hearing = replace(BASE, parties=evil, article_url="javascript:alert(2)")
    message = render(scheduled(hearing), language=language)
    assert "<script>" not in message.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.body_html
    assert 'href="javascript' not in message.body_html
    assert r"\<script\>alert(1)\</script\> \[x\](https://evil.example) \*bold\*" in (
        message.body_markdown
    )
    assert "](javascript" not in message.body_markdown
    assert evil in message.body_text


@pytest.mark.parametrize(("language", "label"), [("en", "Article"), ("ru", "Публикация")])
def test_article_link_and_why_when_present(language: str, label: str) -> None:
    event = scheduled(replace(BASE, article_url=ARTICLE))
    event = replace(event, payload={**event.payload, "why": "case_number '1917-22-00-1/215'"})
    text, markdown, html = bodies(render(event, language=language))
    assert f"{label}: {ARTICLE}" in text
    assert f"[{ARTICLE}]({ARTICLE})" in markdown.replace("\\", "")
    assert f'<a href="{ARTICLE}">' in html
    assert "1917-22-00-1/215&#39;" in html
    assert "why it matched" in text.lower() or "почему найдено" in text.lower()


def test_a_date_without_a_time_shows_the_date_and_zone() -> None:
    hearing = _hearing(date="20.02.2024", time="")
    assert hearing.scheduled_at is None
    message = render(scheduled(hearing), language="en")
    assert "When: 2024-02-20 (Asia/Almaty)" in message.body_text


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, {"when": "", "moved": False, "room_moved": False, "lead": "", "source_href": ""}),
        (
            {"scheduled_at": "2024-02-20T04:00:00+00:00", "timezone": "Asia/Almaty"},
            {"when": "2024-02-20 10:00 (UTC+06:00, Asia/Almaty)"},
        ),
        (
            {"local_time": "x", "old": "3 May", "new": "7 May"},
            {"old_when": "3 May", "new_when": "7 May", "moved": True},
        ),
        (
            {"local_time": "x", "courtroom": "5", "old": {"local_time": "x", "courtroom": "3"}},
            {"moved": False, "room_moved": True, "old_courtroom": "3", "new_courtroom": "5"},
        ),
        ({"lead_hours": 24.0}, {"lead": "24"}),
        ({"lead_hours": 1.5}, {"lead": "1.5"}),
        ({"source_url": "ftp://x/y"}, {"source_url": "ftp://x/y", "source_href": ""}),
        ({"parties": "a\n  b"}, {"parties": "a b"}),
        (
            {"changes": [{"field": "status", "old": "postponed", "new": "scheduled"}]},
            {"reinstated": True},
        ),
        ({"changes": [{"field": "judge", "old": "cancelled", "new": "x"}]}, {"reinstated": False}),
    ],
)
def test_hearing_context(payload: dict[str, Any], expected: dict[str, Any]) -> None:
    context = hearing_context(payload)
    assert {k: context[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("language", "subject", "reported", "unknown"),
    [
        ("en", "postponed, no new date yet", "Reported in: ", "no upcoming hearing"),
        ("ru", "отложено, новой даты пока нет", "Сообщение: ", "не известно"),
    ],
)
def test_news_of_a_postponement_names_the_article(
    language: str, subject: str, reported: str, unknown: str
) -> None:
    """A hearing the news reports postponed (its date kept) and the case-level notice when no
    hearing is known: both say "no new date yet" and which article said so, in what words."""
    article = Article(
        "news", ARTICLE, ARTICLE, "Суд над полицейскими отложен", "", "", "ru", SEEN, "", "", ""
    )
    said = "Заседание по делу о пытках отложено на неопределённый срок."
    p = Postponement(CASE, SEEN.date(), None, said, "отложено на неопределённый срок", COURT, "",
                     "Asia/Almaty")  # fmt: skip
    change = HearingChange(
        Change.CHANGED, 7, replace(BASE, status="postponed"),
        (FieldChange("status", "scheduled", "postponed"),),
    )  # fmt: skip
    [hearing] = postponed_events(
        change, [CASE], {CASE: CASE_TITLE}, now=SEEN, article_id=3, article=article, postponement=p
    )
    [notice] = case_postponed_events(p, CASE_TITLE, article_id=3, article=article, latest="")
    for event, when in ((hearing, BEFORE), (notice, "")):
        message = render(EventView(event.kind, event.case, event.payload), language=language)
        assert subject in message.title and when in message.title and COURT in message.title
        for body in bodies(message):
            assert reported in body and "Суд над полицейскими отложен" in body and said in body
            assert ARTICLE in body
            assert (unknown in body) is (event is notice)
