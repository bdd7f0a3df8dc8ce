"""Pure parts of the hearing model: dates and zones, case numbers, status words, the record,
and the events a store change makes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.events.hearings import hearing_events, reminder_events
from pipeline.items import RawHearing
from pipeline.normalize.hearing import (
    CaseNumber,
    Skipped,
    hearing_fields,
    normalize_hearing,
    normalize_status,
    parse_case_number,
    parse_when,
)
from pipeline.records import Change, FieldChange, Hearing, HearingChange

SEEN = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
ALMATY = "Asia/Almaty"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("date_text", "time_text", "tz", "instant", "local"),
    [
        # Asia/Almaty was +06 until 2024-03-01 00:00 and is +05 since (tzdata 2024a)
        ("10.02.2023", "10:00", ALMATY, utc(2023, 2, 10, 4), "2023-02-10T10:00"),
        ("18.03.2024", "10:00", ALMATY, utc(2024, 3, 18, 5), "2024-03-18T10:00"),
        ("15.09.2022", "10:00", ALMATY, utc(2022, 9, 15, 4), "2022-09-15T10:00"),
        ("17.01.2025", "10:00", ALMATY, utc(2025, 1, 17, 5), "2025-01-17T10:00"),
        ("29.02.2024", "22:59", ALMATY, utc(2024, 2, 29, 16, 59), "2024-02-29T22:59"),
        ("01.03.2024", "00:30", ALMATY, utc(2024, 2, 29, 19, 30), "2024-03-01T00:30"),
        # 23:00-23:59 on 2024-02-29 happened twice: the earlier instant (fold=0, +06)...
        ("29.02.2024", "23:30", ALMATY, utc(2024, 2, 29, 17, 30), "2024-02-29T23:30"),
        # ...unless the page prints the offset
        ("29.02.2024", "23:30 (UTC+5)", ALMATY, utc(2024, 2, 29, 18, 30), "2024-02-29T23:30"),
        ("2024-02-29T23:30:00+05:00", "", ALMATY, utc(2024, 2, 29, 18, 30), "2024-02-29T23:30"),
        ("2024-02-29 23:30", "", ALMATY, utc(2024, 2, 29, 17, 30), "2024-02-29T23:30"),
        # a zone that did not change: +05 throughout
        ("10.02.2023", "10:00", "Asia/Aqtobe", utc(2023, 2, 10, 5), "2023-02-10T10:00"),
        ("29.02.2024", "23:30", "Asia/Aqtobe", utc(2024, 2, 29, 18, 30), "2024-02-29T23:30"),
        # formats as printed
        ("15.09.22", "10.00", ALMATY, utc(2022, 9, 15, 4), "2022-09-15T10:00"),
        ("18.03.2024 10:00", "", ALMATY, utc(2024, 3, 18, 5), "2024-03-18T10:00"),
        ("18 марта 2024 г.", "10 ч. 00 мин.", ALMATY, utc(2024, 3, 18, 5), "2024-03-18T10:00"),
        ("2024 жылғы 18 наурыз", "сағат 10:00", ALMATY, utc(2024, 3, 18, 5), "2024-03-18T10:00"),
        ("18 наурыз 2024 ж.", "10:00", ALMATY, utc(2024, 3, 18, 5), "2024-03-18T10:00"),
        ("March 18, 2024", "2:30 pm", ALMATY, utc(2024, 3, 18, 9, 30), "2024-03-18T14:30"),
        ("2024-03-18", "10:00-12:00", ALMATY, utc(2024, 3, 18, 5), "2024-03-18T10:00"),
        ("2024-03-18T10:00", "", ALMATY, utc(2024, 3, 18, 5), "2024-03-18T10:00"),
        ("", "18.03.2024 10:00", ALMATY, utc(2024, 3, 18, 5), "2024-03-18T10:00"),
        # a date without a time: no instant, the date alone
        ("18.03.2024", "", ALMATY, None, "2024-03-18"),
        ("18.03.2024 (3 этаж)", "", ALMATY, None, "2024-03-18"),
        # dateparser's fallback: relative and yearless phrases, anchored at the scan
        ("завтра", "10:00", ALMATY, utc(2026, 11, 29, 5), "2026-11-29T10:00"),
        ("1 декабря", "10:00", ALMATY, utc(2026, 12, 1, 5), "2026-12-01T10:00"),
    ],
)
def test_wall_time_in_the_courts_zone_to_utc(
    date_text: str, time_text: str, tz: str, instant: datetime | None, local: str
) -> None:
    assert parse_when(date_text, time_text, tz=tz, seen_at=SEEN) == (instant, local)


@pytest.mark.parametrize(
    ("date_text", "time_text", "reason"),
    [
        ("31.02.2025", "10:00", "unparseable date '31.02.2025'"),
        ("18.03.2024", "25:00", "unparseable time '25:00'"),
        ("по согласованию", "", "unparseable date 'по согласованию'"),
        ("", "", "no date"),
    ],
)
def test_unreadable_dates_say_why(date_text: str, time_text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_when(date_text, time_text, tz=ALMATY, seen_at=SEEN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7594-25-00-4/5229", ("75", "94", 2025, "4", 5229, None, "7594-25-00-4/5229")),
        ("6003-25-00-4к/1454(2)", ("60", "03", 2025, "4к", 1454, 2, "6003-25-00-4к/1454(2)")),
        ("1917-22-00-1/215", ("19", "17", 2022, "1", 215, None, "1917-22-00-1/215")),
        ("дело № 1917-22-00-1/215", ("19", "17", 2022, "1", 215, None, "1917-22-00-1/215")),
        ("іс № 7527-24-00-2/1543", ("75", "27", 2024, "2", 1543, None, "7527-24-00-2/1543")),
        ("№6294-25-00-4а/215", ("62", "94", 2025, "4а", 215, None, "6294-25-00-4а/215")),
        ("1917 – 22 – 00 – 1 / 0215", ("19", "17", 2022, "1", 215, None, "1917-22-00-1/215")),
        ("1917—22—00—1/215 (1)", ("19", "17", 2022, "1", 215, 1, "1917-22-00-1/215(1)")),
        ("1917 22 00 1/215", ("19", "17", 2022, "1", 215, None, "1917-22-00-1/215")),
        ("6003-25-00-4k/1454", ("60", "03", 2025, "4к", 1454, None, "6003-25-00-4к/1454")),
        ("0101-25-00-6ап/12", ("01", "01", 2025, "6ап", 12, None, "0101-25-00-6ап/12")),
        ("А40-12345/2024", None),
        ("2-1234/2024", None),
        ("1-215/2022", None),
        ("", None),
    ],
)
def test_case_numbers(text: str, expected: tuple[object, ...] | None) -> None:
    parsed = parse_case_number(text)
    if expected is None:
        assert parsed is None
        return
    assert isinstance(parsed, CaseNumber)
    fields = (parsed.region, parsed.court_code, parsed.year, parsed.type_code, parsed.seq)
    assert (*fields, parsed.reissue, parsed.key) == expected


@pytest.mark.parametrize(
    ("printed", "status"),
    [
        ("", "scheduled"),
        ("Назначено", "scheduled"),
        ("Рассмотрение назначено", "scheduled"),
        ("тағайындалды", "scheduled"),
        ("Scheduled", "scheduled"),
        ("Отложено", "postponed"),
        ("перенесено на 10.12.2026", "postponed"),
        ("не состоялось", "postponed"),
        ("кейінге қалдырылды", "postponed"),
        ("Adjourned", "postponed"),
        ("Отменено", "cancelled"),
        ("не состоится", "cancelled"),
        ("снято с рассмотрения", "cancelled"),
        ("болмайды", "cancelled"),
        ("Cancelled", "cancelled"),
        ("Состоялось", "held"),
        ("Рассмотрено", "held"),
        ("өтті", "held"),
        ("Held", "held"),
        ("что-то иное", "unknown"),
    ],
)
def test_status_words(printed: str, status: str) -> None:
    assert normalize_status(printed) == status


def _raw(**extra: str | int) -> RawHearing:
    values: dict[str, object] = {
        "source_id": "court",
        "url": "https://court.example/s",
        "court": "  Талдыкорганский   городской суд ",
        "date": "01.12.2026",
        "time": "10:00",
        "case_number": "дело № 1917-22-00-1/215",
        "judge": "Ахметов  А.",
        "parties": "Иванов И.",
        "category": "ст. 146 ч. 2 УК РК",
        "courtroom": "зал 3",
        "row": 4,
        "cells": {"Номер дела": "дело № 1917-22-00-1/215", "Примечание": "открытое"},
        **extra,
    }
    return RawHearing(**values)  # type: ignore[arg-type]


def test_normalize_hearing_makes_a_typed_record() -> None:
    hearing = normalize_hearing(_raw(), seen_at=SEEN)
    assert isinstance(hearing, Hearing)
    assert hearing.court == "Талдыкорганский городской суд"
    assert (hearing.case_number, hearing.case_key) == ("1917-22-00-1/215", "1917-22-00-1/215")
    assert hearing.scheduled_at == utc(2026, 12, 1, 5)
    assert (hearing.local_time, hearing.timezone) == ("2026-12-01T10:00", ALMATY)
    assert (hearing.judge, hearing.category, hearing.status) == (
        "Ахметов А.",
        "ст. 146 ч. 2 УК РК",
        "scheduled",
    )
    assert hearing.cells["Примечание"] == "открытое"
    assert hearing.article_url == ""
    same = normalize_hearing(_raw(case_number="1917 – 22-00-1/0215", judge="Другой"), seen_at=SEEN)
    assert isinstance(same, Hearing) and same.identity == hearing.identity
    other_day = normalize_hearing(_raw(date="02.12.2026"), seen_at=SEEN)
    assert isinstance(other_day, Hearing) and other_day.identity != hearing.identity


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"timezone": "Asia/Aqtobe"}, ("Asia/Aqtobe", utc(2026, 12, 1, 5))),
        ({"timezone": "Europe/Berlin"}, ("Europe/Berlin", utc(2026, 12, 1, 9))),
        ({"case_number": "А40-12345/2024"}, (ALMATY, utc(2026, 12, 1, 5))),
    ],
)
def test_zones_and_foreign_case_numbers(
    extra: dict[str, str], expected: tuple[str, datetime]
) -> None:
    hearing = normalize_hearing(_raw(**extra), seen_at=SEEN)
    assert isinstance(hearing, Hearing)
    assert (hearing.timezone, hearing.scheduled_at) == expected
    if "case_number" in extra:
        assert (hearing.case_number, hearing.case_key) == ("А40-12345/2024", "")


@pytest.mark.parametrize(
    ("extra", "skipped"),
    [
        (
            {"date": "31.02.2025"},
            Skipped(
                4,
                "row 4: unparseable date '31.02.2025'",
                "Талдыкорганский городской суд",
                "1917-22-00-1/215",
            ),
        ),
        (
            {"timezone": "Mars/Olympus"},
            Skipped(
                4,
                "row 4: unknown time zone 'Mars/Olympus'",
                "Талдыкорганский городской суд",
                "1917-22-00-1/215",
            ),
        ),
        (
            {"case_number": "", "parties": ""},
            Skipped(
                4, "row 4: no case number, parties or article", "Талдыкорганский городской суд"
            ),
        ),
    ],
)
def test_rows_that_cannot_be_hearings(extra: dict[str, str], skipped: Skipped) -> None:
    assert normalize_hearing(_raw(**extra), seen_at=SEEN) == skipped


# ---------------------------------------------------------------- events

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def _hearing() -> Hearing:
    hearing = normalize_hearing(_raw(), seen_at=NOW)
    assert isinstance(hearing, Hearing)
    return hearing


BASE = _hearing()
PAST = replace(BASE, scheduled_at=utc(2026, 11, 1, 5), local_time="2026-11-01T10:00")
MOVED = replace(BASE, scheduled_at=utc(2026, 12, 8, 6, 30), local_time="2026-12-08T11:30")
MOVE = (
    FieldChange("scheduled_at", "2026-12-01T05:00:00+00:00", "2026-12-08T06:30:00+00:00"),
    FieldChange("local_time", "2026-12-01T10:00", "2026-12-08T11:30"),
)
KEY = BASE.identity


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            HearingChange(Change.NEW, 1, BASE),
            [("hearing.scheduled", f"hearing.scheduled:tt:{KEY}")],
        ),
        (HearingChange(Change.NEW, 1, PAST), []),
        (HearingChange(Change.NEW, 1, replace(BASE, status="held")), []),
        (HearingChange(Change.SAME, 1, BASE), []),
        (
            HearingChange(Change.CHANGED, 1, MOVED, MOVE),
            [
                (
                    "hearing.rescheduled",
                    f"hearing.rescheduled:tt:{KEY}:2026-12-08T06:30:00+00:00@{NOW.isoformat()}",
                )
            ],
        ),
        (
            HearingChange(
                Change.CHANGED,
                1,
                replace(BASE, courtroom="зал 5"),
                (FieldChange("courtroom", "зал 3", "зал 5"),),
            ),
            [
                (
                    "hearing.rescheduled",
                    f"hearing.rescheduled:tt:{KEY}:2026-12-01T05:00:00+00:00:room:зал 5@{NOW.isoformat()}",
                )
            ],
        ),
        (
            HearingChange(
                Change.CHANGED,
                1,
                replace(BASE, status="cancelled"),
                (FieldChange("status", "scheduled", "cancelled"),),
            ),
            [("hearing.cancelled", f"hearing.cancelled:tt:{KEY}@{NOW.isoformat()}")],
        ),
        (  # gone from a complete scan before its date
            HearingChange(
                Change.CHANGED,
                1,
                replace(BASE, status="removed"),
                (FieldChange("status", "scheduled", "removed"),),
                removed=True,
            ),
            [("hearing.removed", f"hearing.removed:tt:{KEY}@{NOW.isoformat()}")],
        ),
        (  # listed again after it had gone
            HearingChange(
                Change.CHANGED, 1, BASE, (FieldChange("status", "removed", "scheduled"),)
            ),
            [
                (
                    "hearing.reinstated",
                    f"hearing.reinstated:tt:{KEY}:2026-12-01T05:00:00+00:00@{NOW.isoformat()}",
                )
            ],
        ),
        (
            HearingChange(
                Change.CHANGED,
                1,
                replace(PAST, status="postponed"),
                (FieldChange("status", "scheduled", "postponed"),),
            ),
            [("hearing.cancelled", f"hearing.cancelled:tt:{KEY}@{NOW.isoformat()}")],
        ),
        (
            HearingChange(
                Change.CHANGED, 1, replace(BASE, judge="X"), (FieldChange("judge", "A", "X"),)
            ),
            [],
        ),
        (  # back on the schedule after a cancellation
            HearingChange(
                Change.CHANGED, 1, BASE, (FieldChange("status", "cancelled", "scheduled"),)
            ),
            [
                (
                    "hearing.scheduled",
                    f"hearing.scheduled:tt:{KEY}:2026-12-01T05:00:00+00:00@{NOW.isoformat()}",
                )
            ],
        ),
        (
            HearingChange(
                Change.CHANGED,
                1,
                replace(PAST, status="held"),
                (FieldChange("status", "scheduled", "held"),),
            ),
            [],
        ),
    ],
)
def test_hearing_events(change: HearingChange, expected: list[tuple[str, str]]) -> None:
    events = hearing_events(change, ["tt"], {"tt": "Torture"}, now=NOW)
    assert [(e.kind, e.dedupe_key) for e in events] == expected
    assert all(e.hearing_id == 1 and e.payload["case_title"] == "Torture" for e in events)


def test_rescheduled_payload_shows_old_and_new_local_times() -> None:
    (event,) = hearing_events(HearingChange(Change.CHANGED, 9, MOVED, MOVE), ["tt"], {}, now=NOW)
    payload = event.payload
    assert payload["old"]["local_time"] == "2026-12-01 10:00 (Asia/Almaty, UTC+05:00)"
    assert payload["new"]["local_time"] == "2026-12-08 11:30 (Asia/Almaty, UTC+05:00)"
    assert payload["old"]["scheduled_at"] == "2026-12-01T10:00:00+05:00"
    assert payload["scheduled_at"] == "2026-12-08T11:30:00+05:00"
    assert payload["case_number"] == "1917-22-00-1/215"
    assert payload["source_url"] == "https://court.example/s"
    assert {c["field"] for c in payload["changes"]} == {"scheduled_at", "local_time"}


def test_rescheduled_across_the_2024_switch_shows_each_dates_offset() -> None:
    old = replace(BASE, scheduled_at=utc(2024, 2, 20, 4), local_time="2024-02-20T10:00")
    new = replace(BASE, scheduled_at=utc(2024, 3, 20, 5), local_time="2024-03-20T10:00")
    change = HearingChange(
        Change.CHANGED,
        2,
        new,
        (
            FieldChange("scheduled_at", old.scheduled_at.isoformat(), new.scheduled_at.isoformat()),  # type: ignore[union-attr]
            FieldChange("local_time", old.local_time, new.local_time),
        ),
    )
    (event,) = hearing_events(change, ["tt"], {}, now=utc(2024, 2, 1))
    assert event.payload["old"]["local_time"] == "2024-02-20 10:00 (Asia/Almaty, UTC+06:00)"
    assert event.payload["new"]["local_time"] == "2024-03-20 10:00 (Asia/Almaty, UTC+05:00)"


def test_several_cases_one_leads() -> None:
    events = hearing_events(HearingChange(Change.NEW, 1, BASE), ["b", "a"], {}, now=NOW)
    assert [(e.case, e.payload.get("alerted_with")) for e in events] == [("a", None), ("b", "a")]


def test_reminder_once_per_scheduled_time() -> None:
    lead = timedelta(hours=24)
    first = reminder_events([(1, BASE, "tt")], lead)
    moved = reminder_events([(1, MOVED, "tt")], lead)
    assert [e.dedupe_key for e in first] == [f"hearing.reminder:tt:{KEY}:2026-12-01T05:00:00+00:00"]
    assert first[0].dedupe_key == reminder_events([(1, BASE, "tt")], lead)[0].dedupe_key
    assert moved[0].dedupe_key != first[0].dedupe_key
    assert first[0].payload["lead_hours"] == 24
    assert first[0].payload["local_time"] == "2026-12-01 10:00 (Asia/Almaty, UTC+05:00)"


def test_hearing_fields_give_the_matcher_the_case_number_and_parties() -> None:
    assert hearing_fields(BASE) == {
        "case_number": "1917-22-00-1/215",
        "parties": "Иванов И.",
        "court": "Талдыкорганский городской суд",
        "category": "ст. 146 ч. 2 УК РК",
        "judge": "Ахметов А.",
    }
