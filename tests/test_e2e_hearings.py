"""Hearing change detection end to end: a court schedule page on 127.0.0.1, the real
`casewatch run --once`, alerts to a local SMTP server.

v1 → hearing.scheduled; v1 again → nothing; v2 with the hearing moved → exactly one
hearing.rescheduled with old and new local times; v3 without it → hearing.removed.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from support.court_site import (
    CASE_NUMBER,
    D1,
    D2,
    D3,
    OTHERS,
    OURS,
    add_news_source,
    said_in_russian,
    schedule,
    serve,
    serve_news,
    write_court_config,
)
from support.e2e import casewatch
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer, bodies

pytestmark = pytest.mark.e2e


@pytest.fixture
def court_world(tmp_path: Path, http_server: LocalHTTPServer) -> Path:
    return write_court_config(tmp_path / "config", http_server, tmp_path / "data")


def test_schedule_changes_alert_once_each(
    court_world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    def run() -> None:
        done = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")
        assert done.returncode == 0, done.stderr
        assert "taldykorgan-court" in done.stdout and "error" not in done.stdout.split()[0]

    serve(http_server, (D1, "10:00"))
    run()
    scheduled = bodies(smtp_server.wait_for(1))
    assert len(scheduled) == 1
    assert CASE_NUMBER in scheduled[0] and f"{D1:%Y-%m-%d} 10:00" in scheduled[0]
    assert "Why it matched:" in scheduled[0]  # hearing alerts say why, as article alerts do

    run()  # the same schedule again
    assert len(smtp_server.messages) == 1

    serve(http_server, (D2, "14:30"))  # moved
    run()
    moved = bodies(smtp_server.wait_for(2))[1]
    assert len(smtp_server.messages) == 2
    assert f"{D1:%Y-%m-%d} 10:00" in moved and f"{D2:%Y-%m-%d} 14:30" in moved

    serve(http_server, None)  # gone before its date
    run()
    cancelled = bodies(smtp_server.wait_for(3))[2]
    assert len(smtp_server.messages) == 3 and CASE_NUMBER in cancelled

    run()
    assert len(smtp_server.messages) == 3

    listed = casewatch(court_world, db_url, smtp_server, "events", "--format", "json")
    kinds = [e["kind"] for e in json.loads(listed.stdout)]
    assert sorted(k for k in kinds if k.startswith("hearing.")) == [
        "hearing.removed",
        "hearing.rescheduled",
        "hearing.scheduled",
    ]


@pytest.mark.parametrize("coverage", ["upcoming", "printed"])
def test_a_hearing_removed_from_the_last_listed_day_is_never_silent(
    court_world: Path,
    db_url: str,
    http_server: LocalHTTPServer,
    smtp_server: LocalSMTPServer,
    coverage: str,
) -> None:
    """Three hearings listed, ours on the latest day; the next version drops it. With the
    page's coverage 'upcoming' (the court_table default: every hearing from today on is listed)
    that is a removal, alerted at once. With 'printed' only the printed span counts as read —
    the old behaviour, in which the last day was never covered and the removal went silent."""
    sources = court_world / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace("every: 6h}", f"coverage: {coverage}}}"),
        encoding="utf-8",
    )
    last = D3 + timedelta(days=5)
    serve(http_server, (last, "11:00"))
    first = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")
    assert first.returncode == 0, first.stdout + first.stderr
    assert len(smtp_server.wait_for(1)) == 1  # scheduled

    serve(http_server, None)  # the latest-dated row is gone; the others remain
    second = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")
    assert second.returncode == 0, second.stdout + second.stderr

    listed = casewatch(court_world, db_url, smtp_server, "events", "--format", "json")
    kinds = sorted(e["kind"] for e in json.loads(listed.stdout) if e["kind"].startswith("hearing."))
    if coverage == "upcoming":
        removed = bodies(smtp_server.wait_for(2))[1]
        assert kinds == ["hearing.removed", "hearing.scheduled"]
        assert CASE_NUMBER in removed and "no longer on the court's schedule" in removed
    else:
        assert kinds == ["hearing.scheduled"] and len(smtp_server.messages) == 1


def test_a_hearing_that_comes_back_is_reinstated_once(
    court_world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    def run() -> None:
        done = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")
        assert done.returncode == 0, done.stdout + done.stderr

    serve(http_server, (D1, "10:00"))
    run()
    serve(http_server, None)
    run()
    serve(http_server, (D1, "10:00"))  # listed again, same day and time
    run()
    run()  # and again: nothing new

    mails = bodies(smtp_server.wait_for(3))
    assert len(smtp_server.messages) == 3
    assert "no longer on the court's schedule" in mails[1]
    assert "back on the schedule" in mails[2] and f"{D1:%Y-%m-%d} 10:00" in mails[2]
    listed = casewatch(court_world, db_url, smtp_server, "events", "--format", "json")
    kinds = [e["kind"] for e in json.loads(listed.stdout)]
    assert sorted(k for k in kinds if k.startswith("hearing.")) == [
        "hearing.reinstated",
        "hearing.removed",
        "hearing.scheduled",
    ]


def test_a_page_that_fails_half_way_removes_nothing(
    court_world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    """Ours is on page 2 of the schedule; then page 2 answers 404: the scan is incomplete, so
    nothing has left the schedule, and the run says why."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    first_page = schedule(OTHERS).replace(
        "</body>", f"<a rel='next' href='{http_server.url('/page2.html')}'>2</a></body>"
    )
    http_server.route("/schedule.html", body=first_page, headers=html)
    http_server.route(
        "/page2.html", body=schedule([(D1, "10:00", CASE_NUMBER, *OURS)]), headers=html
    )
    first = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")
    assert first.returncode == 0, first.stdout + first.stderr
    assert len(smtp_server.wait_for(1)) == 1  # scheduled

    http_server.route("/page2.html", body="gone", status=404)
    second = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")

    assert second.returncode == 0, second.stdout + second.stderr
    assert "page 2" in second.stdout and "HTTP 404" in second.stdout
    listed = casewatch(court_world, db_url, smtp_server, "events", "--format", "json")
    kinds = [e["kind"] for e in json.loads(listed.stdout) if e["kind"].startswith("hearing.")]
    assert kinds == ["hearing.scheduled"] and len(smtp_server.messages) == 1


def test_a_date_announced_in_the_news_then_listed_by_the_court_is_one_scheduled_alert(
    court_world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    """The article announces the next hearing; days later the court lists it: the listing
    confirms the hearing (court, room, judge) without a second "scheduled" alert."""
    serve_news(
        http_server,
        "https://vlast.kz/novosti/1.html",
        f"Следующее заседание по делу о пытках в Талдыкоргане назначено на {said_in_russian(D1)}.",
    )
    add_news_source(court_world, http_server)
    serve(http_server, None)  # the court does not list it yet
    first = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")
    assert first.returncode == 0, first.stdout + first.stderr
    announced = bodies(smtp_server.wait_for(1))
    assert len(announced) == 1 and f"{D1:%Y-%m-%d}" in announced[0]

    serve(http_server, (D1, "10:00"))  # now the court lists it, with time, room and judge
    second = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")
    assert second.returncode == 0, second.stdout + second.stderr
    assert len(smtp_server.messages) == 1, bodies(smtp_server.messages)
    listed = casewatch(
        court_world, db_url, smtp_server, "hearings", "--upcoming", "--format", "json"
    )
    [hearing] = [h for h in json.loads(listed.stdout) if h["local_time"].startswith(str(D1))]
    assert hearing["case_number"] == CASE_NUMBER and hearing["courtroom"] == "Зал № 3"


def test_an_edited_article_is_re_read_for_the_hearing_it_now_announces(
    court_world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    def news(description: str) -> None:
        serve_news(http_server, "https://vlast.kz/novosti/2.html", description)

    sources = court_world / "sources.yaml"
    sources.write_text(
        f"sources:\n  - {{id: news, kind: feed, url: '{http_server.url('/news.xml')}'}}\n",
        encoding="utf-8",
    )
    news("Процесс по делу о пытках в Талдыкоргане продолжается.")
    first = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")
    assert first.returncode == 0, first.stdout + first.stderr
    assert smtp_server.messages == []  # no hearing announced yet

    said = said_in_russian(D2)
    news(f"Процесс по делу о пытках в Талдыкоргане продолжается. Обновлено: следующее "
         f"заседание назначено на {said}.")  # fmt: skip
    second = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")
    assert second.returncode == 0, second.stdout + second.stderr
    [mail] = bodies(smtp_server.wait_for(1))
    assert f"{D2:%Y-%m-%d}" in mail and "scheduled" in mail.lower()
    third = casewatch(court_world, db_url, smtp_server, "run", "--once", "--all")
    assert third.returncode == 0 and len(smtp_server.messages) == 1  # nothing twice
