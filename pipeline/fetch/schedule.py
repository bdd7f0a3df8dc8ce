"""Pure: when a source runs next, from what the database remembers of its last run.

One rule for cron (``run --once`` fetches the due sources) and the service (``casewatch run``
plans each source's first run after a start and backs a failing source off), so both agree
and ``casewatch status`` can show the next run without asking a running process.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_DOUBLINGS = 32


def backoff_interval(every: timedelta, failures: int, cap: timedelta) -> timedelta:
    """The wait after a run: ``every`` while healthy, ``every × 2^(failures-1)`` for a
    failing source, never more than ``cap`` (nor less than ``every``)."""
    if failures <= 1:
        return every
    doubled = every * 2 ** min(failures - 1, MAX_DOUBLINGS)
    return max(every, min(doubled, cap))


def next_run_at(
    last_run_at: datetime | None, every: timedelta, failures: int, cap: timedelta
) -> datetime | None:
    """When the source is due again; None when it never ran (due at once)."""
    if last_run_at is None:
        return None
    return last_run_at + backoff_interval(every, failures, cap)


def first_run_at(
    due_at: datetime | None,
    now: datetime,
    every: timedelta,
    spread: timedelta,
    rng: random.Random,
) -> datetime:
    """The first run after a (re)start: at ``due_at`` when that is still ahead; an overdue or
    never-run source at a random moment within ``min(every, spread)`` from now, so a restart
    does not fetch every source at once."""
    if due_at is not None and due_at > now:
        return due_at
    window = min(every, spread).total_seconds()
    return now + timedelta(seconds=rng.uniform(0, window))


def jitter_seconds(every: timedelta, fraction: float, cap: timedelta) -> float:
    """Up to how many seconds a run may start late: ``fraction`` of the interval, capped."""
    return min(every.total_seconds() * fraction, cap.total_seconds())
