"""Careless and hostile input outside the web app, through the real command and real local
servers: a redirect off http(s)."""

from __future__ import annotations

import json
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
