"""Source health: failing once after N failures, quiet until recovered, backoff, empty fetches,
and the service's first runs planned from the database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import load_config
from pipeline.config.settings import Settings
from pipeline.config.sources import Source
from pipeline.events.health import source_health_events
from pipeline.fetch.plan import is_due
from pipeline.fetch.schedule import backoff_interval, first_run_at, jitter_seconds, next_run_at
from pipeline.ingest.batch import ingest_fetch
from pipeline.ingest.deps import IngestDeps, build_deps
from pipeline.ingest.health import empty_fetch_problem
from pipeline.items import FetchReport, RawArticle
from pipeline.service.process import plan_sources
from pipeline.store.models import EventRow, SourceRow

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("failures", "expected"),
    [(0, 30 * MIN), (1, 30 * MIN), (2, HOUR), (3, 2 * HOUR), (4, 4 * HOUR), (5, 6 * HOUR),
     (40, 6 * HOUR)],
)  # fmt: skip
def test_backoff_interval_doubles_and_is_capped(failures: int, expected: timedelta) -> None:
    assert backoff_interval(30 * MIN, failures, 6 * HOUR) == expected


def test_backoff_never_shortens_a_long_interval() -> None:
    assert backoff_interval(timedelta(days=1), 5, 6 * HOUR) == timedelta(days=1)


@pytest.mark.parametrize(
    ("due", "every", "spread", "low", "high"),
    [
        (T0 + 10 * MIN, HOUR, 5 * MIN, T0 + 10 * MIN, T0 + 10 * MIN),  # due later: exactly then
        (T0 - 10 * MIN, HOUR, 5 * MIN, T0, T0 + 5 * MIN),  # overdue: spread over 5 min
        (None, HOUR, 5 * MIN, T0, T0 + 5 * MIN),  # never ran
        (None, 2 * MIN, 5 * MIN, T0, T0 + 2 * MIN),  # never later than one interval
    ],
)
def test_first_run_after_a_start(
    due: datetime | None, every: timedelta, spread: timedelta, low: datetime, high: datetime
) -> None:
    rng = random.Random(7)
    for _ in range(50):
        assert low <= first_run_at(due, T0, every, spread, rng) <= high


def test_overdue_sources_do_not_all_start_at_once() -> None:
    rng = random.Random(1)
    starts = {first_run_at(None, T0, HOUR, 5 * MIN, rng) for _ in range(20)}
    assert len(starts) == 20 and max(starts) - min(starts) > 2 * MIN


@pytest.mark.parametrize(
    ("every", "fraction", "cap", "expected"),
    [(HOUR, 0.1, 5 * MIN, 300.0), (10 * MIN, 0.1, 5 * MIN, 60.0), (HOUR, 0.0, 5 * MIN, 0.0)],
)
def test_jitter(every: timedelta, fraction: float, cap: timedelta, expected: float) -> None:
    assert jitter_seconds(every, fraction, cap) == pytest.approx(expected)


def source(every: timedelta | None = 30 * MIN, sid: str = "feed-1") -> Source:
    return Source(id=sid, kind="feed", url="http://127.0.0.1:9/f.xml", every=every)


def state(last: datetime | None, failures: int = 0, sid: str = "feed-1") -> SourceRow:
    return SourceRow(id=sid, kind="feed", url="u", last_run_at=last, consecutive_failures=failures)


@pytest.mark.parametrize(
    ("row", "now", "due"),
    [
        (None, T0, True),
        (state(T0), T0 + 10 * MIN, False),
        (state(T0), T0 + 30 * MIN, True),
        (state(T0, failures=1), T0 + 30 * MIN, True),
        (state(T0, failures=3), T0 + 30 * MIN, False),  # failing: backed off to 2 h
        (state(T0, failures=3), T0 + 2 * HOUR, True),
    ],
)
def test_is_due_backs_off_a_failing_source(row: SourceRow | None, now: datetime, due: bool) -> None:
    assert is_due(source(), row, now, 30 * MIN, backoff_max=6 * HOUR) is due


def test_plan_sources_takes_next_runs_from_the_database() -> None:
    settings = Settings()
    sources = [source(sid="fresh"), source(sid="failing"), source(sid="new"), source(sid="stale")]
    states = {
        "fresh": state(T0 - 10 * MIN, sid="fresh"),
        "failing": state(T0 - 10 * MIN, failures=4, sid="failing"),
        "stale": state(T0 - 5 * HOUR, sid="stale"),
    }
    plans = {p.source_id: p for p in plan_sources(sources, states, settings, T0, random.Random(3))}
    assert plans["fresh"].first_run == T0 + 20 * MIN
    assert plans["failing"].first_run == T0 - 10 * MIN + 4 * HOUR
    for sid in ("new", "stale"):
        assert T0 <= plans[sid].first_run <= T0 + 5 * MIN
    assert plans["fresh"].jitter == pytest.approx(180.0)  # 10 % of 30 min
    assert next_run_at(None, HOUR, 0, HOUR) is None


# ---------------------------------------------------------------- events


def run_health(outcomes: list[bool], failing_after: int = 3) -> list[str]:
    """Event kinds over a sequence of fetch outcomes (True: ok)."""
    kinds, failures = [], 0
    for i, ok in enumerate(outcomes):
        after = 0 if ok else failures + 1
        events = source_health_events(
            "feed-1", failures_before=failures, failures_after=after, failing_after=failing_after,
            error="" if ok else "HTTP 500", at=T0 + i * MIN,
        )  # fmt: skip
        kinds += [e.kind for e in events]
        failures = after
    return kinds


@pytest.mark.parametrize(
    ("outcomes", "kinds"),
    [
        ([True, True], []),
        ([False, False, True], []),  # fewer than N failures: nothing
        ([False, False, False], ["source.failing"]),
        ([False] * 10, ["source.failing"]),  # once, then quiet
        ([False] * 5 + [True, True], ["source.failing", "source.recovered"]),
        ([False] * 3 + [True] + [False] * 3, ["source.failing", "source.recovered", "source.failing"]),
    ],
)  # fmt: skip
def test_failing_once_then_quiet_until_recovered(outcomes: list[bool], kinds: list[str]) -> None:
    assert run_health(outcomes) == kinds


def report(items: int = 0, **kw: object) -> FetchReport:
    return FetchReport("feed-1", "http://127.0.0.1:9/f.xml", items=items, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fetch", "seen", "history", "after", "failing"),
    [
        (report(), 0, [5, 5, 4, 6, 5], 5, True),
        (report(), 0, [5, 5, 4, 6], 5, False),  # too little history
        (report(), 0, [5, 0, 4, 6, 5], 5, False),  # it has been empty before
        (report(items=3), 3, [5, 5, 4, 6, 5], 5, False),
        (report(not_modified=True), 0, [5, 5, 4, 6, 5], 5, False),  # 304: no items expected
        (report(ok=False, error="x"), 0, [5, 5, 4, 6, 5], 5, False),  # already a failure
        (report(), 0, [5, 5, 4, 6, 5], 0, False),  # check turned off
    ],
)
def test_empty_fetch_problem(
    fetch: FetchReport, seen: int, history: list[int], after: int, failing: bool
) -> None:
    problem = empty_fetch_problem(fetch, seen, history, after)
    assert bool(problem) is failing
    if failing:
        assert problem.startswith("feed-1: returned no items")


# ---------------------------------------------------------------- through the store


@pytest.fixture
def ctx(tmp_path: Path, sessions: sessionmaker[Session]) -> IngestDeps:
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - {id: feed-1, kind: feed, url: 'http://127.0.0.1:9/f.xml', every: 30m}\n",
        encoding="utf-8",
    )
    (tmp_path / "settings.yaml").write_text(
        "failing_after: 3\nempty_failure_after: 3\nnews_search: {enabled: false}\n",
        encoding="utf-8",
    )
    return build_deps(config=load_config(tmp_path, environ={}), sessions=sessions)


def fetch(ctx: IngestDeps, n: int, at: datetime) -> str:
    raws = [RawArticle("feed-1", f"https://example.kz/{at:%H%M}/{i}", title=f"Новость номер {i}")
            for i in range(n)]  # fmt: skip
    clock_ctx = IngestDeps(ctx.config, ctx.sessions, ctx.matcher, clock=lambda: at,
                              channels_for=ctx.channels_for)  # fmt: skip
    return ingest_fetch(clock_ctx, report(items=n), raws, at).status


def test_a_source_that_suddenly_lists_nothing_is_failing(ctx: IngestDeps) -> None:
    statuses = [fetch(ctx, n, T0 + i * HOUR) for i, n in enumerate([4, 5, 3, 0, 0, 0, 0, 6])]
    assert statuses == ["ok", "ok", "ok", "error", "error", "error", "error", "ok"]
    with ctx.sessions() as session:
        kinds = list(session.scalars(select(EventRow.kind).order_by(EventRow.id)))
        row = session.get(SourceRow, "feed-1")
        assert row is not None and row.consecutive_failures == 0
    assert kinds == ["source.failing", "source.recovered"]  # once, quiet, then recovered


def test_a_source_that_was_empty_before_may_be_empty(ctx: IngestDeps) -> None:
    statuses = [fetch(ctx, n, T0 + i * HOUR) for i, n in enumerate([4, 0, 3, 2, 0])]
    assert statuses == ["ok"] * 5
