"""Workers on one PostgreSQL: a crawl cycle of many slow sources with one worker and with N.

    python bench/cluster.py                          # 300 sources, 300 ms each, 1 vs 3 workers
    python bench/cluster.py --sources 60 --workers 3 --concurrency 1

Half the sources are RSS feeds, half court schedule tables, served on 127.0.0.1, each
answering after ``--delay``. A private PostgreSQL server is started from the machine's binaries
(as the tests do). For each configuration, on a fresh database: the sources are marked just
run, the workers are started and waited for (registered, warmed up), then every source is made
due at once; the cycle's wall time runs from that moment until every source has its run. The
next ticks are then watched for a few seconds: each source must have been crawled exactly once,
and no two runs of one source may overlap (from the source-run rows' start and end times).
Prints both wall times and their ratio (target: N=3 workers ≤ 0.4 × one worker).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pipeline.config.load import load_config  # noqa: E402
from pipeline.ingest.deps import build_deps  # noqa: E402
from pipeline.store.engine import open_store  # noqa: E402

from support.cluster import (  # noqa: E402
    Feed,
    cluster_database,
    overlaps,
    query,
    serve_feeds,
    source_runs,
    start_worker,
    stop_all,
    wait_for,
    write_cluster_config,
)
from support.http_server import LocalHTTPServer  # noqa: E402
from support.pgserver import create_database, find_bindir, start_server, stop_server  # noqa: E402
from support.ports import free_port  # noqa: E402

TARGET = 0.4
WORKERS = "{tick: 1s, heartbeat: 2s, stalled_after: 60s, poll: 1s}"
SERVICE = "{deliver_every: 5s, shutdown_grace: 5s, crawl_timeout: 120s}"


def feeds(count: int, delay: float) -> list[Feed]:
    return [Feed(f"s{i:03d}", kind="court_table" if i % 2 else "feed", delay=delay)
            for i in range(count)]  # fmt: skip


def cycle(server_url: str, work: Path, sources: list[Feed], workers: int, concurrency: int,
          http: LocalHTTPServer) -> float:  # fmt: skip
    """One cycle's wall time with ``workers`` workers; checks once-per-cycle and no overlap."""
    with cluster_database(server_url) as url:
        folder = write_cluster_config(work / f"config-{workers}", http, sources,
                                      workers=WORKERS, service=SERVICE)  # fmt: skip
        sessions = open_store(url)
        build_deps(config=load_config(folder), sessions=sessions)  # the sources' rows
        sessions.kw["bind"].dispose()
        query(url, "UPDATE source SET last_run_at = now()")  # not due: nothing runs yet
        logs = [work / f"w{workers}-{n}.log" for n in range(workers)]
        procs = [start_worker(folder, url, log, "--concurrency", str(concurrency))
                 for log in logs]  # fmt: skip
        try:
            registered = "SELECT count(*) FROM casewatch_worker WHERE job_worker_id IS NOT NULL"
            wait_for(lambda: query(url, registered)[0][0] == workers, 120, "workers ready")
            started = time.perf_counter()
            query(url, "UPDATE source SET last_run_at = now() - interval '2 hours'")
            done = "SELECT count(DISTINCT source_id) FROM source_run"
            wait_for(lambda: query(url, done)[0][0] == len(sources), 1800, "the cycle",
                     every=0.05)  # fmt: skip
            elapsed = time.perf_counter() - started
            time.sleep(3)  # the next ticks: nothing is due again, nothing may run twice
            runs = source_runs(url)
        finally:
            codes = stop_all(procs)
    twice = [s for s, r in runs.items() if len(r) != 1]
    overlapping = [s for s, r in runs.items() if overlaps(r)]
    failed = [s for s, r in runs.items() if any(o not in ("ok", "not_modified") for *_, o in r)]
    print(f"{workers} worker(s) × concurrency {concurrency}: {len(sources)} sources in "
          f"{elapsed:6.2f} s  ({len(sources) / elapsed:5.1f} sources/s); crawled more than once: "
          f"{len(twice)}; overlapping runs: {len(overlapping)}; failed: {len(failed)}; "
          f"exit codes {codes}")  # fmt: skip
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.3, help="seconds each answer waits")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4, help="jobs per worker at once")
    args = parser.parse_args()
    bindir = find_bindir()
    if bindir is None:
        sys.exit("no PostgreSQL binaries (initdb/pg_ctl)")
    server = start_server(bindir, free_port())
    http = LocalHTTPServer()
    http.start()
    try:
        create_database(server.url("postgres"), "bench")
        sources = feeds(args.sources, args.delay)
        serve_feeds(http, sources)
        with tempfile.TemporaryDirectory(prefix="casewatch-cluster-") as tmp:
            one = cycle(server.url("bench"), Path(tmp), sources, 1, args.concurrency, http)
            many = cycle(server.url("bench"), Path(tmp), sources, args.workers,
                         args.concurrency, http)  # fmt: skip
        ratio = many / one
        print(f"ratio {args.workers} workers / 1 worker: {ratio:.2f}  (target ≤ {TARGET}: "
              f"{'met' if ratio <= TARGET else 'missed'})")  # fmt: skip
    finally:
        http.close()
        stop_server(server)


if __name__ == "__main__":
    main()
