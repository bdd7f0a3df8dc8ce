"""A case's Atom feed parses with feedparser (no bozo) and carries its developments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from pipeline.store.read.events import EventListing
from pipeline.web import WebDeps, create_app
from pipeline.web.atom import entry_of, entry_title, render_atom

from support.web_data import HOSTILE, fill


def test_case_feed_parses_without_bozo(tmp_path: Path) -> None:
    filled = fill(tmp_path)
    deps = WebDeps(sessions=filled.sessions, clock=lambda: filled.now, domain="test.casewatch")
    response = TestClient(create_app(deps)).get("/cases/taldykorgan-torture/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Taldykorgan police torture trials — casewatch"
    titles = [e.title for e in feed.entries]
    assert len(titles) == 9
    # the first article says the trial was postponed, with no date, before any hearing was known
    assert any(t.startswith("Hearing postponed, no new date yet: date unknown") for t in titles)
    assert any(
        t.startswith("Hearing moved: 2026-12-01 10:00") and "2026-12-03 11:30" in t for t in titles
    )
    assert any(t.startswith("Hearing no longer listed: 2026-12-10 15:00") for t in titles)
    assert any(t == f"Article: Пытки в Талдыкоргане {HOSTILE}" for t in titles)  # text, escaped
    assert b"<script>" not in response.content
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("tag:test.casewatch,") for i in ids)
    assert {e.link for e in feed.entries} >= {"https://news.example/a/4"}


def test_control_characters_and_bad_links_never_break_the_feed() -> None:
    event = EventListing(
        id=7,
        kind="article.new",
        case="c",
        url="javascript:alert(1)",
        created_at=datetime(2026, 11, 28, tzinfo=UTC),
        payload={"title": "bell\x07 & <b>bold</b> \ufffe", "summary": "a\x00b ]]> c"},
    )
    body = render_atom(
        feed_id="tag:x,2024:casewatch/case/c",
        title="C & <D>",
        self_url="http://127.0.0.1/cases/c/feed.atom?a=1&b=2",
        page_url="http://127.0.0.1/cases/c",
        entries=[entry_of(event, "x")],
        now=datetime(2026, 11, 28, tzinfo=UTC),
    )
    feed = feedparser.parse(body.encode("utf-8"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    (entry,) = feed.entries
    assert entry.title.strip() == "Article: bell & <b>bold</b>"
    assert "link" not in entry or entry.link != "javascript:alert(1)"
    assert feed.feed.title == "C & <D>"


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [
        ("article.new", {"title": "T"}, "Article: T"),
        ("hearing.scheduled", {"local_time": "L", "court": "C"}, "Hearing set: L — C"),
        (
            "hearing.rescheduled",
            {"court": "C", "old": {"local_time": "A"}, "new": {"local_time": "B"}},
            "Hearing moved: A → B — C",
        ),
        ("hearing.cancelled", {"local_time": "L", "court": "C"}, "Hearing cancelled: L — C"),
        ("source.failing", {}, "source.failing"),
    ],
)
def test_entry_title(kind: str, payload: dict, expected: str) -> None:
    assert entry_title(kind, payload) == expected
