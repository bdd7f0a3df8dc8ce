"""Times a person reads in the CLI's tables: local time in the case's zone (else
``settings.timezone``), the zone named with its offset; JSON and CSV keep ISO 8601."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pipeline.cli.commands import alerts
from pipeline.config.load import load_config
from pipeline.normalize.dates import Zones, known_zone, readable_time, readable_value
from pipeline.store.models import ArticleRow, DeliveryRow, EventRow, MatchRow, SourceRow

from support.cli import Cli, write_config

AT = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
"""06:30 UTC: 11:30 in Taldykorgan (Asia/Almaty, UTC+05:00), 06:30 in London, 09:30 in
Moscow (this config's settings.timezone)."""
ALMATY = "2026-12-07 11:30 (Asia/Almaty, UTC+05:00)"
LONDON = "2026-12-07 06:30 (Europe/London, UTC+00:00)"
MOSCOW = "2026-12-07 09:30 (Europe/Moscow, UTC+03:00)"

CASES = """
cases:
  - slug: taldykorgan-torture
    title: Taldykorgan police torture trials
    keywords: {ru: [пытки]}
    timezone: Asia/Almaty
  - slug: london-case
    title: A case heard in London
    keywords: {en: [extradition]}
    timezone: Europe/London
"""
SOURCES = """
sources:
  - id: news
    kind: feed
    url: http://127.0.0.1:9/news.xml
"""
ARTICLES = {
    # title: the cases it matched
    "Taldykorgan torture trial": ("taldykorgan-torture",),
    "London extradition hearing": ("london-case",),
    "Torture and extradition": ("taldykorgan-torture", "london-case"),
    "Unmatched torture story": (),
}


def _populate(session: Session) -> None:
    session.add(
        SourceRow(id="news", kind="feed", url="http://127.0.0.1:9/news.xml",
                  last_run_at=AT, last_success_at=AT, consecutive_failures=0)
    )  # fmt: skip
    session.flush()
    for n, (title, cases) in enumerate(ARTICLES.items()):
        url = f"http://127.0.0.1:9/a/{n}"
        row = ArticleRow(
            url=url, canonical_url=url, title=title, language="en", published_at=AT,
            first_seen_at=AT, last_seen_at=AT, source_id="news", content_hash=f"{n}" * 64,
            title_key=title,
        )  # fmt: skip
        session.add(row)
        session.flush()
        session.add_all(
            MatchRow(article_id=row.id, case_slug=slug, score=1.0, why=[], created_at=AT)
            for slug in cases
        )
        if cases:
            event = EventRow(kind="article.new", case_slug=cases[0], article_id=row.id,
                             payload={"title": title}, dedupe_key=f"a:{n}", created_at=AT)  # fmt: skip
            session.add(event)
            session.flush()
            session.add(DeliveryRow(event_id=event.id, channel="team", status="pending",
                                    attempts=0, next_attempt_at=AT, created_at=AT))  # fmt: skip
    session.add(
        EventRow(kind="source.failing", case_slug=None, payload={"source": "news"},
                 dedupe_key="s:1", created_at=AT)
    )  # fmt: skip


@pytest.fixture
def cli(tmp_path: Path, db_url: str, sessions: sessionmaker[Session]) -> Cli:
    root = write_config(
        tmp_path / "config",
        cases=CASES,
        sources=SOURCES,
        settings="timezone: Europe/Moscow\n",
    )
    with sessions.begin() as session:
        _populate(session)
    return Cli(root, db_url)


def lines(cli: Cli, *args: str) -> list[str]:
    code, output = cli.run(*args)
    assert code == 0, output
    assert not any(line.rstrip().endswith("UTC") for line in output.splitlines()), output
    return output.splitlines()


def line_of(rows: list[str], text: str) -> str:
    return next(line for line in rows if text in line)


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("Taldykorgan torture trial", ALMATY),
        ("London extradition hearing", LONDON),
        ("Torture and extradition", MOSCOW),  # cases in two zones: settings.timezone
        ("Unmatched torture story", MOSCOW),
    ],
)
def test_articles_table_shows_local_time_with_the_zone(cli: Cli, title: str, shown: str) -> None:
    """Issue 13's example: published at 06:30 UTC, a Taldykorgan article reads 11:30 (+05)."""
    assert shown in line_of(lines(cli, "articles"), title)


def test_a_case_asked_for_decides_the_zone(cli: Cli) -> None:
    rows = lines(cli, "articles", "--case", "london-case")
    assert LONDON in line_of(rows, "Torture and extradition")
    rows = lines(cli, "search", "--reindex", "extradition", "--case", "london-case")
    assert LONDON in line_of(rows, "Torture and extradition")


def test_json_and_csv_keep_iso_8601_in_utc(cli: Cli) -> None:
    assert {row["published_at"] for row in cli.json("articles")} == {AT.isoformat()}
    assert {row["created_at"] for row in cli.json("events")} == {AT.isoformat()}
    _, rows = cli.csv("deliveries")
    assert {row["created_at"] for row in rows} == {AT.isoformat()}


def test_events_deliveries_search_sources_status_tables(cli: Cli) -> None:
    events = lines(cli, "events")
    assert ALMATY in line_of(events, "taldykorgan-torture")
    assert LONDON in line_of(events, "london-case")
    assert MOSCOW in line_of(events, "source.failing")  # no case: settings.timezone
    deliveries = lines(cli, "deliveries")
    assert line_of(deliveries, "london-case").count(LONDON) == 2  # created, next attempt
    assert ALMATY in line_of(deliveries, "taldykorgan-torture")
    search = lines(cli, "search", "--reindex", "torture")
    assert ALMATY in line_of(search, "Taldykorgan torture trial")
    assert MOSCOW in line_of(search, "Unmatched torture story")
    assert line_of(lines(cli, "sources"), "news ").count(MOSCOW) == 2  # last run, last success
    _, output = cli.run("status")
    assert MOSCOW in line_of(output.splitlines(), "news "), output


def test_the_test_alert_says_when_it_was_sent_in_local_time(cli: Cli) -> None:
    assert cli.config_dir is not None
    message = alerts.test_message(load_config(cli.config_dir), "team", "en", AT)
    assert MOSCOW in message.body_text


@pytest.mark.parametrize(
    ("moment", "tz", "shown"),
    [
        (AT, "Asia/Almaty", ALMATY),
        (AT, "Asia/Qostanay", "2026-12-07 11:30 (Asia/Qostanay, UTC+05:00)"),
        (AT, "UTC", "2026-12-07 06:30 (UTC)"),
        # Almaty was UTC+06 until 2024-03-01: the offset is the one of that date
        (datetime(2024, 2, 20, 4, 0, tzinfo=UTC), "Asia/Almaty", "2024-02-20 10:00 (Asia/Almaty, UTC+06:00)"),
        (datetime(2026, 7, 1, 6, 30, tzinfo=UTC), "Europe/London", "2026-07-01 07:30 (Europe/London, UTC+01:00)"),
        (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "Asia/Almaty", "9999-12-31 23:59 (UTC)"),
        (None, "Asia/Almaty", ""),
    ],
)  # fmt: skip
def test_readable_time(moment: datetime | None, tz: str, shown: str) -> None:
    assert readable_time(moment, tz) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2026-12-07T06:30:00+00:00", ALMATY),
        ("2026-12-07T11:30:00+05:00", ALMATY),
        ("2026-12-07T11:30", "2026-12-07 11:30"),  # a local time as printed, no zone
        ("2026-12-07", "2026-12-07"),
        ("зал 5", "зал 5"),
        ("", ""),
        (None, ""),
    ],
)
def test_readable_value(value: str | None, shown: str) -> None:
    assert readable_value(value, "Asia/Almaty") == shown


@pytest.mark.parametrize(
    ("slugs", "zone"),
    [
        (["almaty"], "Asia/Almaty"),
        (["almaty", "qostanay"], "Europe/Moscow"),  # two zones: the default, not the first
        (["almaty", "almaty-2"], "Asia/Almaty"),  # two cases, one zone
        (["unknown"], "Europe/Moscow"),
        ([None], "Europe/Moscow"),
        ([], "Europe/Moscow"),
    ],
)
def test_zones_of(slugs: list[str | None], zone: str) -> None:
    zones = Zones(
        "Europe/Moscow",
        {"almaty": "Asia/Almaty", "almaty-2": "Asia/Almaty", "qostanay": "Asia/Qostanay"},
    )
    assert zones.of(slugs) == zone


@pytest.mark.parametrize(
    ("name", "known"), [("Asia/Almaty", True), ("Mars/Olympus", False), ("", False)]
)
def test_known_zone(name: str, known: bool) -> None:
    """A case whose zone is unknown is shown in settings.timezone, not a crash."""
    assert known_zone(name) is known
