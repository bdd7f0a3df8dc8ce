"""One run: pick the due sources, crawl them, ingest, deliver the outbox. Used by the CLI and cron."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import UnknownSourceError
from pipeline.events.hearings import reminder_events
from pipeline.fetch.plan import due_rechecks, fetch_specs
from pipeline.ingest.deps import IngestDeps
from pipeline.ingest.runlog import PageResult, RunLog, SourceResult
from pipeline.notify.deliver import DeliveryReport, Notifier, deliver_pending
from pipeline.startup import long_lived_imports
from pipeline.store.cluster import crawls_in_hand
from pipeline.store.events import add_events
from pipeline.store.hearing_matches import due_reminders
from pipeline.store.sources import source_states

log = logging.getLogger(__name__)

MAX_BATCHES = 50
"""Delivery batches one ``deliver_due`` call sends at most before it yields to other work."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    results: tuple[SourceResult, ...]
    delivery: DeliveryReport | None
    skipped_not_due: int = 0
    busy: tuple[str, ...] = ()
    """Sources left to the workers: a live worker was crawling them or had them queued."""
    reminders: int = 0
    config_problems: tuple[str, ...] = field(default=())
    pages: tuple[PageResult, ...] = field(default=())
    """Article pages read this run: full texts of new items and re-checks of matched ones."""

    @property
    def failed_sources(self) -> int:
        return sum(r.status == "error" for r in self.results)


def run_once(
    deps: IngestDeps,
    *,
    all_sources: bool = False,
    only: Sequence[str] = (),
    notifier: Notifier | None = None,
    scrapy_settings: dict[str, Any] | None = None,
) -> RunSummary:
    """Fetch the due sources (all with ``all_sources``; just ``only`` if given), then deliver."""
    config = deps.config
    sources = [s for s in config.enabled_sources() if not only or s.id in only]
    unknown = sorted(set(only) - {s.id for s in sources})
    if unknown:
        raise UnknownSourceError(f"unknown or disabled source(s): {', '.join(unknown)}")
    now = deps.clock()
    with deps.sessions.begin() as session:
        # The workers' jobs first, then the sources' runs (as their tick reads them): a crawl
        # commits its run before its job ends, so one ending between the reads is either busy
        # or has its run read, never due and idle at once. Their tick waits while this runs.
        busy = crawls_in_hand(session, now, config.settings.workers.silent_for)
        states = source_states(session)
    left = tuple(s.id for s in sources if s.id in busy)
    sources = [s for s in sources if s.id not in busy]
    specs = fetch_specs(
        sources,
        states,
        now=now,
        default_every=config.settings.default_every,
        due_only=not (all_sources or only),
        backoff_max=config.settings.failing_backoff_max,
    )
    rechecks = due_rechecks(deps) if not only else []
    log.info(
        "fetching %d of %d sources, re-checking %d articles",
        len(specs),
        len(sources),
        len(rechecks),
    )
    run_log = RunLog()
    if specs or rechecks:
        with long_lived_imports():  # Scrapy and Twisted: only for a run with something to fetch
            from pipeline.fetch.crawler import crawl
        crawl(deps, run_log, specs, scrapy_settings, rechecks)
    missing = {s.source_id for s in specs} - {r.source_id for r in run_log.results}
    for source_id in sorted(missing):  # a spider that died before reporting must not hide it
        run_log.results.append(
            SourceResult(source_id, "error", error=f"{source_id}: no report (spider failed)")
        )
    reminders = enqueue_reminders(deps)
    delivery = deliver_pending(deps.sessions, config, clock=deps.clock, notifier=notifier)
    return RunSummary(
        results=tuple(run_log.results),
        delivery=delivery,
        skipped_not_due=len(sources) - len(specs),
        busy=left,
        reminders=reminders,
        config_problems=tuple(str(p) for p in config.problems),
        pages=tuple(run_log.pages),
    )


def enqueue_reminders(deps: IngestDeps) -> int:
    """``hearing.reminder`` events (with their deliveries) for tracked hearings coming up soon."""
    now, lead = deps.clock(), deps.config.settings.reminder_before
    titles = deps.case_titles()
    with deps.sessions.begin() as session:
        due = due_reminders(session, now, lead)
        events = reminder_events(due, lead, case_titles=titles)
        return len(add_events(session, events, deps.channels_for, now))


def deliver_due(deps: IngestDeps, notifier: Notifier, halt: threading.Event, *, batch: int) -> None:
    """What the service and ``casewatch worker`` deliver on their tick: due deliveries in
    batches of ``batch``, until one comes back short; ``halt`` is honoured between batches.
    Each delivery is claimed before it is sent (``pipeline.store.outbox.claim``), so processes
    delivering at once never send one twice."""
    for _ in range(MAX_BATCHES):
        if halt.is_set():
            return
        report = deliver_pending(
            deps.sessions, deps.config, clock=deps.clock, notifier=notifier, limit=batch
        )
        if report.sent + report.failed + report.retried + report.held < batch:
            return
