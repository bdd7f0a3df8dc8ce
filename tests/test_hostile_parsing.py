"""A slow parse never blocks fetching: parsing runs off the loop, within a per-document budget.

A hostile court table once kept the loop that does all fetching for 50 s: nothing else was
fetched, ``crawl_timeout`` could not fire, and a healthy feed that had finished was recorded as
"crawl timed out". Now every spider callback, and the reading of article pages, runs in a worker
thread; a document over ``parse_budget`` seconds of CPU fails its source with a named error.

The slow parses here spin pure-Python CPU (holding the GIL like a slow parser); in the real
command they are patched in by :mod:`support.slowparse`.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

import spiders.court_table as court_spider
import spiders.site as site_spider
from pipeline.config.sources import Source
from pipeline.errors import ParseOverBudget
from pipeline.items import FetchReport, FetchSpec, RawArticle, RawHearing
from pipeline.parse.offloop import ParseWorkers
from spiders.court_table import CourtTableSpider
from spiders.site import SiteSpider

from support.cli import run_casewatch
from support.e2e import REPO
from support.feeds import XML, rss
from support.http_server import TimedHTTPServer
from support.slowparse import run_slow, start_slow


@pytest.fixture
def stop_spinning() -> Iterator[threading.Event]:
    """Set at teardown: an abandoned spinning thread must not eat the next tests' CPU."""
    stop = threading.Event()
    yield stop
    stop.set()


def spinner(stop: threading.Event, seconds: float = 60.0) -> Callable[[], str]:
    def spin() -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not stop.is_set():
            pass
        return "spun"

    return spin


# ---------------------------------------------------------------- the worker and its budget


def test_a_parse_over_its_cpu_budget_is_abandoned_while_the_loop_runs_on(
    stop_spinning: threading.Event,
) -> None:
    async def main() -> tuple[str, float, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        started = time.monotonic()
        with pytest.raises(ParseOverBudget) as caught:
            await ParseWorkers(budget=0.3).run(spinner(stop_spinning), "parsing doc")
        took = time.monotonic() - started
        ticker.cancel()
        return str(caught.value), took, ticks

    problem, took, ticks = asyncio.run(main())
    assert problem == "parsing doc took over 0.3s of CPU (abandoned)"
    assert 0.3 <= took < 0.9 * 2  # abandoned at the budget, long before the 60 s spin ends
    assert ticks >= took / 0.01 / 4  # the loop kept running timers all along


def test_waiting_does_not_count_but_a_parse_stuck_for_three_budgets_is_abandoned() -> None:
    workers = ParseWorkers(budget=0.3, wall_grace=0)

    async def main() -> tuple[str, str]:
        waited = await workers.run(lambda: time.sleep(0.5) or "done", "parsing a")  # no CPU
        with pytest.raises(ParseOverBudget) as caught:
            await workers.run(lambda: time.sleep(3), "parsing b")
        return waited, str(caught.value)

    started = time.monotonic()
    waited, problem = asyncio.run(main())
    assert waited == "done"
    assert problem == "parsing b took over 0.9s (abandoned)"  # wall time: 3 budgets
    assert time.monotonic() - started < 0.5 + 0.9 + 1.0


def test_an_abandoned_parse_gives_its_worker_up_and_errors_come_back(
    stop_spinning: threading.Event,
) -> None:
    workers = ParseWorkers(budget=0.3, workers=1)

    def broken() -> None:
        raise ValueError("bad markup")

    async def main() -> str:
        with pytest.raises(ParseOverBudget):
            await workers.run(spinner(stop_spinning), "parsing hostile")
        with pytest.raises(ValueError, match="bad markup"):
            await workers.run(broken, "parsing broken")
        return await asyncio.wait_for(workers.run(lambda: "read", "parsing next"), 1.0)

    assert asyncio.run(main()) == "read"
    assert len(workers.abandoned) == 1


def test_a_parse_whose_crawl_stopped_ends_unheard() -> None:
    def broken() -> None:
        time.sleep(0.2)
        raise ValueError("too late")

    async def main() -> list[dict[str, Any]]:
        reported: list[dict[str, Any]] = []
        asyncio.get_running_loop().set_exception_handler(
            lambda _, context: reported.append(context)
        )
        task = asyncio.create_task(ParseWorkers(budget=5).run(broken, "parsing x"))
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.wait({task})
        del task
        await asyncio.sleep(0.4)  # the thread ends meanwhile; its error is dropped, not logged
        gc.collect()
        return reported

    assert asyncio.run(main()) == []


# ---------------------------------------------------------------- the spiders' callbacks


def html(request: Request, body: str) -> HtmlResponse:
    return HtmlResponse(request.url, body=body.encode(), encoding="utf-8", request=request)


def start_requests(spider: Any) -> list[Request]:
    async def drain() -> list[Any]:
        return [r async for r in spider.start()]

    return asyncio.run(drain())


async def drained(output: Any, finished: dict[str, float], key: str) -> list[Any]:
    items = [item async for item in output]
    finished[key] = time.monotonic()
    return items


TABLE = (
    "<html><body><table><tr><th>Дата</th><th>Время</th><th>Номер дела</th><th>Судья</th></tr>"
    "<tr><td>12.03.2027</td><td>10:00</td><td>2-1</td><td>Иванова А.</td></tr></table></body></html>"
)


def court_sources(*ids: str) -> dict[str, Source]:
    rows = [{"id": sid, "kind": "court_table", "url": f"http://court.test/{sid}.html",
             "court": "Суд", "timezone": "Asia/Almaty"} for sid in ids]  # fmt: skip
    return {row["id"]: Source.model_validate(row) for row in rows}


def test_a_slow_page_fails_its_own_source_by_name_while_another_source_is_read(
    monkeypatch: pytest.MonkeyPatch, stop_spinning: threading.Event
) -> None:
    real, spin = court_spider.read_page, spinner(stop_spinning)

    def read_page(spec: FetchSpec, response: Any, **kwargs: Any) -> Any:
        if spec.source_id == "slow":
            spin()
        return real(spec, response, **kwargs)

    monkeypatch.setattr(court_spider, "read_page", read_page)
    sources = court_sources("slow", "fine")
    specs = [FetchSpec(s.id, s.url, s.kind) for s in sources.values()]
    spider = CourtTableSpider(specs=specs, sources=sources)
    spider.parse_workers = ParseWorkers(budget=0.5)
    slow, fine = start_requests(spider)
    finished: dict[str, float] = {}

    async def crawl() -> list[list[Any]]:
        return await asyncio.gather(
            drained(slow.callback(html(slow, TABLE)), finished, "slow"),
            drained(fine.callback(html(fine, TABLE)), finished, "fine"),
        )

    started = time.monotonic()
    (failed,), read = asyncio.run(crawl())
    assert isinstance(failed, FetchReport) and not failed.ok
    assert (
        failed.error
        == "slow: parsing http://court.test/slow.html took over 0.5s of CPU (abandoned)"
    )
    assert [type(i) for i in read] == [RawHearing, FetchReport] and read[-1].ok
    assert finished["fine"] < finished["slow"]  # read while the slow page was being parsed
    assert finished["slow"] - started < 0.5 * 3 + 0.5
    assert spider.runs["slow"].abandoned and not spider.runs["fine"].abandoned


def test_saved_responses_are_still_read_inline() -> None:
    """No running loop (the fixture harness): a callback is a plain generator, run here."""
    sources = court_sources("fine")
    spider = CourtTableSpider(specs=[FetchSpec("fine", sources["fine"].url, "court_table")],
                              sources=sources)  # fmt: skip
    [request] = start_requests(spider)
    output = request.callback(html(request, TABLE))
    assert inspect.isgenerator(output)
    assert [type(i) for i in output] == [RawHearing, FetchReport]


LISTING = '<html><body><ul class="news">{}</ul></body></html>'


def test_an_errback_waits_for_its_sources_callback_so_the_source_reports_once_at_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A listing's callback adds article requests from its thread while a failed listing of
    the same source comes back: the errback takes its turn after the callback, so it does not
    see the source as done and report it before its articles were read."""
    real = site_spider.listing_links

    def listing_links(*args: Any) -> Any:
        time.sleep(0.3)  # the errback arrives meanwhile
        return real(*args)

    monkeypatch.setattr(site_spider, "listing_links", listing_links)
    row = {"id": "site", "kind": "site", "url": "http://news.test/", "timezone": "Asia/Almaty",
           "urls": ["http://news.test/gone/"], "link_selector": "ul.news a"}  # fmt: skip
    entry = Source.model_validate(row)
    specs = [FetchSpec("site", entry.url, "site")]
    spider = SiteSpider.from_crawler(get_crawler(SiteSpider), specs=specs, sources={"site": entry})
    listing, gone = start_requests(spider)
    links = "".join(f'<li><a href="/a/{n}.html">{n}</a></li>' for n in range(2))
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = gone  # type: ignore[attr-defined]
    article = "<html><body><h1>Заголовок</h1><article>{}</article></body></html>"

    async def crawl() -> list[Any]:
        out: list[Any] = []
        first, second = await asyncio.gather(
            drained(listing.callback(html(listing, LISTING.format(links))), {}, "listing"),
            drained(gone.errback(failure), {}, "gone"),
        )
        out += first + second
        for request in [r for r in out if isinstance(r, Request)]:
            body = article.format("<p>Текст статьи о суде, достаточно длинный абзац.</p>" * 5)
            out += await drained(request.callback(html(request, body)), {}, "article")
        return out

    out = asyncio.run(crawl())
    reports = [i for i in out if isinstance(i, FetchReport)]
    assert len(reports) == 1 and out[-1] is reports[0], out
    assert sum(isinstance(i, RawArticle) for i in out) == 2
    assert "http://news.test/gone/: connection refused" in reports[0].error
    assert spider.runs["site"].pending == 0


# ---------------------------------------------------------------- the real command


@pytest.fixture
def timed() -> Iterator[TimedHTTPServer]:
    server = TimedHTTPServer()
    server.start()
    yield server
    server.close()


HTML = {"Content-Type": "text/html; charset=utf-8"}
SPIN = 120.0
"""Seconds a slow parse would spin: far past any budget here."""


def court_page(number: str, next_href: str = "") -> str:
    link = f'<link rel="next" href="{next_href}">' if next_href else ""
    return TABLE.replace("<html>", f"<html><head>{link}</head>").replace("2-1", number)


def serve_sources(http: TimedHTTPServer, *, pages: tuple[str, ...] = ()) -> None:
    http.route("/slow.html", body=court_page("1-1"), headers=HTML)
    http.route("/two-1.html", body=court_page("2-1", "/two-2.html"), headers=HTML, delay=0.5)
    http.route("/two-2.html", body=court_page("2-2"), headers=HTML)
    items = [(f"Новость {n}", http.url(f"/{n}.html"), "Кратко.") for n in ("fine", *pages)]
    http.route("/feed.xml", body=rss(items), headers=XML)
    article = "".join(f"<p>Абзац {n}: текст статьи о заседании суда.</p>" for n in range(8))
    for name in ("fine", *pages):
        http.route(f"/{name}.html", body=f"<html><body><article>{article}</article></body></html>",
                   headers=HTML)  # fmt: skip


def write_config(folder: Path, http: TimedHTTPServer, budget: str, *, service: str = "") -> None:
    folder.mkdir()
    shutil.copy(REPO / "config" / "cases.yaml", folder / "cases.yaml")
    (folder / "settings.yaml").write_text(
        f"data_dir: {folder.parent / 'data'}\ndownload_delay: 0s\nparse_budget: {budget}\n"
        f"news_search: {{enabled: false}}\n{service}",
        encoding="utf-8",
    )
    court = "kind: court_table, court: 'Суд', timezone: Asia/Almaty"
    (folder / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: slow, url: '{http.url('/slow.html')}', every: 1h, {court}}}\n"
        f"  - {{id: two, url: '{http.url('/two-1.html')}', every: 1h, {court}}}\n"
        f"  - {{id: feed, kind: feed, url: '{http.url('/feed.xml')}', every: 0.5s}}\n",
        encoding="utf-8",
    )


@pytest.mark.e2e
def test_run_once_a_slow_parse_fails_its_source_by_name_and_the_crawl_goes_on(
    tmp_path: Path, timed: TimedHTTPServer
) -> None:
    """A court table and an article page whose parse would spin 120 s: each is abandoned at the
    2 s budget with an error naming it; the other sources are fetched meanwhile and stored ok."""
    serve_sources(timed, pages=("slow-article",))
    write_config(tmp_path / "config", timed, "2s")
    database = f"sqlite:///{tmp_path / 'casewatch.db'}"

    started = time.monotonic()
    run = run_slow(tmp_path / "config", database, "run", "--once", "--all", spin=SPIN)
    took = time.monotonic() - started

    out = run.stdout + run.stderr
    lines = {
        line.split()[1]: line for line in run.stdout.splitlines() if line[:5] in ("ok   ", "error")
    }
    slow_url, page_url = timed.url("/slow.html"), timed.url("/slow-article.html")
    assert lines["slow"].startswith("error"), out
    assert f"slow: parsing {slow_url} took over 2s of CPU (abandoned)" in lines["slow"]
    assert lines["two"].startswith("ok") and " seen    2 " in lines["two"], out
    assert lines["feed"].startswith("ok") and " seen    2 " in lines["feed"], out
    assert f"page error   feed: parsing {page_url} took over 2s of CPU (abandoned)" in out
    assert "articles     2 page(s): " in out and "read 1" in out, out
    assert took < 45, f"took {took:.0f}s"  # not the 2 × 120 s the parses would spin
    # page 1 of "two" was parsed and page 2 asked for while the slow page was being parsed
    assert timed.times["/two-2.html"][0] - timed.times["/slow.html"][0] < 2.0


@pytest.mark.e2e
def test_the_service_fetches_on_during_a_slow_parse_and_never_times_out_a_finished_feed(
    tmp_path: Path, timed: TimedHTTPServer
) -> None:
    """Under ``casewatch run`` the slow parse once held the loop: the feed, finished, was
    recorded "crawl timed out". Now the feed is fetched every 0.5 s all along, and the slow
    source fails by name at its 1 s budget — not by the 4 s crawl timeout."""
    serve_sources(timed)
    config, database = tmp_path / "config", f"sqlite:///{tmp_path / 'casewatch.db'}"
    service = {"crawl_timeout": "4s", "startup_spread": "0.1s", "shutdown_grace": "3s"}
    write_config(config, timed, "1s", service=f"service: {json.dumps(service)}\n")
    log = tmp_path / "service.log"
    process = start_slow(config, database, "run", "--log-format", "json", spin=SPIN,
                         stdout=subprocess.DEVNULL, stderr=log.open("wb"))  # fmt: skip
    try:
        feeds = timed.times["/feed.xml"]
        timed.wait_until(
            lambda: (
                bool(timed.times["/slow.html"])
                and sum(t > timed.times["/slow.html"][0] + 4 for t in feeds) >= 2
            ),
            timeout=90,
        )
        assert process.poll() is None, log.read_text()[-3000:]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("casewatch run did not stop within 20 s of SIGTERM")
    assert code == 0, log.read_text()[-3000:]

    slow_at = timed.times["/slow.html"][0]
    during = [t for t in timed.times["/feed.xml"] if slow_at < t < slow_at + 3]
    # fetched while it was parsed: every 0.5 s, so ≈ 6 on an idle machine; a held loop gives 0.
    # At a load of 4+ on 2 cores (the parse spins a core) 2 were seen: a timing, not the rule.
    assert len(during) >= 2, (during, log.read_text()[-2000:])
    assert timed.times["/two-2.html"][0] - slow_at < 1.0 * 3
    messages = [json.loads(line)["message"] for line in log.read_text().splitlines() if line]
    assert not [m for m in messages if "timed out" in m], messages
    status = run_casewatch(config, database, "status", "--format", "json")
    by_id = {s["id"]: s for s in json.loads(status.stdout)["sources"]}
    slow_url = timed.url("/slow.html")
    assert by_id["slow"]["last_error"] == (
        f"slow: parsing {slow_url} took over 1s of CPU (abandoned)"
    ), by_id["slow"]
    assert by_id["feed"]["result"] in ("ok", "not_modified"), by_id["feed"]
    assert by_id["two"]["result"] == "ok", by_id["two"]
