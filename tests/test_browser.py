"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a real uvicorn
server on 127.0.0.1 serving a store filled by the pipeline.

Screenshots of the main pages go to the test's tmp dir and to test-output/screenshots/ at the
repository root (git-ignored) for a reviewer. With ``CASEWATCH_SCREENSHOTS=1`` the case
dashboard and an alert email also go to docs/screenshots/ (committed: the README's pictures),
so a normal run never rewrites them.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli.context import configured_sources
from pipeline.events.kinds import BY_NAME, KINDS
from pipeline.items import ArticlePage, ArticleTarget
from pipeline.notify.render import EventView, render
from pipeline.notify.routing import describe_route
from pipeline.store.captures import add_capture
from pipeline.store.read.events import list_events
from pipeline.web import WebDeps, create_app

from support.web_data import HOSTILE, Filled, fill
from support.web_server import UvicornThread

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-output" / "screenshots"
DOCS_SHOTS = ROOT / "docs" / "screenshots"
"""Written only with CASEWATCH_SCREENSHOTS=1; each PNG kept under 300 KB."""
LONG_URL = "https://news.example/a/1?" + "&".join(
    f"utm_param{n}=campaign-{n:03d}" for n in range(12)
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt install chromium)"
    ),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Filled]:
    """The web store, plus two evidence captures of article 1 (a long URL, 64-hex hashes)."""
    result = fill(tmp_path_factory.mktemp("browser"))
    target = ArticleTarget(article_id=1, url="https://news.example/a/1", source_id="news-ru")
    with result.sessions.begin() as session:
        for kind, body in (("first", b"<p>one</p>"), ("changed", b"<p>two</p>")):
            fetched = ArticlePage(target=target, status=200, final_url=LONG_URL, body=body)
            add_capture(session, fetched, kind=kind, title="t", text="t", now=result.now)
    yield result
    result.sessions.kw["bind"].dispose()


@pytest.fixture(scope="module")
def server(filled: Filled) -> Iterator[UvicornThread]:
    deps = WebDeps(
        sessions=filled.sessions,
        sources=configured_sources(filled.config),
        clock=lambda: filled.now,
    )
    with UvicornThread(create_app(deps)) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    tab = context.new_page()
    tab.dialogs = []  # type: ignore[attr-defined]
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def shoot(page: Any, tmp_path: Path, name: str, *, docs: bool = False) -> None:
    """A full-page screenshot to test-output/; with ``docs`` also to docs/screenshots/ when
    CASEWATCH_SCREENSHOTS=1."""
    target = tmp_path / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(target, SHOTS / target.name)
    assert target.stat().st_size > 1000
    if docs and os.environ.get("CASEWATCH_SCREENSHOTS") == "1":
        assert target.stat().st_size < 300_000, f"{name}.png is too big for docs/"
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, DOCS_SHOTS / target.name)


def test_case_dashboard_shows_next_hearing_and_history(
    server: UvicornThread, page: Any, tmp_path: Path
) -> None:
    response = page.goto(f"{server.url}/cases/taldykorgan-torture")
    assert response.status == 200
    next_hearing = page.locator("#next-hearing")
    assert "2026-12-03 11:30 (Asia/Almaty, UTC+05:00)" in next_hearing.inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert (
        "rescheduled 2026-12-01 10:00 (Asia/Almaty, UTC+05:00) → "
        "2026-12-03 11:30 (Asia/Almaty, UTC+05:00)"
    ) in timeline
    assert "courtroom: зал 3 → зал 5" in timeline
    assert page.locator("#timeline li.off .change-cancelled").count() == 1
    assert page.locator("#coverage rect.bar").count() == 26
    shoot(page, tmp_path, "case-dashboard", docs=True)
    page.goto(f"{server.url}/cases/taldykorgan-torture?lang=ru")
    assert "Следующее заседание" in page.locator("#next-hearing").inner_text()
    shoot(page, tmp_path, "case-dashboard-ru")


def test_search_then_open_the_hostile_article_nothing_runs(
    server: UvicornThread, page: Any, tmp_path: Path
) -> None:
    page.goto(f"{server.url}/")
    assert "2026-12-03 11:30" in page.locator("#upcoming").inner_text()
    shoot(page, tmp_path, "home")
    page.click("text=Search")
    page.fill("input[name=q]", "пытками")
    page.select_option("select[name=case]", "taldykorgan-torture")
    page.click("button[type=submit]")
    page.wait_for_selector("#hits")
    assert "found: 3" in page.locator("#total").inner_text()
    assert page.locator("#hits mark").count() >= 3
    shoot(page, tmp_path, "search")
    page.click(f"#hits a:has-text('{HOSTILE}')")
    page.wait_for_selector("#title")
    assert page.url.startswith(f"{server.url}/articles/")
    assert HOSTILE in page.locator("#title").inner_text()
    assert "<img src=x onerror=" in page.locator("#text").inner_text()
    assert page.locator("main script, main img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == []
    shoot(page, tmp_path, "article")


def test_sources_and_deliveries_pages_render(
    server: UvicornThread, page: Any, tmp_path: Path
) -> None:
    page.goto(f"{server.url}/sources")
    assert page.locator("#sources tr").count() > 3
    shoot(page, tmp_path, "sources")
    page.goto(f"{server.url}/deliveries")
    assert "hearing moved" in page.locator("#deliveries").inner_text()
    assert page.locator("#deliveries .kind[title='hearing.rescheduled']").count() >= 1
    shoot(page, tmp_path, "deliveries")
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_case_page_shows_local_times_with_the_zone(server: UvicornThread, page: Any) -> None:
    """Article and event times read in the case's zone (Asia/Almaty, UTC+05:00), not UTC."""
    page.goto(f"{server.url}/cases/taldykorgan-torture")
    main = page.locator("main").inner_text()
    assert not re.search(r"\d:\d\d UTC\b", main)
    # published Thu, 19 Nov 2026 09:00 +0500; the events were made at 06:00 and 11:00 UTC
    assert "2026-11-19 09:00 (Asia/Almaty, UTC+05:00)" in main
    events = page.locator("#events").inner_text()
    assert "2026-11-20 11:00 (Asia/Almaty, UTC+05:00)" in events
    assert "2026-11-21 11:00 (Asia/Almaty, UTC+05:00)" in events
    page.goto(f"{server.url}/cases/kostanay-case")
    assert "(Asia/Qostanay, UTC+05:00)" in page.locator("#events").inner_text()


def test_article_page_has_no_horizontal_overflow_at_1280(
    server: UvicornThread, browser: Any, tmp_path: Path
) -> None:
    """The captures table (a long URL, 64-hex hashes, WARC ids) stays inside the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    tab = context.new_page()
    tab.goto(f"{server.url}/articles/1")
    assert tab.locator("#captures tr").count() == 3
    assert LONG_URL in tab.locator("#captures").inner_text().replace("\n", "")
    overflow = tab.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    table, main = (
        tab.locator(selector).evaluate("e => e.getBoundingClientRect().right")
        for selector in ("#captures", "main")
    )
    assert overflow <= 0 and table <= main, (overflow, table, main)
    assert "(Asia/Almaty, UTC+05:00)" in tab.locator("#captures").inner_text()
    shoot(tab, tmp_path, "article-captures")
    context.close()


def test_the_russian_pages_name_every_event_kind_in_russian(
    server: UvicornThread, page: Any
) -> None:
    page.goto(f"{server.url}/cases/taldykorgan-torture?lang=ru")
    tags = page.locator("#events .kind")
    assert tags.count() >= 3
    for index in range(tags.count()):
        name, label = tags.nth(index).get_attribute("title"), tags.nth(index).inner_text()
        assert label == BY_NAME[name].labels["ru"], (name, label)
    page.goto(f"{server.url}/deliveries?lang=ru")
    shown = page.locator("#deliveries").inner_text()
    assert not any(kind.name in shown for kind in KINDS), shown
    assert "заседание перенесено" in shown


def test_an_alert_email_renders_in_a_browser(filled: Filled, page: Any, tmp_path: Path) -> None:
    """The hearing.rescheduled email as notify renders it (the case's zone, the route that
    sent it), opened as the HTML part a mail client shows."""
    with filled.sessions() as session:
        moved = next(
            e
            for e in list_events(session, case="taldykorgan-torture")
            if e.kind == "hearing.rescheduled"
        )
    case = next(c for c in filled.config.cases if c.slug == moved.case)
    message = render(
        EventView(moved.kind, moved.case, moved.payload),
        language="en",
        timezone=case.timezone,
        route=describe_route(0, filled.config.routes[0]),
    )
    page.set_viewport_size({"width": 760, "height": 420})
    page.set_content(
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        '<body style="margin:0;background:#fff"><div style="max-width:720px;padding:12px 20px">'
        '<p style="font:13px Arial,sans-serif;color:#444;border-bottom:1px solid #ddd;'
        f'padding-bottom:8px"><b>Subject:</b> {escape(message.title)}</p>'
        f"{message.body_html}</div></body></html>"
    )
    text = page.locator("body").inner_text()
    assert "2026-12-01 10:00 (Asia/Almaty, UTC+05:00)" in text
    assert "2026-12-03 11:30 (Asia/Almaty, UTC+05:00)" in text
    shoot(page, tmp_path, "alert-email", docs=True)


def test_an_unknown_case_is_an_html_404_page(server: UvicornThread, page: Any) -> None:
    """A browser asking for a case that does not exist gets a page, not a JSON body."""
    response = page.goto(f"{server.url}/cases/nope")
    assert response is not None and response.status == 404
    assert "text/html" in (response.header_value("content-type") or "")
    assert page.locator("h1").inner_text().startswith("404")
    assert "nope" in page.locator("main").inner_text()
    assert page.locator("nav a").count() >= 1  # the way back to the dashboard
