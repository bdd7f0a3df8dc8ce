"""`casewatch run` (the service) as a real process against feeds and SMTP on 127.0.0.1.

Hundreds of short crawl cycles: every source keeps its own interval (fetch times come from
the server's log), a source whose server never answers times out and is backed off without
stalling the others, new articles are delivered while it runs, SIGTERM ends it cleanly within
seconds, and a restart takes each source's next run from the database.
"""

from __future__ import annotations

import itertools
import json
import shutil
import signal
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cli import run_casewatch, start_casewatch
from support.e2e import TALDY_RU, VLAST_URL
from support.feeds import rss
from support.http_server import TimedHTTPServer
from support.smtp import LocalSMTPServer

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
SECRET = "s3cr3t-pw-9931"

INTERVALS = {"fast": 0.3, "medium": 0.5, "slow": 0.8}
HANG_EVERY, CRAWL_TIMEOUT, BACKOFF_MAX = 0.5, 3.0, 4.0
CYCLES = 250


@pytest.fixture
def http() -> Iterator[TimedHTTPServer]:
    server = TimedHTTPServer()
    server.start()
    yield server
    server.close()


def feed(label: str) -> str:
    items = [(f"{label}: новости региона {i}", f"https://example.kz/{label}/{i}", "Текст.")
             for i in range(3)]  # fmt: skip
    if label == "fast":
        items.append((TALDY_RU, VLAST_URL, "Подсудимые обвиняются в пытках по статье 146 УК."))
    return rss(items)


def write_config(
    folder: Path, http: TimedHTTPServer, sources: dict[str, float], **extra: str
) -> None:
    folder.mkdir(exist_ok=True)
    shutil.copy(REPO / "config" / "cases.yaml", folder / "cases.yaml")
    service = {
        "crawl_timeout": f"{CRAWL_TIMEOUT}s", "shutdown_grace": "5s", "startup_spread": "0.3s",
        "deliver_every": "0.5s", "reminders_every": "2s", **extra,
    }  # fmt: skip
    (folder / "settings.yaml").write_text(
        f"data_dir: {folder.parent / 'data'}\n"
        "download_timeout: 60s\ndownload_delay: 0s\nfailing_after: 2\n"
        f"failing_backoff_max: {BACKOFF_MAX}s\nnews_search: {{enabled: false}}\n"
        "delivery: {backoff: 0s, max_attempts: 3}\n"
        f"service: {json.dumps(service)}\n",
        encoding="utf-8",
    )
    rows = "".join(
        f"  - {{id: {sid}, kind: feed, url: '{http.url(f'/{sid}.xml')}', every: {every}}}\n"
        for sid, every in sources.items()
    )
    (folder / "sources.yaml").write_text("sources:\n" + rows, encoding="utf-8")
    (folder / "alerts.yaml").write_text(
        "channels:\n  - id: team-email\n    url: ${SVC_SMTP_URL}\n"
        "routes:\n  - cases: ['*']\n    events: [article.new]\n    channels: [team-email]\n",
        encoding="utf-8",
    )


def serve(http: TimedHTTPServer, sources: dict[str, float]) -> None:
    for sid in sources:
        if sid == "hang":
            http.route("/hang.xml", body=rss([]), delay=600.0)  # answers only when closed
        else:
            http.route(f"/{sid}.xml", body=feed(sid),
                       headers={"Content-Type": "application/rss+xml; charset=utf-8"})  # fmt: skip


def smtp_env(smtp: LocalSMTPServer) -> dict[str, str]:
    """The alerts channel's URL, with a password that must never be logged."""
    return {
        "SVC_SMTP_URL": f"mailto://monitor:{SECRET}@127.0.0.1:{smtp.port}"
        "?from=casewatch@example.org&to=monitor@example.org",
    }


def start(config: Path, db_url: str, smtp: LocalSMTPServer, log: Path) -> subprocess.Popen[bytes]:
    return start_casewatch(
        config, db_url, "run", "--log-format", "json", env=smtp_env(smtp),
        stdout=subprocess.DEVNULL, stderr=log.open("wb"),
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes], within: float) -> tuple[int, float]:
    """SIGTERM; (exit status, seconds it took to exit)."""
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"casewatch run did not exit within {within}s of SIGTERM")
    return code, time.monotonic() - sent


def gaps(times: list[float], skip: int = 2) -> list[float]:
    """Seconds between consecutive fetches, after ``skip`` warm-up fetches."""
    kept = times[skip:]
    return [b - a for a, b in itertools.pairwise(kept)]


def log_records(path: Path) -> list[dict[str, object]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is one JSON object


def casewatch_json(config: Path, db_url: str, smtp: LocalSMTPServer, *args: str) -> object:
    done = run_casewatch(config, db_url, *args, "--format", "json", env=smtp_env(smtp), timeout=120)
    assert done.stdout, done.stderr
    return json.loads(done.stdout)


def test_service_keeps_intervals_survives_a_hung_source_and_stops_on_sigterm(
    tmp_path: Path, http: TimedHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    sources = {**INTERVALS, "hang": HANG_EVERY}
    serve(http, sources)
    config = tmp_path / "config"
    write_config(config, http, sources)
    db_url = f"sqlite:///{tmp_path / 'service.db'}"
    log = tmp_path / "service.log"
    process = start(config, db_url, smtp_server, log)
    try:
        good = [f"/{sid}.xml" for sid in INTERVALS]
        http.wait_until(lambda: sum(http.count(p) for p in good) >= CYCLES, timeout=240)
        assert process.poll() is None, log.read_text()[-3000:]
        smtp_server.wait_for(1, timeout=30)  # delivered while running
    finally:
        code, took = stop(process, within=15)
    assert code == 0, log.read_text()[-3000:]
    assert took < 8, f"took {took:.1f}s to stop"

    tail = log.read_text(encoding="utf-8")[-2000:]
    for sid, every in INTERVALS.items():
        times = http.times[f"/{sid}.xml"]
        between = gaps(times)
        assert len(between) >= 20, (sid, len(between), tail)
        median = statistics.median(between)
        assert every * 0.9 <= median <= every * 1.6 + 0.15, (sid, every, median, tail)
        rate = len(between) / (times[-1] - times[2])
        assert rate <= 1 / every * 1.05, (sid, rate)  # never more often than its interval

    hang = http.times["/hang.xml"]
    assert 2 <= len(hang) < len(http.times["/fast.xml"]) / 4
    warm = http.times["/fast.xml"][2]  # the first crawls also pay for Scrapy's first imports
    hung = [t for t in hang[:-1] if t > warm]
    assert hung, (hang, warm)
    for started in hung:  # while a hung crawl waits for its timeout, the others go on
        window = [t for t in http.times["/fast.xml"] if started < t < started + CRAWL_TIMEOUT]
        assert len(window) >= 3, (started, window, tail)
    assert gaps(hang, skip=0)[-1] >= CRAWL_TIMEOUT + BACKOFF_MAX * 0.9  # backed off, capped

    records = log_records(log)  # --log-format json: one object per line
    assert any(r["message"] == "service stopped" for r in records)
    assert any("timed out" in str(r["message"]) and r.get("source") == "hang" for r in records)
    assert SECRET not in log.read_text(encoding="utf-8")

    status = casewatch_json(config, db_url, smtp_server, "status")
    by_id = {s["id"]: s for s in status["sources"]}  # type: ignore[index]
    assert by_id["hang"]["failing"] and by_id["hang"]["consecutive_failures"] >= 2
    assert "timed out after 3s" in by_id["hang"]["last_error"]
    assert all(by_id[sid]["result"] in ("ok", "not_modified") for sid in INTERVALS)
    assert status["health"]["sources"]["failing"] == ["hang"]  # type: ignore[index]
    assert len(smtp_server.messages) == 1  # the one relevant article, once


def test_restart_takes_next_runs_from_the_database(
    tmp_path: Path, http: TimedHTTPServer, smtp_server: LocalSMTPServer, db_url: str
) -> None:
    sources = {"fast": 0.3, "hourly": 3600.0}
    serve(http, sources)
    config = tmp_path / "config"
    write_config(config, http, sources)
    log = tmp_path / "first.log"
    process = start(config, db_url, smtp_server, log)
    try:
        http.wait_until(
            lambda: http.count("/hourly.xml") >= 1 and http.count("/fast.xml") >= 3, 120
        )
    finally:
        assert stop(process, within=15)[0] == 0, log.read_text()[-3000:]
    fast_before = http.count("/fast.xml")

    log = tmp_path / "second.log"
    process = start(config, db_url, smtp_server, log)
    try:
        http.wait_until(lambda: http.count("/fast.xml") >= fast_before + 5, timeout=120)
    finally:
        assert stop(process, within=15)[0] == 0, log.read_text()[-3000:]
    assert http.count("/hourly.xml") == 1  # not refetched: its hour has not passed
    first_runs = [r for r in log_records(log) if "first run" in str(r["message"])]
    assert {r["source"] for r in first_runs} == {"fast", "hourly"}
    assert len(smtp_server.messages) == 1  # nothing re-sent after the restart
