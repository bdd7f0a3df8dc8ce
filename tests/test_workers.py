"""``casewatch worker``: real worker processes on the real PostgreSQL server the suite starts,
against feeds served on 127.0.0.1 with a response delay.

The 300-source figure (three workers against one) is bench/cluster.py's; here fewer sources
check what must always hold: every source crawled once per cycle, never two crawls of one
source at once, pinned sources only on their queue's worker, status listing the workers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import Cli, run_casewatch
from support.cluster import (
    Feed,
    errors_logged,
    logged_sources,
    overlaps,
    serve_feeds,
    source_runs,
    start_worker,
    stop_all,
    wait_for,
    write_cluster_config,
)
from support.http_server import LocalHTTPServer

HOURLY = [Feed(f"src-{i:02d}", kind="court_table" if i % 2 else "feed") for i in range(24)]
FAST = [Feed(f"fast-{i}", every="1s", delay=1.5) for i in range(3)]
"""Due again every second but 1.5 s to answer: the ticks want them while they run."""
PINNED = [Feed(f"kz-{i}", queue="kz") for i in range(3)]


def test_worker_on_sqlite_refuses_naming_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "casewatch.db"
    config = write_cluster_config(tmp_path / "config", LocalHTTPServer(), [Feed("court-01")])
    code, output = Cli(config, f"sqlite:///{db}").run("worker")
    assert code == 2
    assert "casewatch worker needs PostgreSQL" in output
    assert "casewatch db copy --to postgresql" in output and "casewatch run" in output
    assert not db.exists()  # refused before anything was created


@pytest.mark.postgres
@pytest.mark.e2e
def test_workers_crawl_each_source_once_a_cycle_never_twice_at_once_and_by_queue(
    tmp_path: Path, cluster_url: str, http_server: LocalHTTPServer
) -> None:
    feeds = [*HOURLY, *FAST, *PINNED]
    serve_feeds(http_server, feeds)
    config = write_cluster_config(tmp_path / "config", http_server, feeds)
    logs = [tmp_path / f"worker-{n}.log" for n in ("a", "b", "c", "kz")]
    workers = [start_worker(config, cluster_url, log, "--concurrency", "3") for log in logs[:3]]
    workers.append(
        start_worker(config, cluster_url, logs[3], "--queue", "kz", "--concurrency", "2")
    )
    try:
        once = {f.id for f in [*HOURLY, *PINNED]}
        wait_for(lambda: once <= set(source_runs(cluster_url)), 120, "every source's first run")
        fast = {f.id for f in FAST}
        wait_for(lambda: all(len(source_runs(cluster_url).get(s, [])) >= 2 for s in fast), 60,
                 "two runs of each fast source")  # fmt: skip
        status = run_casewatch(config, cluster_url, "status", "--format", "json")
        table = run_casewatch(config, cluster_url, "status")
    finally:
        codes = stop_all(workers)
    assert codes == [0, 0, 0, 0]
    runs = source_runs(cluster_url)
    assert {s: len(runs[s]) for s in once} == dict.fromkeys(once, 1)  # once in the cycle
    for source, source_runs_ in runs.items():  # never two crawls of a source at once
        assert overlaps(source_runs_) == [], source
    assert {outcome for r in runs.values() for _, _, outcome in r} <= {"ok", "not_modified"}
    pinned = {f.id for f in PINNED}
    assert logged_sources(logs[3]) == pinned  # the kz worker crawled the kz sources only
    for log in logs[:3]:
        assert not logged_sources(log) & pinned
    assert [e for log in logs for e in errors_logged(log)] == []  # deliver, reminders… ran clean

    document = json.loads(status.stdout)
    seen = document["workers"]
    assert sorted(w["queues"] for w in seen) == [["default"]] * 3 + [["kz"]]
    assert {w["state"] for w in seen} == {"running"}
    assert all(w["concurrency"] in (2, 3) for w in seen)
    assert {q["queue"] for q in document["queues"]} <= {"default", "kz"}
    assert "workers" in table.stdout and "kz" in table.stdout
