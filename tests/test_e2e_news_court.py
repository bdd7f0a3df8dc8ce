"""The news and the court schedule about the same hearing, end to end: the real
``casewatch run --once`` over a local court page and a local feed, alerts to a local SMTP server.

- The news announces a hearing (at a time, or without one), the court then lists it at another
  time the same day: the listing confirms it — one hearing, the court's details, no "moved".
  The court moving it later the same day is a move.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.court_site import (
    CASE_NUMBER,
    D1,
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


def ours_listed(world: Path, db_url: str, smtp: LocalSMTPServer) -> list[dict[str, str]]:
    listed = casewatch(world, db_url, smtp, "hearings", "--format", "json")
    return [h for h in json.loads(listed.stdout) if h["local_time"].startswith(str(D1))]


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
