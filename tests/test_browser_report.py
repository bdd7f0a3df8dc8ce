"""The printable case chronology in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright) from a real uvicorn server on 127.0.0.1: the case page links to it, it runs no
script under the app's Content-Security-Policy (its style allowed by hash), and it prints
one page a section (``page.pdf``)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pipeline.cli.context import configured_sources
from pipeline.items import ArticlePage, ArticleTarget
from pipeline.store.captures import add_capture
from pipeline.store.models import CaptureRow
from pipeline.web import WebDeps, create_app

from support.web_data import Filled, fill
from support.web_server import UvicornThread

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"
SECTIONS = 7
"""Summary, hearings, postponements, next hearing, articles, evidence, notes."""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt install chromium)"
    ),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UvicornThread, Filled]]:
    filled = fill(tmp_path_factory.mktemp("browser-report"))
    target = ArticleTarget(article_id=1, url="https://news.example/a/1", source_id="news-ru")
    with filled.sessions.begin() as session:
        fetched = ArticlePage(target=target, status=200, final_url=target.url, body=b"<p>x</p>")
        add_capture(session, fetched, kind="first", title="t", text="t", now=filled.now)
    deps = WebDeps(
        sessions=filled.sessions,
        sources=configured_sources(filled.config),
        clock=lambda: filled.now,
    )
    with UvicornThread(create_app(deps)) as running:
        yield running, filled
    filled.sessions.kw["bind"].dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US")
    tab = context.new_page()
    tab.messages = []  # type: ignore[attr-defined]
    tab.on("console", lambda message: tab.messages.append(message.text))
    yield tab
    context.close()


def test_the_case_page_links_to_a_report_that_runs_no_script_and_prints(
    server: tuple[UvicornThread, Filled], page: Any, tmp_path: Path
) -> None:
    running, filled = server
    page.goto(f"{running.url}/cases/taldykorgan-torture")
    page.click("#report-link")
    page.wait_for_selector("#summary")
    assert page.url == f"{running.url}/cases/taldykorgan-torture/report"
    assert page.locator("script").count() == 0
    assert page.locator("link, img, iframe, object, embed").count() == 0
    assert not [m for m in page.messages if "Content Security Policy" in m], page.messages
    # the inline style was allowed (CSP by hash): the report's serif font applies
    assert "Georgia" in page.locator("body").evaluate("e => getComputedStyle(e).fontFamily")
    text = page.locator("main").inner_text()
    assert "The next hearing is set for 2026-12-03 11:30 (Asia/Almaty, UTC+05:00)" in text
    with filled.sessions() as session:
        capture = session.scalars(select(CaptureRow)).one()
    assert capture.sha256 in text and capture.record_id in text
    hrefs = page.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)

    page.emulate_media(media="print")
    breaks = page.locator("section").evaluate_all(
        "sections => sections.map(s => getComputedStyle(s).breakBefore)"
    )
    assert breaks == ["auto"] + ["page"] * (SECTIONS - 1)
    pdf = page.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= SECTIONS, pages
    out = tmp_path / "case-report.pdf"
    out.write_bytes(pdf)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(out, SHOTS / out.name)


def test_the_report_in_russian_and_for_a_period(
    server: tuple[UvicornThread, Filled], page: Any
) -> None:
    running, _ = server
    page.goto(f"{running.url}/cases/taldykorgan-torture?lang=ru")
    assert page.locator("#report-link").get_attribute("href").endswith("/report?lang=ru")
    response = page.goto(
        f"{running.url}/cases/taldykorgan-torture/report?lang=ru&from=2026-12-01&to=2026-12-31"
    )
    assert response.status == 200 and response.headers["content-language"] == "ru"
    text = page.locator("main").inner_text()
    assert "Хронология дела" in text and "С 2026-12-01 по 2026-12-31" in text
    assert "2026-11-18" not in page.locator("#hearings").inner_text()
    assert page.goto(f"{running.url}/cases/nope/report").status == 404
    assert page.goto(f"{running.url}/cases/taldykorgan-torture/report?from=soon").status == 422
