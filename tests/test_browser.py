"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against a real uvicorn
server on 127.0.0.1 serving a store filled by the pipeline.

Screenshots of the main pages go to the test's tmp dir and to test-output/screenshots/ at the
repository root (git-ignored) for a reviewer.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli.context import configured_sources
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
SHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt install chromium)"
    ),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UvicornThread]:
    filled: Filled = fill(tmp_path_factory.mktemp("browser"))
    deps = WebDeps(
        sessions=filled.sessions,
        sources=configured_sources(filled.config),
        clock=lambda: filled.now,
    )
    with UvicornThread(create_app(deps)) as running:
        yield running
    filled.sessions.kw["bind"].dispose()


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


def shoot(page: Any, tmp_path: Path, name: str) -> None:
    target = tmp_path / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(target, SHOTS / target.name)
    assert target.stat().st_size > 1000


def test_case_dashboard_shows_next_hearing_and_history(
    server: UvicornThread, page: Any, tmp_path: Path
) -> None:
    response = page.goto(f"{server.url}/cases/taldykorgan-torture")
    assert response.status == 200
    next_hearing = page.locator("#next-hearing")
    assert "2026-12-03 11:30 (Asia/Almaty, UTC+05:00)" in next_hearing.inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert "rescheduled 2026-12-01 10:00 (UTC+05:00) → 2026-12-03 11:30 (UTC+05:00)" in timeline
    assert "courtroom: зал 3 → зал 5" in timeline
    assert page.locator("#timeline li.off .change-cancelled").count() == 1
    assert page.locator("#coverage rect.bar").count() == 26
    shoot(page, tmp_path, "case-dashboard")
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
    assert "hearing.rescheduled" in page.locator("#deliveries").inner_text()
    shoot(page, tmp_path, "deliveries")
    assert page.evaluate("typeof window.__pwned") == "undefined"
