"""Careless and hostile input outside the web app, through the real command and real local
servers: a redirect off http(s), a server that answers a byte at a time."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from support.cli import run_casewatch, write_config
from support.http_server import LocalHTTPServer

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
