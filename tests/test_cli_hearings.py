"""`casewatch hearings` on SQLite and PostgreSQL: times in the court's offset (Asia/Almaty was
UTC+06 until 2024-03-01, UTC+05 since), cases, filters, --upcoming, --history; and
`casewatch crawl` fetching just the named sources, due or not."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pipeline.store.models import HearingChangeRow, HearingRow, MatchRow, SourceRow

from support.cli import Cli as BaseCli
from support.cli import run_casewatch, write_config
from support.http_server import LocalHTTPServer

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone(ALMATY).date()
SOURCE = "taldykorgan-city-court"
COURT = "Талдыкорганский городской суд"
SCHEDULE = "https://office.sud.kz/schedule"
TORTURE, KOSHMAMBET = "taldykorgan-torture", "koshmambet"

CASES = """
cases:
  - slug: taldykorgan-torture
    title: Taldykorgan police torture trials
    keywords: {ru: [пытки]}
  - slug: koshmambet
    title: Koshmambet case
    keywords: {en: [Koshmambet]}
"""


class Cli(BaseCli):
    """support's :class:`~support.cli.Cli`; ``json``, ``names`` and ``csv`` read ``casewatch
    hearings --all`` (every stored hearing: the filters are what these tests look at)."""

    def json(self, *args: str) -> list[dict[str, Any]]:
        return super().json("hearings", "--all", *args)

    def names(self, *args: str) -> list[str]:
        return [row["identity"] for row in self.json(*args)]

    def csv(self, *args: str) -> list[dict[str, str]]:  # type: ignore[override]
        return super().csv("hearings", "--all", *args)[1]


def _local(day: date, at: time | None) -> tuple[datetime | None, str]:
    """(UTC instant, stored local_time) of a wall-clock time in Almaty."""
    if at is None:
        return None, day.isoformat()
    wall = datetime.combine(day, at)
    return wall.replace(tzinfo=ALMATY).astimezone(UTC), wall.isoformat(timespec="minutes")


def _row(name: str, day: date, at: time | None, **extra: Any) -> HearingRow:
    scheduled_at, local_time = _local(day, at)
    return HearingRow(
        identity=name,
        slot=name,
        fingerprint="f",
        court=COURT,
        case_number=extra.pop("case_number", f"1917-22-00-1/{len(name)}"),
        scheduled_at=scheduled_at,
        local_time=local_time,
        timezone="Asia/Almaty",
        courtroom=extra.pop("courtroom", "зал 3"),
        judge="Ахметов А.",
        parties=extra.pop("parties", "Иванов И."),
        category="ст. 146 ч. 2 УК РК",
        status=extra.pop("status", "scheduled"),
        source_id=SOURCE,
        source_url=SCHEDULE,
        first_seen_at=extra.pop("first_seen_at", NOW - timedelta(days=2)),
        last_seen_at=NOW,
        cells={},
        **extra,
    )


def _populate(session: Session) -> None:
    session.add(SourceRow(id=SOURCE, kind="office_sud_kz", url=SCHEDULE, consecutive_failures=0))
    session.flush()
    long_ago = NOW - timedelta(days=800)
    rows = {
        "held-2024-02": _row("held-2024-02", date(2024, 2, 20), time(10), status="held",
                             first_seen_at=long_ago),
        "past-2024-03": _row("past-2024-03", date(2024, 3, 18), time(10), first_seen_at=long_ago,
                             article_url="https://vlast.kz/a/1"),
        "soon-room": _row("soon-room", TODAY + timedelta(days=20), time(15), courtroom="зал 5"),
        "soon-d10": _row("soon-d10", TODAY + timedelta(days=10), time(10)),
        "cancelled-d5": _row("cancelled-d5", TODAY + timedelta(days=5), time(10),
                             status="cancelled", cancelled_at=NOW - timedelta(days=1)),
        "postponed-d4": _row("postponed-d4", TODAY + timedelta(days=4), time(10),
                             status="postponed"),
        "dateonly-d3": _row("dateonly-d3", TODAY + timedelta(days=3), None, status="unknown",
                            parties="=cmd|' /C calc'!A0"),
        "dateonly-today": _row("dateonly-today", TODAY, None),
    }  # fmt: skip
    session.add_all(rows.values())
    session.flush()
    for name, slug in [
        ("held-2024-02", TORTURE),
        ("past-2024-03", KOSHMAMBET),
        ("soon-room", TORTURE),
        ("soon-room", KOSHMAMBET),
        ("soon-d10", TORTURE),
        ("cancelled-d5", TORTURE),
    ]:
        session.add(
            MatchRow(hearing_id=rows[name].id, case_slug=slug, score=1.0, why=[], created_at=NOW)
        )
    moved_at = datetime(2024, 2, 1, 9, 0, tzinfo=UTC)
    history = [
        ("held-2024-02", "scheduled_at", "2024-02-13T04:00:00+00:00", "2024-02-20T04:00:00+00:00", moved_at),
        ("held-2024-02", "local_time", "2024-02-13T10:00", "2024-02-20T10:00", moved_at),
        ("held-2024-02", "status", "scheduled", "held", moved_at + timedelta(days=20)),
        ("soon-room", "courtroom", "зал 3", "зал 5", NOW - timedelta(hours=3)),
        ("cancelled-d5", "status", "scheduled", "cancelled", NOW - timedelta(days=1)),
    ]  # fmt: skip
    later_first = [history[2], history[0], history[1], *history[3:]]  # listed by seen_at, not id
    session.add_all(
        HearingChangeRow(hearing_id=rows[n].id, field=f, old=o, new=w, seen_at=at)
        for n, f, o, w, at in later_first
    )


@pytest.fixture
def cli(tmp_path: Path, db_url: str, sessions: sessionmaker[Session]) -> Cli:
    root = write_config(tmp_path / "config", cases=CASES, sources="sources: []\n")
    with sessions.begin() as session:
        _populate(session)
    return Cli(root, db_url)


ALL_NEWEST_FIRST = [
    "soon-room",
    "soon-d10",
    "cancelled-d5",
    "postponed-d4",
    "dateonly-d3",
    "dateonly-today",
    "past-2024-03",
    "held-2024-02",
]


def test_hearings_json_shows_the_courts_offset(cli: Cli) -> None:
    rows = {row["identity"]: row for row in cli.json()}
    assert list(rows) == ALL_NEWEST_FIRST
    held, past = rows["held-2024-02"], rows["past-2024-03"]
    assert {
        "case_number", "court", "scheduled_at", "local_time", "timezone", "status", "courtroom",
        "judge", "parties", "category", "cases", "source", "source_url", "article_url",
        "first_seen_at", "last_seen_at", "identity",
    } <= set(held)  # fmt: skip
    assert "history" not in held
    assert held["scheduled_at"] == "2024-02-20T10:00:00+06:00"
    assert past["scheduled_at"] == "2024-03-18T10:00:00+05:00"
    assert (held["local_time"], held["timezone"]) == ("2024-02-20T10:00", "Asia/Almaty")
    assert (held["court"], held["status"], held["source"]) == (COURT, "held", SOURCE)
    assert (held["source_url"], past["article_url"]) == (SCHEDULE, "https://vlast.kz/a/1")
    assert datetime.fromisoformat(held["first_seen_at"]).utcoffset() == timedelta(0)
    assert rows["soon-room"]["cases"] == [KOSHMAMBET, TORTURE]
    assert (held["cases"], rows["dateonly-d3"]["cases"]) == ([TORTURE], [])
    today = rows["dateonly-today"]
    assert (today["scheduled_at"], today["local_time"]) == (None, TODAY.isoformat())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--case", KOSHMAMBET], ["soon-room", "past-2024-03"]),
        (["--case", TORTURE, "--limit", "2"], ["soon-room", "soon-d10"]),
        (["--since", "30d"], ALL_NEWEST_FIRST[:6]),
        (["--since", "30d", "--case", KOSHMAMBET], ["soon-room"]),
        (["--limit", "3"], ALL_NEWEST_FIRST[:3]),
        (["--upcoming"], ["dateonly-today", "dateonly-d3", "soon-d10", "soon-room"]),
        (["--upcoming", "--limit", "2"], ["dateonly-today", "dateonly-d3"]),
        (["--upcoming", "--case", TORTURE], ["soon-d10", "soon-room"]),
        (["--upcoming", "--since", "30d", "--case", KOSHMAMBET], ["soon-room"]),
    ],
)
def test_hearings_filters(cli: Cli, args: list[str], expected: list[str]) -> None:
    assert cli.names(*args) == expected


def test_by_default_only_the_hearings_a_followed_case_claims(cli: Cli) -> None:
    """A court page lists dozens of unrelated hearings a day: stored, out of the default view."""
    every = cli.json()
    shown = BaseCli.json(cli, "hearings")
    assert [r["identity"] for r in shown] == [r["identity"] for r in every if r["cases"]]
    assert "dateonly-d3" in {r["identity"] for r in every} - {r["identity"] for r in shown}
    upcoming = BaseCli.json(cli, "hearings", "--upcoming")
    assert [r["identity"] for r in upcoming] == ["soon-d10", "soon-room"]


def test_history_in_json_oldest_first_with_the_courts_offset(cli: Cli) -> None:
    rows = {row["identity"]: row for row in cli.json("--history")}
    held = rows["held-2024-02"]["history"]
    assert [(h["field"], h["old"], h["new"]) for h in held] == [
        ("scheduled_at", "2024-02-13T10:00:00+06:00", "2024-02-20T10:00:00+06:00"),
        ("local_time", "2024-02-13T10:00", "2024-02-20T10:00"),
        ("status", "scheduled", "held"),
    ]
    assert datetime.fromisoformat(held[0]["seen_at"]) == datetime(2024, 2, 1, 9, tzinfo=UTC)
    assert [(h["old"], h["new"]) for h in rows["soon-room"]["history"]] == [("зал 3", "зал 5")]
    assert rows["soon-d10"]["history"] == []


def test_hearings_csv(cli: Cli) -> None:
    rows = {row["identity"]: row for row in cli.csv()}
    assert list(rows) == ALL_NEWEST_FIRST
    assert "history" not in rows["soon-room"]
    assert rows["held-2024-02"]["scheduled_at"] == "2024-02-20T10:00:00+06:00"
    assert rows["soon-room"]["cases"] == f"{KOSHMAMBET} {TORTURE}"
    assert rows["dateonly-d3"]["parties"] == "'=cmd|' /C calc'!A0", "formula-safe"
    assert rows["dateonly-d3"]["scheduled_at"] == ""
    with_history = {row["identity"]: row for row in cli.csv("--history")}
    assert json.loads(with_history["soon-room"]["history"])[0]["new"] == "зал 5"


def test_hearings_table(cli: Cli) -> None:
    code, output = cli.run("hearings", "--all")
    assert code == 0, output
    assert "2024-02-20 10:00 (Asia/Almaty, UTC+06:00)" in output
    assert "2024-03-18 10:00 (Asia/Almaty, UTC+05:00)" in output
    assert f"{TODAY.isoformat()} (Asia/Almaty)" in output
    assert COURT in output and "https://vlast.kz/a/1" in output
    assert "changes" not in output
    assert output.rstrip().endswith("8 rows")
    code, output = cli.run("hearings", "--all", "--history", "--upcoming")
    assert code == 0, output
    assert "courtroom: зал 3 → зал 5" in output
    assert "status: scheduled → cancelled" not in output, "cancelled is not upcoming"
    assert output.rstrip().endswith("4 rows")
    code, output = cli.run("hearings", "--all", "--history", "--case", TORTURE)
    assert code == 0, output
    # seen and moved times in the court's zone, named, with the offset of their date
    assert (
        "2024-02-01 15:00 (Asia/Almaty, UTC+06:00) scheduled_at: "
        "2024-02-13 10:00 (Asia/Almaty, UTC+06:00) → 2024-02-20 10:00 (Asia/Almaty, UTC+06:00)"
    ) in output
    assert "local_time: 2024-02-13 10:00 → 2024-02-20 10:00" in output


def test_unknown_case_warns(cli: Cli) -> None:
    result = cli.invoke("hearings", "--case", "nope", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "case 'nope' is not in the config" in result.stderr


# ---------------------------------------------------------------- crawl

FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
    "<link>https://example.kz/</link><item><title>Погода в Алматы</title>"
    "<link>https://example.kz/1</link><guid>https://example.kz/1</guid>"
    "<pubDate>Fri, 27 Nov 2026 09:00:00 +0500</pubDate><description>Ясно</description></item>"
    "</channel></rss>"
)


def _crawl_config(folder: Path, http: LocalHTTPServer) -> None:
    settings = (
        f"data_dir: {folder.parent / 'data'}\ndownload_timeout: 5s\ndownload_delay: 0s\n"
        "news_search: {enabled: false}\n"
        "evidence: {max_per_source: 0, recheck_per_run: 0}\n"  # the feeds link off 127.0.0.1
    )
    sources = (
        "sources:\n"
        f"  - {{id: feed-a, kind: feed, url: '{http.url('/a.xml')}', every: 1d}}\n"
        f"  - {{id: feed-b, kind: feed, url: '{http.url('/b.xml')}', every: 1d}}\n"
    )
    write_config(folder, cases=CASES, settings=settings, sources=sources)


def test_crawl_fetches_just_the_named_sources_due_or_not(
    tmp_path: Path, db_url: str, http_server: LocalHTTPServer
) -> None:
    for path in ("/a.xml", "/b.xml"):
        http_server.route(path, body=FEED, headers={"Content-Type": "application/rss+xml"})
    config = tmp_path / "config"
    _crawl_config(config, http_server)
    first = run_casewatch(config, db_url, "crawl", "feed-a")
    assert first.returncode == 0, first.stderr
    again = run_casewatch(config, db_url, "crawl", "feed-a")  # not due for a day: fetched anyway
    assert again.returncode == 0, again.stderr
    for result in (first, again):
        lines = result.stdout.splitlines()
        assert any(line.split()[1:2] == ["feed-a"] for line in lines), result.stdout
        assert "feed-b" not in result.stdout
        assert "sources      1 fetched, 0 failed" in lines
        assert any(line.startswith("deliveries") for line in lines)
    paths = [r.path for r in http_server.requests]
    assert paths.count("/a.xml") == 2 and "/b.xml" not in paths


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["crawl"], ["Missing argument", "SOURCE"]),
        (["crawl", "nope"], ["SOURCE", "unknown or disabled source(s): nope"]),
    ],
)
def test_crawl_usage_errors(cli: Cli, args: list[str], fragments: list[str]) -> None:
    code, output = cli.run(*args)
    assert code == 2
    assert all(f in output for f in fragments), output
