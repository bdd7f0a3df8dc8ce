"""`casewatch search` and `casewatch export` on SQLite and PostgreSQL, through the real CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pipeline.store.models import EventRow, HearingChangeRow, HearingRow, MatchRow

from support.cli import Cli, write_config
from support.searchcorpus import STORED_AT, store_corpus

CASES = """
cases:
  - slug: taldykorgan-torture
    title: Taldykorgan police torture trials
    keywords: {ru: [пытки]}
  - slug: kudebayev-trial
    title: Kudebayev trial
    keywords: {en: [Kudebayev]}
"""
EVIL = '=HYPERLINK("http://127.0.0.1:9/x","click") notes from the torture hearing'


def _hearing(session: Session) -> None:
    row = HearingRow(
        identity="h1", slot="s", fingerprint="f", court="Талдыкорганский городской суд",
        case_number="1917-22-00-1/215", scheduled_at=datetime(2022, 9, 30, 4, tzinfo=UTC),
        local_time="2022-09-30T10:00", timezone="Asia/Almaty", courtroom="зал 3",
        judge="Дуйсенбеков Б.", parties="=cmd|' /C calc'!A0", category="ст. 146 ч. 2 УК РК",
        status="scheduled", source_id="kaztag", source_url="http://127.0.0.1:9/schedule",
        first_seen_at=STORED_AT, last_seen_at=STORED_AT, cells={},
    )  # fmt: skip
    session.add(row)
    session.flush()
    session.add(HearingChangeRow(hearing_id=row.id, field="courtroom", old="зал 1", new="зал 3",
                                 seen_at=STORED_AT))  # fmt: skip
    session.add(MatchRow(hearing_id=row.id, case_slug="taldykorgan-torture", score=1.0, why=[],
                         created_at=STORED_AT))  # fmt: skip
    session.add(EventRow(kind="hearing.scheduled", case_slug="taldykorgan-torture", hearing_id=row.id,
                         payload={"court": "-2+3"}, dedupe_key="h1", created_at=STORED_AT))  # fmt: skip


@pytest.fixture
def cli(tmp_path: Path, db_url: str, sessions: sessionmaker[Session]) -> Cli:
    root = write_config(tmp_path / "config", cases=CASES, sources="sources: []\n")
    store_corpus(sessions)
    with sessions.begin() as session:
        _hearing(session)
    return Cli(root, db_url, catch_exceptions=False)


def test_search_json(cli: Cli) -> None:
    rows = cli.json("search", "Батырбаева", "--language", "ru")
    assert {r["title"] for r in rows[:2]} == {  # title hits first
        "Потерпевший Батырбаев рассказал суду, как его пытали утюгом",
        "Жители Капала просят защитить Батырбаева",
    }
    assert len(rows) == 3
    first = rows[0]
    assert set(first) == {
        "id",
        "published_at",
        "source",
        "language",
        "cases",
        "score",
        "title",
        "url",
        "snippet",
    }
    assert first["cases"] == ["taldykorgan-torture"]
    assert "[Батырбаев" in first["snippet"]
    assert first["published_at"].endswith("+00:00")  # one style in CLI, API and exports
    assert datetime.fromisoformat(first["published_at"]).tzinfo is not None


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (["Талдыкорган", "--case", "kudebayev-trial"], 1),
        (["Талдыкорган", "--source", "eurasianet"], 2),
        (["Талдыкорган", "--since", "2024-01-01"], 2),
        (["Талдыкорган", "--until", "2022-08-16"], 4),  # k01 on the 16th counts
        (["Талдыкорган", "--limit", "5"], 5),
        (["Талдыкорган", "--limit", "5", "--offset", "15"], 3),
    ],
)
def test_search_filters(cli: Cli, args: list[str], count: int) -> None:
    assert len(cli.json("search", *args)) == count


def test_search_table_and_counts_on_stderr(cli: Cli) -> None:
    result = cli.invoke("search", "азаптау")
    assert result.exit_code == 0
    assert "Талдықорғанда азаптау ісі бойынша сот басталды" in result.stdout
    assert "5 of 5 matching articles" in result.stderr


@pytest.mark.parametrize("query", ['"', "AND OR NOT NEAR", "()", "-", "*", "x" * 2000, ""])
def test_search_hostile_query_is_a_note_not_a_crash(cli: Cli, query: str) -> None:
    result = cli.invoke("search", query, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "casewatch: note: the query" in result.stderr


def test_search_csv_guards_formulas(cli: Cli) -> None:
    raw, rows = cli.csv("search", "torture hearing")
    titles = [r["title"] for r in rows]
    assert "'" + EVIL in titles
    assert "\r\n=HYPERLINK" not in raw and ",=HYPERLINK" not in raw


def test_search_reindex(cli: Cli) -> None:
    result = cli.invoke("search", "--reindex")
    assert result.exit_code == 0
    assert "search index rebuilt: 38 articles" in result.stderr
    assert len(cli.json("search", "Koshmambet")) == 4


def test_search_bad_date(cli: Cli) -> None:
    result = cli.invoke("search", "пытки", "--since", "yesterday-ish")
    assert result.exit_code == 2
    assert "--since" in result.output


def test_export_json_to_stdout(cli: Cli) -> None:
    result = cli.invoke("export", "--case", "taldykorgan-torture")  # JSON on stdout by default
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document == json.loads(
        cli.invoke("export", "--case", "taldykorgan-torture", "--format", "json").stdout
    )
    assert document["case"] == "taldykorgan-torture"
    articles = document["articles"]
    assert len(articles) == 16
    published = [a["published_at"] or a["first_seen_at"] for a in articles]
    assert published == sorted(published)
    assert all(p.endswith("+00:00") for p in published)
    assert articles[0]["title"] == "Жители Капала просят защитить Батырбаева"
    (hearing,) = document["hearings"]
    assert hearing["case_number"] == "1917-22-00-1/215"
    assert hearing["history"][0]["new"] == "зал 3"
    (event,) = document["events"]
    assert event["kind"] == "hearing.scheduled"


def test_export_csv_files_are_formula_safe(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = cli.invoke("export", "--case", "taldykorgan-torture", "--out", str(out))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"taldykorgan-torture-{k}.csv" for k in ("articles", "events", "hearings")]
    for path in out.iterdir():
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        cells = [c for row in rows for c in row.values() if c]
        assert cells, path
        assert not any(c.startswith(("=", "+", "-", "@")) for c in cells), path
    articles = (out / "taldykorgan-torture-articles.csv").read_text(encoding="utf-8")
    assert "'" + EVIL.replace('"', '""') in articles
    hearings = (out / "taldykorgan-torture-hearings.csv").read_text(encoding="utf-8")
    assert "'=cmd|' /C calc'!A0" in hearings
    assert "зал 1" in hearings  # the history, as JSON text
    assert "16 articles" in result.stdout


def test_export_one_kind_csv_to_stdout(cli: Cli) -> None:
    _raw, rows = cli.csv("export", "--case", "kudebayev-trial", "--what", "articles")
    assert len(rows) == 6
    assert {r["source"] for r in rows} >= {"azattyq-ru", "zakon-kz"}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--format", "csv", "--what", "articles,hearings"], "needs --out DIR"),
        (["--what", "tweets"], "expected a comma-separated list"),
    ],
)
def test_export_usage_errors(cli: Cli, args: list[str], fragment: str) -> None:
    result = cli.invoke("export", "--case", "taldykorgan-torture", *args)
    assert result.exit_code == 2
    assert fragment in result.output


@pytest.mark.parametrize("args", [[], ["--format", "json"], ["--what", "articles"]])
def test_export_unknown_case_is_a_usage_error_naming_the_known_ones(
    cli: Cli, args: list[str]
) -> None:
    result = cli.invoke("export", "--case", "nope", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert "unknown case 'nope'" in result.output
    assert "known: " in result.output and "taldykorgan-torture" in result.output
