"""Evidence re-checks end to end: what they fetch, and how cheaply (real CLI, 127.0.0.1 only).

``full_text: never`` means no page fetches for that source — re-checks of its matched articles
included. A re-check of any other source sends the validators of its last capture, so an
unchanged page answers 304: no body, no new capture, the article counted "same".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.e2e import PARAGRAPHS, TITLE, casewatch, write_evidence_config
from support.feeds import HTML, XML, page, rss
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer

pytestmark = pytest.mark.e2e

ETAG = '"v1-61234"'
MODIFIED = "Fri, 27 Nov 2026 10:00:00 GMT"


def test_rechecks_skip_never_sources_and_send_validators(
    tmp_path: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    kept = http_server.url("/a/news/61234.html")
    never = http_server.url("/b/news/777.html")
    http_server.route("/a/feed.xml", body=rss([(TITLE, kept, "Заседание.")]), headers=XML)
    http_server.route(
        "/a/news/61234.html",
        body=page(TITLE, PARAGRAPHS),
        headers={**HTML, "ETag": ETAG, "Last-Modified": MODIFIED},
    )
    # outlet-b's feed says it all; its pages are never to be fetched
    http_server.route(
        "/b/feed.xml", body=rss([(TITLE, never, " ".join(PARAGRAPHS[:2]))]), headers=XML
    )
    http_server.route("/b/news/777.html", body=page(TITLE, PARAGRAPHS), headers=HTML)
    config = tmp_path / "config"
    write_evidence_config(config, http_server, tmp_path / "data")
    sources = config / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace(
            "id: outlet-b, kind: feed,", "id: outlet-b, kind: feed, full_text: never,"
        ),
        encoding="utf-8",
    )

    for run in range(3):  # evidence: {recheck_every: 0s} — every run re-checks what is due
        done = casewatch(config, db_url, smtp_server, "run", "--once", "--all", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        if run == 0:
            assert "captured 1" in done.stdout, done.stdout
        else:
            assert "same 1" in done.stdout, done.stdout

    assert http_server.requests_to("/b/news/777.html") == []  # full_text: never, re-checks too
    fetched = http_server.requests_to("/a/news/61234.html")
    assert len(fetched) == 3
    assert "if-none-match" not in {k.lower() for k in fetched[0].headers}
    for recheck in fetched[1:]:
        headers = {k.lower(): v for k, v in recheck.headers.items()}
        assert headers["if-none-match"] == ETAG
        assert headers["if-modified-since"] == MODIFIED

    events = casewatch(config, db_url, smtp_server, "events", "--format", "json", cwd=tmp_path)
    kinds = [line for line in events.stdout.splitlines() if '"kind"' in line]
    assert not any("article.changed" in k or "article.removed" in k for k in kinds)
