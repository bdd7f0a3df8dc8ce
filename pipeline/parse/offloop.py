"""Parsing off the event loop: one document's parse in a worker thread, within a CPU budget.

A crawl's asyncio loop does all the fetching: a parse that runs on it stops every download,
timer and crawl timeout until it ends. :meth:`ParseWorkers.run` runs a parse in a worker thread
and awaits it, so the loop goes on fetching meanwhile.

The budget is CPU time, read from the worker thread's own clock: waiting for a free worker, for
the GIL or for another process does not count. A parse that has used ``budget`` seconds of CPU,
or has run ``WALL_FACTOR`` × ``budget`` + ``WALL_GRACE`` seconds of wall time (a parse that
hardly gets the CPU),
is abandoned: :class:`~pipeline.errors.ParseOverBudget`, naming the document.

A Python thread cannot be stopped from outside. An abandoned parse runs on to its end in its
daemon thread (the parsers cap what they build: bodies, table grids), its result is dropped,
and it does not hold the process at exit. At most ``workers`` parses run at once; an abandoned
one gives its slot up, so hostile documents cannot stall the healthy ones behind them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pipeline.errors import ParseOverBudget

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_BUDGET = 20.0
"""Seconds of CPU one document's parse may use (``settings.yaml``: ``parse_budget``)."""
DEFAULT_WORKERS = 4
"""Parses running at once; more wait (the wait is not counted)."""
WALL_FACTOR = 3.0
"""A parse is abandoned after this many budgets of wall time (plus ``WALL_GRACE``), whatever
CPU it got."""
WALL_GRACE = 30.0
"""Seconds of wall time added to the wall limit: on a loaded machine a healthy parse (its first
trafilatura import included) can wait long for the CPU without being stuck."""


class _Job(Generic[T]):
    """One parse in its thread; the loop is told its outcome through ``future``."""

    def __init__(self, work: Callable[[], T], loop: asyncio.AbstractEventLoop, label: str):
        self.work, self.loop, self.label = work, loop, label
        self.future: asyncio.Future[T] = loop.create_future()
        self.clock: int | None = None
        self.finished = False
        self.abandoned = False

    def run(self) -> None:
        try:
            self.clock = time.pthread_getcpuclockid(threading.get_ident())
        except (AttributeError, OSError):  # no per-thread clock here: wall time only
            self.clock = None
        started = time.monotonic()
        result: Any = None
        error: BaseException | None = None
        try:
            result = self.work()
        except Exception as exc:
            error = exc
        except BaseException as exc:  # the thread ends here: the loop must hear of it
            error = RuntimeError(f"{self.label}: {exc!r}")
        self.finished = True
        if self.abandoned:
            log.info("%s: the abandoned parse ended after %.1fs", self.label,
                     time.monotonic() - started)  # fmt: skip
            return
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for it any more
            self.loop.call_soon_threadsafe(_settle, self.future, result, error)

    def cpu(self) -> float | None:
        """CPU seconds the thread has used (None: unknown, or the thread has ended)."""
        if self.clock is None or self.finished:
            return None
        try:
            return time.clock_gettime(self.clock)
        except OSError:
            return None


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class ParseWorkers:
    """Runs parses in daemon threads for one crawl, each within ``budget`` seconds of CPU."""

    def __init__(
        self,
        budget: float = DEFAULT_BUDGET,
        workers: int = DEFAULT_WORKERS,
        wall_grace: float = WALL_GRACE,
    ) -> None:
        if budget <= 0:
            raise ValueError("the parse budget must be positive")
        self.budget = budget
        self.workers = workers
        self.wall_grace = wall_grace
        self._slots: asyncio.Semaphore | None = None
        self.abandoned: set[_Job[Any]] = set()
        """Abandoned parses whose threads still run."""

    @classmethod
    def from_settings(cls, settings: Any) -> ParseWorkers:
        """With the crawl's ``CASEWATCH_PARSE_BUDGET`` (Scrapy settings; None: the default)."""
        budget = settings.getfloat("CASEWATCH_PARSE_BUDGET", DEFAULT_BUDGET) if settings else 0
        return cls(budget if budget > 0 else DEFAULT_BUDGET)

    async def run(self, work: Callable[[], T], label: str) -> T:
        """``work()`` in a worker thread; its result, or its exception. Raises
        :class:`ParseOverBudget` ("``label`` took over …s of CPU (abandoned)") past the budget."""
        loop = asyncio.get_running_loop()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        async with self._slots:
            job = _Job(work, loop, label)
            threading.Thread(target=job.run, name="casewatch-parse", daemon=True).start()
            try:
                return await self._within_budget(job)
            except asyncio.CancelledError:  # the crawl stopped: nobody wants the outcome
                job.abandoned = True
                job.future.add_done_callback(_retrieve)
                raise

    async def _within_budget(self, job: _Job[T]) -> T:
        loop = job.loop
        started = loop.time()
        wall_limit = self.budget * WALL_FACTOR + self.wall_grace
        while True:
            if job.finished:  # its outcome is on its way to the loop: no budget left to check
                return await job.future
            wall, cpu = loop.time() - started, job.cpu()
            if job.finished:  # ended just now (its clock is gone): take its outcome
                continue
            if cpu is None:  # no clock of its own: the budget is wall time
                left, limit = self.budget - wall, f"{self.budget:g}s"
            elif self.budget - cpu <= wall_limit - wall:
                left, limit = self.budget - cpu, f"{self.budget:g}s of CPU"
            else:
                left, limit = wall_limit - wall, f"{wall_limit:g}s"
            if left <= 0:
                break
            done, _ = await asyncio.wait({job.future}, timeout=left)
            if done:
                return job.future.result()
        job.abandoned = True
        job.future.add_done_callback(_retrieve)
        self.abandoned = {j for j in self.abandoned if not j.finished} | {job}
        problem = f"{job.label} took over {limit} (abandoned)"
        log.warning("%s; %d abandoned parse(s) still running", problem, len(self.abandoned))
        raise ParseOverBudget(problem)


def _retrieve(future: asyncio.Future[Any]) -> None:
    """A parse abandoned just as it ended: its outcome is dropped (and marked as seen)."""
    if not future.cancelled():
        future.exception()


def on_loop() -> bool:
    """Whether this code runs on a running asyncio loop (a crawl on the asyncio reactor)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
