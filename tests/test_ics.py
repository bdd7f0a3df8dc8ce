"""The hearings calendar parses with icalendar and stays right across a move and a cancellation."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from icalendar import Calendar

from pipeline.web import WebDeps, create_app

from support.web_data import CASE_A, CASE_B, CASE_C, Filled, fill, move

ALMATY = ZoneInfo("Asia/Almaty")


def calendar(filled: Filled, path: str) -> Calendar:
    deps = WebDeps(sessions=filled.sessions, clock=lambda: filled.now, domain="test.casewatch")
    response = TestClient(create_app(deps)).get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def by_case_number(cal: Calendar) -> dict[str, list]:
    out: dict[str, list] = {}
    for event in cal.walk("VEVENT"):
        number = next(
            line.split(": ", 1)[1]
            for line in str(event["description"]).splitlines()
            if line.startswith("Case number: ")
        )
        out.setdefault(number, []).append(event)
    return out


def upcoming_a(cal: Calendar) -> object:
    return next(
        e
        for e in by_case_number(cal)[CASE_A]
        if e.decoded("dtstart") > datetime(2026, 11, 25, tzinfo=ALMATY)
    )


def test_reschedule_keeps_the_uid_and_raises_the_sequence(tmp_path: Path) -> None:
    filled = fill(tmp_path, moved=False)
    before = upcoming_a(calendar(filled, "/cases/taldykorgan-torture/hearings.ics"))
    filled = move(filled)
    after_cal = calendar(filled, "/cases/taldykorgan-torture/hearings.ics")
    after = upcoming_a(after_cal)
    assert after["uid"] == before["uid"] and str(after["uid"]).endswith("@test.casewatch")
    assert int(after["sequence"]) > int(before["sequence"]) == 0
    assert before.decoded("dtstart") == datetime(2026, 12, 1, 10, 0, tzinfo=ALMATY)
    start = after.decoded("dtstart")
    assert start == datetime(2026, 12, 3, 11, 30, tzinfo=ALMATY)
    assert str(start.tzinfo) == "Asia/Almaty"
    assert after["dtstart"].params["TZID"] == "Asia/Almaty"
    assert str(after["location"]) == "Талдыкорганский городской суд, зал 5"
    assert str(after["status"]) == "CONFIRMED"
    assert after.decoded("last-modified") > before.decoded("last-modified")
    assert {str(tz["tzid"]) for tz in after_cal.walk("VTIMEZONE")} == {"Asia/Almaty"}
    summary = str(after["summary"])
    assert "Taldykorgan police torture trials" in summary
    description = str(after["description"])
    assert "Judge: Дуйсенбеков Б." in description and "Kind: ст. 146 ч. 2 УК РК" in description


def test_cancellation_is_status_cancelled_with_same_uid(tmp_path: Path) -> None:
    filled = fill(tmp_path, moved=False)
    (before,) = by_case_number(calendar(filled, "/cases/taldykorgan-torture/hearings.ics"))[CASE_C]
    filled = move(filled)
    (after,) = by_case_number(calendar(filled, "/cases/taldykorgan-torture/hearings.ics"))[CASE_C]
    assert after["uid"] == before["uid"]
    assert str(before["status"]) == "CONFIRMED" and str(after["status"]) == "CANCELLED"
    assert int(after["sequence"]) == int(before["sequence"]) + 1
    assert after.decoded("dtstart") == before.decoded("dtstart")


def test_all_cases_feed_has_every_hearing_in_its_own_zone(tmp_path: Path) -> None:
    cal = calendar(fill(tmp_path), "/hearings.ics")
    events = by_case_number(cal)
    assert len(events[CASE_A]) == 2 and len(events[CASE_C]) == 1
    (kostanay,) = events[CASE_B]
    assert kostanay["dtstart"].params["TZID"] == "Asia/Qostanay"
    assert kostanay.decoded("dtstart") == datetime(
        2026, 12, 7, 14, 0, tzinfo=ZoneInfo("Asia/Qostanay")
    )
    assert {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")} == {"Asia/Almaty", "Asia/Qostanay"}
    uids = [str(e["uid"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids)) == 4
    assert all(e.decoded("dtstamp") == e.decoded("last-modified") for e in cal.walk("VEVENT"))


def test_calendar_has_an_etag_and_answers_304(tmp_path: Path) -> None:
    filled = fill(tmp_path, moved=False)
    client = TestClient(create_app(WebDeps(sessions=filled.sessions)))
    first = client.get("/hearings.ics")
    etag = first.headers["etag"]
    again = client.get("/hearings.ics", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    move(filled)
    changed = client.get("/hearings.ics", headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.content.count(b"BEGIN:VEVENT") == 4


def test_unknown_case_calendar_is_404(tmp_path: Path) -> None:
    deps = WebDeps(sessions=fill(tmp_path, moved=False).sessions)
    assert TestClient(create_app(deps)).get("/cases/nope/hearings.ics").status_code == 404


def test_hearings_no_case_claims_stay_stored_and_out_of_the_views(tmp_path: Path) -> None:
    """A court page lists dozens of unrelated hearings a day: the all-cases calendar and the
    dashboard's upcoming list show the followed cases' only."""
    from datetime import timedelta

    from sqlalchemy import select

    from pipeline.items import RawHearing
    from pipeline.store.models import HearingRow

    from support.web_data import KOSTANAY_URL, T1, WINDOW, _ingest, hearing, schedule_report

    filled = fill(tmp_path)
    unrelated = RawHearing(
        source_id="kostanay-court", url=KOSTANAY_URL, court="Костанайский городской суд",
        date="08.12.2026", time="09:30", case_number="2-999/26",
        parties="Иванов И.И. к ТОО «Береке»", category="взыскание долга", row=2,
    )  # fmt: skip
    kostanay = hearing(CASE_B, "07.12.2026", "14:00", "зал 2", 1, source_id="kostanay-court",
                       url=KOSTANAY_URL, court="Костанайский городской суд", judge="Иванова А.")  # fmt: skip
    report = schedule_report("kostanay-court", KOSTANAY_URL, *WINDOW)
    _ingest(filled, T1 + timedelta(hours=1), report, (), [kostanay, unrelated])

    with filled.sessions() as session:
        stored = set(session.scalars(select(HearingRow.case_number)))
    assert "2-999/26" in stored
    assert "2-999/26" not in by_case_number(calendar(filled, "/hearings.ics"))
    deps = WebDeps(sessions=filled.sessions, clock=lambda: filled.now, domain="test.casewatch")
    home = TestClient(create_app(deps)).get("/").text
    assert CASE_B in home and "2-999/26" not in home
