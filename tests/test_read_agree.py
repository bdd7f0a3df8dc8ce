"""What a person reads agrees across the CLI, the export, the JSON API, the dashboard and the
Atom feed: the same field names, one timestamp style (ISO 8601 with ``+00:00``, never ``Z``),
and an article's clean canonical URL (no ``utm_source``), as the alerts show it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pipeline.cli.context import configured_sources
from pipeline.ingest.batch import ingest_fetch
from pipeline.ingest.deps import build_deps
from pipeline.items import FetchReport, RawArticle
from pipeline.store.models import ArticleRow
from pipeline.web import WebDeps, create_app

from support.cli import Cli
from support.web_data import Filled, fill

CASE = "taldykorgan-torture"
CLEAN = "https://news.example/a/5"
TRACKED = CLEAN + "?utm_source=rss&utm_medium=feed"
SHARED_ARTICLE_FIELDS = ("url", "title", "published_at", "first_seen_at", "language", "source")
Z_TIME = re.compile(r"\d{2}:\d{2}(?:\.\d+)?Z\b")


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Filled]:
    """The web tests' store plus one article the feed linked with tracking parameters."""
    result = fill(tmp_path_factory.mktemp("agree"))
    tracked = RawArticle(
        "news-ru",
        TRACKED,
        "Пытки в Талдыкоргане: новый свидетель",
        "Новый свидетель рассказал о пытках в Талдыкоргане.",
        "Fri, 20 Nov 2026 07:00:00 +0500",
    )
    deps = build_deps(config=result.config, sessions=result.sessions, clock=lambda: result.now)
    report = FetchReport(source_id="news-ru", url="https://news.example/rss", status=200)
    assert ingest_fetch(deps, report, [tracked], result.now, []).status == "ok"
    yield result
    result.sessions.kw["bind"].dispose()


@pytest.fixture(scope="module")
def cli(filled: Filled) -> Cli:
    return Cli(filled.config.directory, filled.url)


@pytest.fixture(scope="module")
def client(filled: Filled) -> TestClient:
    deps = WebDeps(
        sessions=filled.sessions,
        sources=configured_sources(filled.config),
        clock=lambda: filled.now,
        domain="test.casewatch",
    )
    return TestClient(create_app(deps))


def export(cli: Cli) -> dict[str, Any]:
    result = cli.invoke("export", "--case", CASE)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    return document


def api(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert not Z_TIME.search(response.text), f"{path}: a time written with Z"
    return response.json()


def the_article(rows: list[dict[str, Any]]) -> dict[str, Any]:
    [row] = [r for r in rows if "news.example/a/5" in r["url"]]
    return row


def test_the_store_keeps_the_link_as_found(filled: Filled) -> None:
    with filled.sessions() as session:
        row = session.execute(
            select(ArticleRow.url, ArticleRow.canonical_url).where(ArticleRow.url == TRACKED)
        ).one()
    assert tuple(row) == (TRACKED, CLEAN)


def test_the_cli_and_the_export_show_the_clean_url(cli: Cli) -> None:
    for args in (["articles"], ["events"], ["search", "свидетель"]):
        result = cli.invoke(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        assert CLEAN in result.stdout and "utm_" not in result.stdout, args
    table = cli.invoke("articles", "--case", CASE)
    assert "utm_" not in table.stdout
    exported = cli.invoke("export", "--case", CASE).stdout
    assert CLEAN in exported and "utm_" not in exported


def test_the_api_dashboard_article_page_and_atom_show_the_clean_url(client: TestClient) -> None:
    article = the_article(api(client, "/api/articles", case=CASE))
    assert article["url"] == CLEAN
    events = api(client, "/api/events", case=CASE, limit=500)
    assert CLEAN in {e["url"] for e in events}
    hits = api(client, "/api/search", q="свидетель")["hits"]
    assert [h["url"] for h in hits] == [CLEAN]
    html = {"accept": "text/html"}
    pages = [
        client.get(f"/cases/{CASE}", headers=html),
        client.get(f"/articles/{article['id']}", headers=html),
        client.get(f"/cases/{CASE}/feed.atom"),
    ]
    for response in pages:
        assert response.status_code == 200, response.url
        assert CLEAN in response.text and "utm_" not in response.text, response.url


def test_article_fields_and_times_are_the_same_in_cli_export_and_api(
    cli: Cli, client: TestClient
) -> None:
    listed = the_article(cli.json("articles", "--case", CASE))
    exported = the_article(export(cli)["articles"])
    served = the_article(api(client, "/api/articles", case=CASE))
    for field in SHARED_ARTICLE_FIELDS:
        assert listed[field] == exported[field] == served[field], field
    assert listed["published_at"] == "2026-11-20T02:00:00+00:00"
    assert listed["first_seen_at"].endswith("+00:00")
    assert "published" not in exported  # one name: published_at, as the API has it
    found = the_article(cli.json("search", "свидетель"))
    [hit] = api(client, "/api/search", q="свидетель")["hits"]
    assert found["published_at"] == hit["published_at"] == listed["published_at"]


def test_api_hearings_and_events_are_the_exported_ones_with_parties(
    cli: Cli, client: TestClient
) -> None:
    document = export(cli)
    served = api(client, f"/api/cases/{CASE}/hearings")
    assert served and all(h["parties"] == "Токташ и др. (ст. 146 ч. 2 УК РК)" for h in served)
    exported = {(h["case_number"], h["local_time"]): h for h in document["hearings"]}
    for hearing in served:
        twin = exported[(hearing["case_number"], hearing["local_time"])]
        assert hearing == {key: twin[key] for key in hearing}
    events = {e["id"]: e for e in document["events"]}
    for event in api(client, "/api/events", case=CASE, limit=500):
        assert event == {key: events[event["id"]][key] for key in event}
    assert all(e["created_at"].endswith("+00:00") for e in events.values())


def test_search_lists_every_ranked_hit_by_default(tmp_path: Path) -> None:
    """As the other listings do (DESIGN: ``--limit N``, default all); it was 50."""
    filled = fill(tmp_path, moved=False)
    many = [
        RawArticle("news-ru", f"https://news.example/day/{n}", f"Талдыкорган, день {n}", "Суд.",
                   "Fri, 20 Nov 2026 07:00:00 +0500")
        for n in range(60)
    ]  # fmt: skip
    deps = build_deps(config=filled.config, sessions=filled.sessions, clock=lambda: filled.now)
    report = FetchReport(source_id="news-ru", url="https://news.example/rss", status=200)
    assert ingest_fetch(deps, report, many, filled.now, []).status == "ok"
    cli = Cli(filled.config.directory, filled.url)

    result = cli.invoke("search", "день", "--format", "json")

    assert len(json.loads(result.stdout)) == 60 and "60 of 60 matching" in result.stderr
    assert len(cli.json("search", "день", "--limit", "7")) == 7
    filled.sessions.kw["bind"].dispose()


def test_not_found_is_a_page_in_a_browser_and_json_for_the_api(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (browser, "*/*", None):
        headers = {"accept": accept} if accept else {}
        response = client.get("/cases/nope", headers=headers)
        assert response.status_code == 404, accept
        assert response.headers["content-type"].startswith("text/html"), accept
        assert "no case &#39;nope&#39;" in response.text or "no case 'nope'" in response.text
    asked = client.get("/cases/nope", headers={"accept": "application/json"})
    assert asked.status_code == 404 and asked.json() == {"detail": "no case 'nope'"}
    for accept in (browser, "*/*"):
        from_api = client.get("/api/cases/nope", headers={"accept": accept})
        assert from_api.status_code == 404 and from_api.json() == {"detail": "no case 'nope'"}
    feed = client.get("/cases/nope/feed.atom", headers={"accept": browser})
    assert feed.status_code == 404 and feed.headers["content-type"] == "application/json"
