"""``casewatch db copy --to URL``: a SQLite database moved to PostgreSQL keeps everything —
rows, times, the delivery log (nothing re-sent), search — and goes on growing there."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline.store.engine import open_store
from pipeline.store.models import Base

from support.cli import Cli, run_casewatch
from support.e2e import TALDY_RU, VLAST_URL
from support.feeds import rss
from support.http_server import LocalHTTPServer
from support.pgserver import scratch_database

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

REPO = Path(__file__).resolve().parent.parent
ITEMS = [
    (TALDY_RU, VLAST_URL, "Подсудимые обвиняются в пытках задержанных по статье 146 УК."),
    ("Погода в Алматы", "https://example.kz/weather", "Снег и ветер."),
]


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    with scratch_database(postgres_url) as url:
        yield url


def counts(url: str) -> dict[str, int]:
    sessions = open_store(url)
    with sessions() as session:
        found = {t.name: session.scalar(select(func.count()).select_from(t))
                 for t in Base.metadata.sorted_tables}  # fmt: skip
    sessions.kw["bind"].dispose()
    return found


def test_db_copy_moves_a_sqlite_database_to_postgresql(
    tmp_path: Path, pg_url: str, http_server: LocalHTTPServer
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(REPO / "config" / "cases.yaml", config / "cases.yaml")
    (config / "settings.yaml").write_text(
        f"data_dir: {tmp_path / 'data'}\ndownload_delay: 0s\nnews_search: {{enabled: false}}\n",
        encoding="utf-8",
    )
    (config / "sources.yaml").write_text(
        f"sources:\n  - {{id: vlast-ru, kind: feed, url: '{http_server.url('/feed.xml')}'}}\n",
        encoding="utf-8",
    )
    http_server.route("/feed.xml", body=rss(ITEMS),
                      headers={"Content-Type": "application/rss+xml; charset=utf-8"})  # fmt: skip
    sqlite_url = f"sqlite:///{tmp_path / 'casewatch.db'}"
    first = run_casewatch(config, sqlite_url, "run", "--once")
    assert first.returncode == 0, first.stderr
    before = counts(sqlite_url)
    assert before["article"] == 2 and before["delivery"] >= 1

    code, output = Cli(config, sqlite_url).run("db", "copy", "--to", pg_url)
    assert code == 0, output
    assert "copied" in output and "search index: 2 articles" in output
    assert counts(pg_url) == before
    assert Cli(config, pg_url).json("articles") == Cli(config, sqlite_url).json("articles")
    assert Cli(config, pg_url).json("deliveries") == Cli(config, sqlite_url).json("deliveries")
    hits = Cli(config, pg_url).json("search", "пытки")
    assert [h["url"] for h in hits] == [VLAST_URL]

    again, refused = Cli(config, sqlite_url).run("db", "copy", "--to", pg_url)
    assert again == 2 and "not empty" in refused

    http_server.route("/feed.xml", body=rss([*ITEMS, ("Новость", "https://example.kz/n", "Т.")]),
                      headers={"Content-Type": "application/rss+xml; charset=utf-8"})  # fmt: skip
    later = run_casewatch(config, pg_url, "run", "--once", "--all")
    assert later.returncode == 0, later.stderr
    assert "new    1" in later.stdout  # ids continue after the copied ones
    after = counts(pg_url)
    assert after["article"] == 3 and after["delivery"] == before["delivery"]  # nothing re-sent
    status = json.loads(run_casewatch(config, pg_url, "status", "--format", "json").stdout)
    assert status["deliveries"]["sent"] == before["delivery"]
