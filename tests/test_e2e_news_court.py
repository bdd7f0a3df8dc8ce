"""The news and the court schedule about the same hearing, end to end: the real
``casewatch run --once`` over a local court page and a local feed, alerts to a local SMTP server.

- The news announces a hearing (at a time, or without one), the court then lists it at another
  time the same day: the listing confirms it — one hearing, the court's details, no "moved".
  The court moving it later the same day is a move.
- The news reports the hearing postponed indefinitely: the court's next hearing turns
  ``postponed`` with one alert naming the article; re-runs and other outlets add nothing; the
  court's new date is a move. With no hearing known, the case gets one notice.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from support.court_site import (
    CASE_NUMBER,
    D1,
    D2,
    ROOM,
    add_news_source,
    said_in_russian,
    serve,
    serve_news,
    write_court_config,
)
from support.e2e import casewatch
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer, bodies

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["no-case-number", "case-number"])
def world(request: pytest.FixtureRequest, tmp_path: Path, http_server: LocalHTTPServer) -> Path:
    """The shipped cases; with ``case-number`` the Taldykorgan case names the court's case
    number, so a hearing the news announces is filed under it (court + case + time, as the
    court's own row is)."""
    folder = write_court_config(tmp_path / "config", http_server, tmp_path / "data")
    add_news_source(folder, http_server)
    if request.param == "case-number":
        cases = folder / "cases.yaml"
        text = cases.read_text(encoding="utf-8")
        assert text.count("case_numbers: []") > 1
        cases.write_text(
            text.replace("case_numbers: []", f"case_numbers: ['{CASE_NUMBER}']", 1),
            encoding="utf-8",
        )
    return folder


def run(world: Path, db_url: str, smtp: LocalSMTPServer) -> None:
    done = casewatch(world, db_url, smtp, "run", "--once", "--all")
    assert done.returncode == 0, done.stdout + done.stderr


def hearing_kinds(world: Path, db_url: str, smtp: LocalSMTPServer) -> list[str]:
    listed = casewatch(world, db_url, smtp, "events", "--format", "json")
    return sorted(e["kind"] for e in json.loads(listed.stdout) if e["kind"].startswith("hearing."))


def matched_articles(world: Path, db_url: str, smtp: LocalSMTPServer) -> set[str]:
    """URLs of the articles that made ``article.new`` (matched a case)."""
    listed = casewatch(world, db_url, smtp, "events", "--format", "json")
    return {e["url"] for e in json.loads(listed.stdout) if e["kind"] == "article.new"}


def ours_listed(
    world: Path, db_url: str, smtp: LocalSMTPServer, day: date = D1
) -> list[dict[str, str]]:
    listed = casewatch(world, db_url, smtp, "hearings", "--format", "json")
    return [h for h in json.loads(listed.stdout) if h["local_time"].startswith(str(day))]


@pytest.mark.parametrize("said_at", [" в 10:00", "", " в 10:30"], ids=["10:00", "no-time", "same"])
def test_the_court_listing_confirms_a_hearing_the_news_announced_at_another_time(
    world: Path,
    db_url: str,
    http_server: LocalHTTPServer,
    smtp_server: LocalSMTPServer,
    said_at: str,
) -> None:
    serve_news(
        http_server,
        "https://vlast.kz/novosti/3.html",
        "Следующее заседание по делу о пытках в Талдыкоргане назначено на "
        f"{said_in_russian(D1)}{said_at}.",
    )
    serve(http_server, None)  # the court does not list it yet
    run(world, db_url, smtp_server)
    [announced] = bodies(smtp_server.wait_for(1))
    assert f"{D1:%Y-%m-%d}" in announced

    serve(http_server, (D1, "10:30"))  # the court lists it: same day, its own time
    run(world, db_url, smtp_server)
    run(world, db_url, smtp_server)  # and again, unchanged
    assert len(smtp_server.messages) == 1, bodies(smtp_server.messages)
    assert hearing_kinds(world, db_url, smtp_server) == ["hearing.scheduled"]
    on_schedule = [h for h in ours_listed(world, db_url, smtp_server) if h["status"] == "scheduled"]
    assert [(h["local_time"], h["courtroom"], h["source"]) for h in on_schedule] == [
        (f"{D1}T10:30", ROOM, "taldykorgan-court")
    ]

    serve(http_server, (D1, "12:00"))  # the court itself moves it, same day: a real move
    run(world, db_url, smtp_server)
    moved = bodies(smtp_server.wait_for(2))[1]
    assert f"{D1:%Y-%m-%d} 10:30" in moved and f"{D1:%Y-%m-%d} 12:00" in moved
    assert CASE_NUMBER in moved
    assert hearing_kinds(world, db_url, smtp_server) == [
        "hearing.rescheduled",
        "hearing.scheduled",
    ]


INDEFINITELY = "Судебное заседание по делу о пытках в Талдыкоргане отложено на неопределённый срок."


def test_news_of_an_indefinite_postponement_marks_the_next_hearing_postponed_once(
    world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    serve(http_server, (D1, "10:00"))  # the court lists the next hearing; no news yet
    serve_news(http_server, "https://vlast.kz/novosti/4.html", "Процесс продолжается.", "Погода")
    run(world, db_url, smtp_server)
    assert len(smtp_server.wait_for(1)) == 1  # scheduled

    serve_news(http_server, "https://vlast.kz/novosti/5.html", INDEFINITELY)
    run(world, db_url, smtp_server)
    postponed = bodies(smtp_server.wait_for(2))[1]
    assert "postponed, no new date yet" in postponed and f"{D1:%Y-%m-%d} 10:00" in postponed
    assert "https://vlast.kz/novosti/5.html" in postponed and "неопределённый срок" in postponed
    [ours] = ours_listed(world, db_url, smtp_server)
    assert (ours["status"], ours["local_time"], ours["courtroom"]) == (
        "postponed",
        f"{D1}T10:00",
        ROOM,
    )

    run(world, db_url, smtp_server)  # the same article and schedule again
    serve_news(http_server, "https://vlast.kz/novosti/6.html", INDEFINITELY)  # another outlet
    run(world, db_url, smtp_server)
    assert "https://vlast.kz/novosti/6.html" in matched_articles(world, db_url, smtp_server)
    assert len(smtp_server.messages) == 2, bodies(smtp_server.messages)
    assert hearing_kinds(world, db_url, smtp_server) == ["hearing.cancelled", "hearing.scheduled"]

    serve(http_server, (D2, "14:30"))  # the court sets the new date
    run(world, db_url, smtp_server)
    moved = bodies(smtp_server.wait_for(3))[2]
    assert f"{D1:%Y-%m-%d} 10:00" in moved and f"{D2:%Y-%m-%d} 14:30" in moved
    [ours] = [h for h in ours_listed(world, db_url, smtp_server, D2) if h["source"] != "news"]
    assert ours["status"] == "scheduled"


def test_a_postponement_with_no_hearing_known_is_one_case_notice(
    world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    """No hearing of the case is known: the monitor still hears, once, that the trial stopped;
    the same news in another language adds nothing; a date the court then lists is news."""
    serve(http_server, None)
    serve_news(
        http_server,
        "https://example.kz/en/1.html",
        "The trial of police officers accused of torture in Taldykorgan was adjourned indefinitely.",
        "Taldykorgan police torture trial",
    )
    run(world, db_url, smtp_server)
    [notice] = bodies(smtp_server.wait_for(1))
    assert "postponed, no new date yet" in notice and "no upcoming hearing" in notice
    assert "https://example.kz/en/1.html" in notice and "adjourned indefinitely" in notice

    serve_news(
        http_server,
        "https://example.kz/kk/2.html",
        "Талдықорғандағы азаптау ісі бойынша сот отырысы белгісіз мерзімге қалдырылды.",
        "Талдықорғандағы азаптау ісі",
    )
    run(world, db_url, smtp_server)
    run(world, db_url, smtp_server)
    assert "https://example.kz/kk/2.html" in matched_articles(world, db_url, smtp_server)
    assert len(smtp_server.messages) == 1, bodies(smtp_server.messages)

    serve(http_server, (D1, "10:00"))  # the court lists the next hearing
    run(world, db_url, smtp_server)
    assert "scheduled" in bodies(smtp_server.wait_for(2))[1].lower()
    assert hearing_kinds(world, db_url, smtp_server) == ["hearing.cancelled", "hearing.scheduled"]
