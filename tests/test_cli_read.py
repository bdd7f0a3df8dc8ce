"""The read-side listing commands on SQLite and PostgreSQL: formats, filters, escaping."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from pipeline.cli.context import parse_since
from pipeline.cli.main import main
from pipeline.output import column_widths, csv_cell
from pipeline.store.models import ArticleRow, EventRow, MatchRow, SourceRow

from support.cli import Cli, write_config

NOW = datetime.now(UTC).replace(microsecond=0)
EVIL_TITLE = '=HYPERLINK("http://127.0.0.1:9/x", "click"), then'

SOURCES = """
sources:
  - id: azattyq-ru
    kind: feed
    url: http://127.0.0.1:9/azattyq.xml
    language: ru
  - id: court-feed
    kind: feed
    url: http://127.0.0.1:9/court.xml
    cases: [taldykorgan-torture]
"""

CASES = """
cases:
  - slug: taldykorgan-torture
    title: Taldykorgan police torture trials
    keywords: {ru: [пытки]}
  - slug: koshmambet
    title: Koshmambet case
    keywords: {en: [Koshmambet]}
"""


def _article(
    canonical_url: str, title: str, published_at: datetime | None, **extra: Any
) -> ArticleRow:
    return ArticleRow(
        url=canonical_url,
        canonical_url=canonical_url,
        title=title,
        language="ru",
        published_at=published_at,
        first_seen_at=extra.pop("first_seen_at", NOW - timedelta(hours=1)),
        last_seen_at=NOW,
        source_id="azattyq-ru",
        content_hash="0" * 64,
        title_key=title[:60],
        **extra,
    )


def _populate(session: Session) -> None:
    session.add_all(
        [
            SourceRow(id="azattyq-ru", kind="feed", url="http://127.0.0.1:9/azattyq.xml",
                      last_run_at=NOW - timedelta(hours=1), last_success_at=NOW - timedelta(hours=1),
                      consecutive_failures=0),
            SourceRow(id="court-feed", kind="feed", url="http://127.0.0.1:9/court.xml",
                      last_run_at=NOW - timedelta(days=9), last_success_at=NOW - timedelta(days=10),
                      last_error="-HTTP 503: Service Unavailable", consecutive_failures=3),
            SourceRow(id="old-feed", kind="feed", url="http://127.0.0.1:9/old.xml",
                      last_run_at=NOW - timedelta(days=90), consecutive_failures=0),
        ]
    )  # fmt: skip
    session.flush()
    recent = _article("http://127.0.0.1:9/a/recent", EVIL_TITLE, NOW - timedelta(days=2))
    old = _article(
        "http://127.0.0.1:9/a/old", "Суд над полицейскими, «Талдыкорган»", NOW - timedelta(days=30)
    )
    undated = _article(
        "http://127.0.0.1:9/a/undated",
        "+7 news\nline two",
        None,
        first_seen_at=NOW - timedelta(days=1),
    )
    session.add_all([recent, old, undated])
    session.flush()
    for article, slug in [
        (recent, "taldykorgan-torture"),
        (old, "taldykorgan-torture"),
        (old, "koshmambet"),
    ]:
        session.add(
            MatchRow(article_id=article.id, case_slug=slug, score=1.0, why=[], created_at=NOW)
        )
    session.add_all(
        [
            EventRow(kind="article.new", case_slug="taldykorgan-torture", article_id=recent.id,
                     payload={"title": EVIL_TITLE}, dedupe_key="a:1", created_at=NOW - timedelta(days=2)),
            EventRow(kind="hearing.scheduled", case_slug="koshmambet", article_id=None,
                     payload={"url": "http://127.0.0.1:9/schedule", "court": "Талдыкорганский суд"},
                     dedupe_key="h:1", created_at=NOW - timedelta(days=20)),
        ]
    )  # fmt: skip


@pytest.fixture
def cli(tmp_path: Path, db_url: str, sessions: sessionmaker[Session]) -> Cli:
    root = write_config(tmp_path / "config", sources=SOURCES, cases=CASES)
    with sessions.begin() as session:
        _populate(session)
    return Cli(root, db_url)


def _aware(text: str | None) -> datetime:
    assert text is not None
    parsed = datetime.fromisoformat(text)
    assert parsed.utcoffset() is not None, text
    return parsed


def test_articles_json(cli: Cli) -> None:
    rows = cli.json("articles")
    assert [r["url"].rsplit("/", 1)[1] for r in rows] == ["undated", "recent", "old"]
    by_name = {r["url"].rsplit("/", 1)[1]: r for r in rows}
    recent = by_name["recent"]
    assert {"url", "title", "published_at", "language", "source", "cases"} <= set(recent)
    assert recent["title"] == EVIL_TITLE
    assert _aware(recent["published_at"]) == NOW - timedelta(days=2)
    assert (recent["language"], recent["source"]) == ("ru", "azattyq-ru")
    assert recent["cases"] == ["taldykorgan-torture"]
    assert by_name["old"]["cases"] == ["koshmambet", "taldykorgan-torture"]
    assert by_name["undated"]["published_at"] is None
    assert by_name["undated"]["cases"] == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--case", "koshmambet"], ["old"]),
        (["--case", "taldykorgan-torture"], ["recent", "old"]),
        (["--since", "7d"], ["undated", "recent"]),
        (["--since", "36h"], ["undated"]),
        (["--since", (NOW - timedelta(days=10)).date().isoformat()], ["undated", "recent"]),
        (["--since", (NOW - timedelta(days=3)).isoformat()], ["undated", "recent"]),
        (["--limit", "1"], ["undated"]),
        (["--case", "taldykorgan-torture", "--since", "7d", "--limit", "5"], ["recent"]),
    ],
)
def test_articles_filters(cli: Cli, args: list[str], expected: list[str]) -> None:
    assert [r["url"].rsplit("/", 1)[1] for r in cli.json("articles", *args)] == expected


def test_articles_csv_is_rfc4180_and_formula_safe(cli: Cli) -> None:
    raw, rows = cli.csv("articles")
    assert raw.splitlines()[0].split(",")[:6] == [
        "url",
        "title",
        "published_at",
        "language",
        "source",
        "cases",
    ]
    assert raw.endswith("\r\n")
    assert '"\'=HYPERLINK(""http://127.0.0.1:9/x"", ""click""), then"' in raw
    by_name = {r["url"].rsplit("/", 1)[1]: r for r in rows}
    assert by_name["recent"]["title"] == "'" + EVIL_TITLE
    assert by_name["undated"]["title"] == "'+7 news\nline two"
    assert by_name["old"]["title"] == "Суд над полицейскими, «Талдыкорган»"
    assert by_name["old"]["cases"] == "koshmambet taldykorgan-torture"
    assert by_name["undated"]["published_at"] == ""
    assert _aware(by_name["recent"]["published_at"]) == NOW - timedelta(days=2)


def test_articles_table(cli: Cli) -> None:
    code, output = cli.run("articles", "--format", "table")
    assert code == 0, output
    assert "title" in output and "published_at" in output
    assert "Суд над полицейскими" in output
    assert output.rstrip().endswith("3 rows")


def test_events(cli: Cli) -> None:
    rows = cli.json("events")
    assert [r["kind"] for r in rows] == ["article.new", "hearing.scheduled"]
    article_event, hearing_event = rows
    assert {"kind", "case", "url", "created_at", "payload"} <= set(article_event)
    assert article_event["case"] == "taldykorgan-torture"
    assert article_event["url"] == "http://127.0.0.1:9/a/recent"
    assert _aware(article_event["created_at"]) == NOW - timedelta(days=2)
    assert hearing_event["url"] == "http://127.0.0.1:9/schedule"
    assert hearing_event["payload"]["court"] == "Талдыкорганский суд"
    assert [r["kind"] for r in cli.json("events", "--since", "7d")] == ["article.new"]
    assert [r["case"] for r in cli.json("events", "--case", "koshmambet")] == ["koshmambet"]
    _, csv_rows = cli.csv("events")
    assert json.loads(csv_rows[0]["payload"]) == {"title": EVIL_TITLE}


def test_sources_lists_configured_and_generated(cli: Cli) -> None:
    rows = {r["id"]: r for r in cli.json("sources")}
    assert list(rows) == [
        "azattyq-ru",
        "court-feed",
        "news-taldykorgan-torture-ru",
        "news-koshmambet-en",
        "old-feed",
    ]
    court = rows["court-feed"]
    assert {"id", "kind", "last_success_at", "last_error", "consecutive_failures", "url"} <= set(
        court
    )
    assert court["consecutive_failures"] == 3
    assert court["last_error"] == "-HTTP 503: Service Unavailable"
    assert _aware(court["last_success_at"]) == NOW - timedelta(days=10)
    never = rows["news-taldykorgan-torture-ru"]
    assert (never["kind"], never["last_run_at"], never["consecutive_failures"]) == (
        "news_search",
        None,
        0,
    )
    assert never["url"].startswith("https://news.google.com/rss/search?q=")
    assert (rows["old-feed"]["configured"], rows["azattyq-ru"]["configured"]) == (False, True)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--case", "koshmambet"], ["azattyq-ru", "news-koshmambet-en"]),
        (["--since", "7d"], ["azattyq-ru"]),
        (["--limit", "2"], ["azattyq-ru", "court-feed"]),
    ],
)
def test_sources_filters(cli: Cli, args: list[str], expected: list[str]) -> None:
    assert [r["id"] for r in cli.json("sources", *args)] == expected


def test_sources_csv_and_table(cli: Cli) -> None:
    _, rows = cli.csv("sources")
    court = next(r for r in rows if r["id"] == "court-feed")
    assert court["last_error"] == "'-HTTP 503: Service Unavailable"
    assert court["consecutive_failures"] == "3"
    code, output = cli.run("sources")
    assert code == 0
    assert "news-koshmambet-en" in output and "5 rows" in output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["articles", "--since", "last week"], "--since"),
        (["events", "--format", "xml"], "--format"),
        (["sources", "--limit", "0"], "--limit"),
    ],
)
def test_bad_options_are_usage_errors(cli: Cli, args: list[str], fragment: str) -> None:
    code, output = cli.run(*args)
    assert code == 2
    assert fragment in output


def test_unknown_case_warns_and_lists_nothing(cli: Cli) -> None:
    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(cli.config_dir),
            "--database",
            cli.database,
            "articles",
            "--case",
            "nope",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "case 'nope' is not in the config" in result.stderr


ALMATY = ZoneInfo("Asia/Almaty")
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", T0 - timedelta(days=7)),
        ("12h", T0 - timedelta(hours=12)),
        ("2w", T0 - timedelta(weeks=2)),
        ("2026-03-01", datetime(2026, 2, 28, 19, 0, tzinfo=UTC)),
        ("2026-03-01T08:00:00", datetime(2026, 3, 1, 3, 0, tzinfo=UTC)),
        ("2026-03-01T08:00:00+03:00", datetime(2026, 3, 1, 5, 0, tzinfo=UTC)),
        ("2026-03-01T08:00:00Z", datetime(2026, 3, 1, 8, 0, tzinfo=UTC)),
    ],
)
def test_parse_since(text: str, expected: datetime) -> None:
    parsed = parse_since(text, T0, ALMATY)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["soon", "7", "yesterday", "2026-13-01"])
def test_parse_since_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="duration like '7d'"):
        parse_since(text, T0, ALMATY)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+7 701", "'+7 701"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain, text", "plain, text"),
        ("", ""),
        (None, ""),
        (-2, "-2"),
        (True, "true"),
        (["a", "b"], "a b"),
        ({"k": "=v"}, '{"k": "=v"}'),
        (date(2026, 3, 1), "2026-03-01"),
        (datetime(2026, 3, 1, tzinfo=UTC).isoformat(), "2026-03-01T00:00:00+00:00"),
    ],
)
def test_csv_cell(value: Any, cell: str) -> None:
    assert csv_cell(value) == cell


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (1000, {"id": 10, "title": 60, "url": 25}),
        (80, {"id": 10, "title": 42, "url": 17}),
        (20, {"id": 10, "title": 60, "url": 25}),
    ],
)
def test_column_widths_shrink_long_text_to_fit(total: int, expected: dict[str, int]) -> None:
    cells = {"id": ["short", "ten-chars!"], "title": ["x" * 200], "url": ["u" * 25]}
    assert column_widths(cells, total) == expected
