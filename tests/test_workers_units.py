"""The pieces of ``casewatch worker`` that need no process: periodic schedules as cron lines,
the ``queue:`` of a source, and the status table's workers and queues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.cli.commands.status import print_cluster
from pipeline.config.settings import WorkerSettings
from pipeline.config.sources import Source
from pipeline.service.status import Status, assess, status_document
from pipeline.store.cluster import QueueDepth, WorkerSeen, crawl_lock
from pipeline.workers.tasks import cron_every


@pytest.mark.parametrize(
    ("every", "cron"),
    [
        (timedelta(seconds=1), "* * * * * */1"),
        (timedelta(seconds=30), "* * * * * */30"),
        (timedelta(seconds=45), "* * * * * */30"),  # the largest step dividing a minute
        (timedelta(minutes=1), "*/1 * * * *"),
        (timedelta(minutes=5), "*/5 * * * *"),
        (timedelta(minutes=15), "*/15 * * * *"),
        (timedelta(minutes=50), "*/30 * * * *"),
        (timedelta(hours=6), "0 */6 * * *"),
        (timedelta(days=2), "0 0 * * *"),
        (timedelta(milliseconds=200), "* * * * * */1"),
    ],
)
def test_periodic_jobs_run_about_as_often_as_asked(every: timedelta, cron: str) -> None:
    assert cron_every(every) == cron


def test_a_source_names_its_queue_or_takes_the_default() -> None:
    row = {"id": "court-kz", "kind": "court_table", "url": "https://court.example/"}
    assert Source.model_validate(row).queue is None
    assert Source.model_validate({**row, "queue": "kz"}).queue == "kz"
    with pytest.raises(ValueError, match="queue"):
        Source.model_validate({**row, "queue": "no spaces"})
    assert crawl_lock("court-kz") == "crawl:court-kz"


def test_a_worker_is_declared_dead_only_after_missing_heartbeats() -> None:
    assert WorkerSettings().silent_for == timedelta(minutes=1)
    short = WorkerSettings.model_validate({"heartbeat": "10s", "stalled_after": "15s"})
    assert short.silent_for == timedelta(seconds=20)


NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
WORKERS = (
    WorkerSeen("almaty-1:41", "almaty-1", 41, ("kz",), 2, NOW, NOW, "running", 1, 7),
    WorkerSeen("hetzner:7", "hetzner", 7, ("default",), 4, NOW, NOW, "lost", 0, 8),
)
QUEUES = (QueueDepth("default", 12, 4, 1, NOW - timedelta(seconds=30)),)


def test_status_shows_the_workers_their_queues_and_each_queues_depth(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = Status(NOW, (), {}, (), workers=WORKERS, queues=QUEUES)
    document = status_document(status)
    assert document["workers"][0] == {
        "name": "almaty-1:41", "host": "almaty-1", "pid": 41, "queues": ["kz"],
        "concurrency": 2, "started_at": NOW.isoformat(), "last_seen_at": NOW.isoformat(),
        "state": "running", "running_jobs": 1,
    }  # fmt: skip
    assert document["queues"] == [
        {"queue": "default", "waiting": 12, "running": 4, "scheduled": 1,
         "oldest_waiting_at": (NOW - timedelta(seconds=30)).isoformat()},
    ]  # fmt: skip
    print_cluster(status, "Asia/Almaty")
    table = capsys.readouterr().out
    assert "almaty-1:41" in table and "kz" in table and "lost" in table
    # the oldest waiting job (07:59:30 UTC), as every table shows a time: local, zone named
    assert "2026-12-07 12:59 (Asia/Almaty, UTC+05:00)" in table


def test_status_names_lost_workers_and_queues_nobody_takes() -> None:
    kz = QueueDepth("kz", 3, 0, 0, NOW)
    status = Status(NOW, (), {}, (), workers=WORKERS, queues=(*QUEUES, kz))
    problems = assess(status)["problems"]
    assert "workers lost (no heartbeat): hetzner:7" in problems
    # almaty-1 (running) takes kz; the default queue's only worker is lost
    assert "queues no running worker takes: default (12 waiting)" in problems
    assert assess(status)["status"] == "degraded"


def test_status_without_workers_says_nothing_of_them(capsys: pytest.CaptureFixture[str]) -> None:
    status = Status(NOW, (), {}, ())
    assert status_document(status)["workers"] == [] == status_document(status)["queues"]
    print_cluster(status, "UTC")
    assert capsys.readouterr().out == ""


def test_a_crawl_ending_while_the_tick_reads_is_not_queued_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tick reads the crawl jobs, then the sources' runs. A crawl commits its run before
    its job ends, so one that ends between the two reads is either still busy at the first or
    has its run in the second: never due and idle at once (it was queued twice that way)."""
    from contextlib import nullcontext
    from types import SimpleNamespace

    from pipeline.workers import runtime

    reads: list[str] = []

    def active_crawls(session: object) -> set[str]:
        reads.append("jobs")
        return {"src"} if len(reads) == 1 else set()  # the job ends after the first read

    def source_states(session: object) -> dict[str, object]:
        reads.append("runs")
        return {} if len(reads) == 1 else {"src": "ran"}  # its run is committed by then

    monkeypatch.setattr(runtime, "run_hold", lambda session: None)
    monkeypatch.setattr(runtime, "active_crawls", active_crawls)
    monkeypatch.setattr(runtime, "source_states", source_states)
    monkeypatch.setattr(runtime, "is_due", lambda source, state, *args: state is None)
    worker = SimpleNamespace(
        deps=SimpleNamespace(clock=lambda: datetime(2026, 12, 7, tzinfo=UTC),
                             sessions=lambda: nullcontext(None)),
        settings=SimpleNamespace(default_every=timedelta(hours=1), failing_backoff_max=None),
        sources={"src": Source(id="src", kind="feed", url="https://example.kz/rss")},
        run_seen_since=None,
    )  # fmt: skip
    assert runtime.WorkerRuntime.due_crawls(worker) == []  # type: ignore[arg-type]
    assert reads == ["jobs", "runs"]


def test_a_run_whose_age_the_server_hides_is_timed_by_the_worker_that_sees_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another role's session hides its times (without ``pg_read_all_stats``): the tick times
    the run itself from when it first saw it, and crawls beside it past ``crawl_timeout``."""
    from contextlib import nullcontext
    from types import SimpleNamespace

    from pipeline.store.engine import RunHold
    from pipeline.workers import runtime

    now = [datetime(2026, 12, 7, 8, 0, tzinfo=UTC)]
    held: list[RunHold | None] = [RunHold(age=None)]
    monkeypatch.setattr(runtime, "run_hold", lambda session: held[0])
    monkeypatch.setattr(runtime, "active_crawls", lambda session: set())
    monkeypatch.setattr(runtime, "source_states", lambda session: {})
    monkeypatch.setattr(runtime, "is_due", lambda *args: True)
    worker = SimpleNamespace(
        deps=SimpleNamespace(clock=lambda: now[0], sessions=lambda: nullcontext(None)),
        settings=SimpleNamespace(default_every=timedelta(hours=1), failing_backoff_max=None,
                                 service=SimpleNamespace(crawl_timeout=timedelta(minutes=10))),
        sources={"src": Source(id="src", kind="feed", url="https://example.kz/rss")},
        run_seen_since=None,
    )  # fmt: skip
    due = runtime.WorkerRuntime.due_crawls

    assert due(worker) == []  # type: ignore[arg-type]
    now[0] += timedelta(minutes=9)
    assert due(worker) == []  # type: ignore[arg-type]
    now[0] += timedelta(minutes=2)  # 11 minutes since it was first seen: maybe hung
    assert due(worker) == [("src", "default")]  # type: ignore[arg-type]
    held[0] = None  # that run ended; the next one is timed afresh
    assert due(worker) == [("src", "default")]  # type: ignore[arg-type]
    held[0] = RunHold(age=None)
    assert due(worker) == []  # type: ignore[arg-type]
