"""Careless and hostile input outside the web app, through the real command and real local
servers: a redirect off http(s), a server that answers a byte at a time, a database file
nobody may write, a 200 KB title, bidi and zero-width characters."""

from __future__ import annotations

import ctypes
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pipeline.store.engine import open_store
from pipeline.web import WebDeps, create_app

from support.cli import CASEWATCH, casewatch_env, run_casewatch, write_config
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer, bodies, smtp_url

REFUSED = "redirect to a non-http(s) URL refused"


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml"])
def test_a_redirect_off_http_is_named_not_reported_as_http_302(
    tmp_path: Path, http_server: LocalHTTPServer, location: str
) -> None:
    feed = http_server.route("/feed.xml", status=302, headers={"Location": location})
    page = http_server.route("/page", status=301, headers={"Location": location})
    config = write_config(
        tmp_path / "config",
        sources=f"sources:\n  - {{id: moved, kind: feed, url: '{feed}'}}\n",
        cases="cases:\n  - slug: t\n    title: T\n    keywords: {ru: [пытки]}\n",
        settings=f"data_dir: {tmp_path / 'data'}\nnews_search: {{enabled: false}}\n"
        "download_delay: 0s\n",
    )
    database = f"sqlite:///{tmp_path / 'casewatch.db'}"

    run = run_casewatch(config, database, "run", "--once", "--all", "-v")
    listed = run_casewatch(config, database, "sources", "--format", "json")
    extract = run_casewatch(config, database, "extract", page)

    [source] = [s for s in json.loads(listed.stdout) if s["id"] == "moved"]
    assert source["last_error"] == f"moved: {REFUSED} ({location.split(':')[0]}:)"
    assert REFUSED in run.stdout + run.stderr
    assert "HTTP 302" not in run.stdout + run.stderr + listed.stdout
    assert extract.returncode != 0
    assert f"{page}: {REFUSED}" in extract.stderr
    assert "Traceback" not in run.stderr + extract.stderr


@pytest.mark.parametrize("answer", [{"trickle": 0.2}, {"delay": 60}], ids=["trickle", "stall"])
def test_extract_gives_up_on_a_slow_server_at_its_deadline(
    tmp_path: Path, http_server: LocalHTTPServer, answer: dict[str, float]
) -> None:
    """A byte every 0.2 s never trips a read timeout: once this took 122 s on a 1 byte/s server."""
    body = "<html><head><title>Slow</title></head><body>" + "<p>пытки</p>" * 200 + "</body></html>"
    url = http_server.route("/slow", body=body, headers={"Content-Type": "text/html"}, **answer)
    config = write_config(tmp_path / "config")
    database = f"sqlite:///{tmp_path / 'casewatch.db'}"

    started = time.monotonic()
    done = run_casewatch(config, database, "extract", url, "--timeout", "3", timeout=60)
    took = time.monotonic() - started

    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        f"casewatch: error: {url}: timed out: no complete answer within 3s (--timeout)"
    )
    assert 3 <= took < 3 + 10, took
    assert "Traceback" not in done.stderr


def _as_a_user_who_cannot_override_permissions() -> None:
    """In the child, before exec: root loses the capabilities that ignore file modes (the
    bounding set caps what it gets at exec), so a chmod 444 file is read-only to it too."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _casewatch_read_only(
    config: Path, database: str, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CASEWATCH), "--config", str(config), *args],
        capture_output=True, text=True, env=casewatch_env(database), stdin=subprocess.DEVNULL,
        timeout=120, check=False, preexec_fn=_as_a_user_who_cannot_override_permissions,
    )  # fmt: skip


@pytest.fixture
def filled_database(tmp_path: Path, http_server: LocalHTTPServer) -> Path:
    """A database filled by a real run (one article): ``tmp_path/db``, config ``tmp_path/config``."""
    feed = http_server.route(
        "/feed.xml",
        body=RSS.format(link=http_server.url("/a/1")),
        headers={"Content-Type": "application/rss+xml"},
    )
    config = write_config(
        tmp_path / "config",
        sources=f"sources:\n  - {{id: news, kind: feed, url: '{feed}', language: ru}}\n",
        cases="cases:\n  - slug: t\n    title: T\n    keywords: {ru: [пытки]}\n",
        settings=f"data_dir: {tmp_path / 'data'}\nnews_search: {{enabled: false}}\n"
        "download_delay: 0s\nevidence: {max_per_source: 0}\n",
    )
    folder = tmp_path / "db"
    database = f"sqlite:///{folder / 'casewatch.db'}"
    done = run_casewatch(config, database, "run", "--once", "--all")
    assert done.returncode == 0, done.stderr
    return folder / "casewatch.db"


@pytest.fixture
def read_only_database(filled_database: Path) -> Iterator[Path]:
    """``filled_database`` chmod 444 in a chmod 555 folder."""
    folder = filled_database.parent
    (folder / "casewatch.db").chmod(0o444)
    folder.chmod(0o555)
    probe = subprocess.run(
        ["touch", str(folder / "probe")], preexec_fn=_as_a_user_who_cannot_override_permissions,
        capture_output=True, check=False,
    )  # fmt: skip
    try:
        if probe.returncode == 0:
            pytest.skip("this user can write into a read-only folder")
        yield folder / "casewatch.db"
    finally:
        folder.chmod(0o755)
        (folder / "casewatch.db").chmod(0o644)


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>News</title><link>http://news.example/</link>
<item><title>Пытки в Талдыкоргане: суд отложен</title><link>{link}</link>
<description>Заседание по делу о пытках перенесли.</description>
<pubDate>Thu, 19 Nov 2026 09:00:00 +0500</pubDate></item>
</channel></rss>"""


def test_read_only_commands_work_on_a_database_nobody_may_write(
    tmp_path: Path, read_only_database: Path
) -> None:
    config, database = tmp_path / "config", f"sqlite:///{read_only_database}"
    before = {p.name for p in read_only_database.parent.iterdir()}
    for args in (("status",), ("articles",), ("sources",), ("search", "пытки"), ("events",)):
        done = _casewatch_read_only(config, database, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
    articles = _casewatch_read_only(config, database, "articles", "--format", "json")
    assert [a["title"] for a in json.loads(articles.stdout)] == [
        "Пытки в Талдыкоргане: суд отложен"
    ]
    assert {p.name for p in read_only_database.parent.iterdir()} == before

    written = _casewatch_read_only(config, database, "run", "--once", "--all")

    assert written.returncode == 2
    assert written.stderr.strip() == (
        f"casewatch: error: {read_only_database}: the database file is read-only for this user "
        "(it or its folder): this command writes to it; run it as the file's owner"
    )


def test_a_read_only_database_with_an_old_schema_says_so(
    tmp_path: Path, read_only_database: Path
) -> None:
    read_only_database.parent.chmod(0o755)
    read_only_database.chmod(0o644)
    with sqlite3.connect(read_only_database) as db:
        db.execute("UPDATE alembic_version SET version_num = '0001'")
    db.close()
    read_only_database.chmod(0o444)
    read_only_database.parent.chmod(0o555)

    done = _casewatch_read_only(tmp_path / "config", f"sqlite:///{read_only_database}", "status")

    assert done.returncode == 2
    assert f"{read_only_database}: the database file is read-only and its schema is older" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr


HIDDEN = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\ufeff"
)
LONG_TITLE = "Пытки в Талдыкоргане: " + "очень длинный заголовок " * 8500  # ~200 KB
BIDI_TITLE = "Пыт\u200bки в Талдыкоргане: суд \u202eнежолто\u202c \u2066перенесён\u2069\ufeff"
LONG_SUMMARY = "Пытки в Талдыкоргане. " + "Подробности заседания. " * 2500 + "Последний абзац."


def _item(title: str, link: str, summary: str) -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><description>{summary}</description>"
        "<pubDate>Thu, 19 Nov 2026 09:00:00 +0500</pubDate></item>"
    )


def test_long_titles_are_cut_and_hidden_characters_never_reach_terminal_page_or_email(
    tmp_path: Path, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    items = [
        _item(LONG_TITLE, "http://news.example/long", "О пытках в Талдыкоргане."),
        _item(BIDI_TITLE, "http://news.example/bidi", "Текст &#x202E;о пыт&#x200B;ках&#x202C;."),
        _item("Пытки: длинное описание", "http://news.example/summary", LONG_SUMMARY),
    ]
    feed = http_server.route(
        "/feed.xml",
        body='<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>N</title>'
        + "".join(items)
        + "</channel></rss>",
        headers={"Content-Type": "application/rss+xml"},
    )
    config = write_config(
        tmp_path / "config",
        sources=f"sources:\n  - {{id: news, kind: feed, url: '{feed}', language: ru}}\n",
        cases="cases:\n  - slug: t\n    title: T\n    keywords: {ru: [пытки]}\n",
        settings=f"data_dir: {tmp_path / 'data'}\nnews_search: {{enabled: false}}\n"
        "download_delay: 0s\nevidence: {max_per_source: 0}\n",
        alerts=f"channels:\n  - id: mail\n    url: '{smtp_url(smtp_server)}'\n"
        "routes:\n  - cases: ['*']\n    events: [article.new]\n    channels: [mail]\n",
    )
    db_file = tmp_path / "casewatch.db"
    database = f"sqlite:///{db_file}"

    run = run_casewatch(config, database, "run", "--once", "--all")
    assert run.returncode == 0, run.stderr
    mails = bodies(smtp_server.wait_for(3))
    listed = json.loads(run_casewatch(config, database, "articles", "--format", "json").stdout)
    table = run_casewatch(config, database, "articles").stdout
    with sqlite3.connect(db_file) as db:
        stored = db.execute("SELECT id, url, title, summary, text FROM article").fetchall()
    db.close()
    sessions = open_store(database)
    client = TestClient(create_app(WebDeps(sessions=sessions)))
    pages = {row[1]: client.get(f"/articles/{row[0]}").text for row in stored}
    sessions.kw["bind"].dispose()

    titles = {a["url"]: a["title"] for a in listed}
    assert titles["http://news.example/bidi"] == "Пытки в Талдыкоргане: суд нежолто перенесён"
    long = titles["http://news.example/long"]
    assert len(long) <= 500 and long.endswith("…") and long.startswith(LONG_TITLE[:400])
    by_url = {row[1]: row for row in stored}
    summary_row = by_url["http://news.example/summary"]
    assert len(summary_row[3]) <= 4000 and summary_row[3].endswith("…")
    assert summary_row[4].endswith("Последний абзац.")  # the whole description is the text
    assert len(pages["http://news.example/long"]) < 20_000
    assert len(mails) == 3 and max(len(mail) for mail in mails) < 30_000
    for where, text in [
        ("run", run.stdout + run.stderr),
        ("table", table),
        ("json", json.dumps(listed, ensure_ascii=False)),
        ("database", repr(stored)),
        *(("page", page) for page in pages.values()),
        *(("mail", mail) for mail in mails),
    ]:
        assert not set(text) & set(HIDDEN), where


def test_rows_stored_with_hidden_characters_print_without_them(
    tmp_path: Path, filled_database: Path
) -> None:
    """Rows from before ingest dropped them: the CLI drops them when it prints."""
    with sqlite3.connect(filled_database) as db:
        db.execute("UPDATE article SET title = ?", (BIDI_TITLE + "\x1b[31m",))
    db.close()
    database, config = f"sqlite:///{filled_database}", tmp_path / "config"

    for fmt in ("table", "json", "csv"):
        done = run_casewatch(config, database, "articles", "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert "нежолто" in done.stdout
        assert not set(done.stdout) & set(HIDDEN + "\x1b"), fmt
