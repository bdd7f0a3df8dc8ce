"""Workers killed mid-job (SIGKILL: no clean-up of any kind): nothing is lost. The crawl a
dead worker was running is redone by another once the dead one's heartbeat is overdue
(``workers.stalled_after``); of 500 alerts being delivered when a worker dies, every one
arrives and at most one twice (the message in flight between its send and its commit)."""

from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.records import Event
from pipeline.store.engine import open_store
from pipeline.store.events import add_events

from support.cluster import (
    Feed,
    pids_running,
    query,
    serve_feeds,
    source_runs,
    start_worker,
    stop_all,
    wait_for,
    write_cluster_config,
)
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer, smtp_url

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

ALERTS = 500
SLOW = Feed("slow-court", delay=5.0)
"""Long enough to be killed mid-crawl."""


def alert(i: int) -> Event:
    url = f"https://example.kz/news/{i}"
    return Event(
        kind="article.new",
        case="taldykorgan-torture",
        dedupe_key=f"article.new:taldykorgan-torture:{url}",
        payload={"title": f"Суд в Талдыкоргане: заседание №{i}", "url": url,
                 "source": "test", "published_at": "2026-11-27T09:00:00+05:00",
                 "language": "ru", "case_title": "Taldykorgan police torture trials",
                 "why": [["keyword", "пытки", "title", "пытках"]], "score": 1.0},
    )  # fmt: skip


def queue_alerts(db_url: str, count: int) -> None:
    sessions = open_store(db_url)
    with sessions.begin() as session:
        add_events(session, [alert(i) for i in range(count)], lambda kind, case: ("mail",),
                   datetime.now(UTC))  # fmt: skip
    sessions.kw["bind"].dispose()


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def test_killed_workers_lose_nothing_crawl_redone_alerts_at_most_one_twice(
    tmp_path: Path, cluster_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    serve_feeds(http_server, [SLOW])
    config = write_cluster_config(
        tmp_path / "config", http_server, [SLOW],
        settings="delivery: {min_interval: 10ms, timeout: 2s, max_per_hour: 0, backoff: 0s}\n",
        alerts=f"channels:\n  - id: mail\n    url: '{smtp_url(smtp_server)}'\n"
        "routes:\n  - {events: ['*'], channels: [mail]}\n",
    )  # fmt: skip
    logs = [tmp_path / f"worker-{n}.log" for n in range(3)]
    workers = [start_worker(config, cluster_url, log, "--concurrency", "2") for log in logs]
    by_pid = {w.pid: w for w in workers}
    try:
        wait_for(lambda: http_server.requests_to("/slow-court.xml"), 120, "the slow page asked for")
        crawling = wait_for(lambda: pids_running(cluster_url, lock="crawl:slow-court"), 60,
                            "the slow crawl running")[0]  # fmt: skip
        kill(crawling)
        by_pid[crawling].wait(timeout=10)
        queue_alerts(cluster_url, ALERTS)
        smtp_server.wait_for(50, timeout=60)
        delivering = wait_for(
            lambda: [p for p in pids_running(cluster_url, task="casewatch.deliver") if p != crawling],
            30, "a delivery running",
        )[0]  # fmt: skip
        kill(delivering)
        sent = "SELECT count(*) FROM delivery WHERE status = 'sent'"
        wait_for(lambda: query(cluster_url, sent)[0][0] == ALERTS, 90, "every alert sent")
        wait_for(lambda: "slow-court" in source_runs(cluster_url), 60, "the killed crawl redone")
        received = smtp_server.wait_for(ALERTS, timeout=30)
    finally:
        codes = stop_all(workers)
    assert sorted(codes) == [-signal.SIGKILL, -signal.SIGKILL, 0], logs
    ids = Counter(str(m["Message-ID"]) for m in received)
    assert len(ids) == ALERTS  # every alert arrived
    twice = [i for i, n in ids.items() if n > 1]
    assert len(received) - ALERTS <= 1 and len(twice) <= 1, (twice, len(received))
    runs = source_runs(cluster_url)["slow-court"]
    assert [outcome for _, _, outcome in runs] == ["ok"]  # redone once, by the survivor
    # the killed fetch and the redone one (a third when the redo was on the second worker
    # killed: a loaded machine may take the 8 s before recovery to send the first 50 alerts)
    assert len(http_server.requests_to("/slow-court.xml")) >= 2
