"""One run: pick the due sources, crawl them, ingest, deliver the outbox. Used by the CLI and cron."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import Config, load_config
from pipeline.config.sources import Source
from pipeline.errors import UnknownSourceError
from pipeline.events.hearings import reminder_events
from pipeline.fetch.schedule import next_run_at
from pipeline.ingest.batch import Clock, IngestContext, SourceResult, crawl, utcnow
from pipeline.ingest.fulltext import partial_matcher
from pipeline.ingest.pages import PageResult
from pipeline.items import ArticleTarget, FetchSpec
from pipeline.match.cases import compile_cases
from pipeline.notify.deliver import DeliveryReport, Notifier, deliver_pending
from pipeline.notify.routing import channels_for
from pipeline.store import captures
from pipeline.store.engine import open_store
from pipeline.store.events import add_events
from pipeline.store.hearing_matches import due_reminders
from pipeline.store.matches import sync_cases
from pipeline.store.models import SourceRow
from pipeline.store.sources import source_states, sync_sources

log = logging.getLogger(__name__)

DUE_SLACK = timedelta(minutes=1)
"""A cron job every 30 min must find a 30-min source due even if the last run ended late."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    results: tuple[SourceResult, ...]
    delivery: DeliveryReport | None
    skipped_not_due: int = 0
    reminders: int = 0
    config_problems: tuple[str, ...] = field(default=())
    pages: tuple[PageResult, ...] = field(default=())
    """Article pages read this run: full texts of new items and re-checks of matched ones."""

    @property
    def failed_sources(self) -> int:
        return sum(r.status == "error" for r in self.results)


def build_context(
    config_dir: str | None = None,
    database_url: str | None = None,
    *,
    config: Config | None = None,
    sessions: sessionmaker[Session] | None = None,
    clock: Clock = utcnow,
) -> IngestContext:
    """Load what a run needs once: config, store (migrated), compiled cases, routing."""
    config = config or load_config(config_dir)
    sessions = sessions or open_store(config.database_url(database_url))
    with sessions.begin() as session:  # every source and case has its row before any fetch
        sync_sources(session, config.enabled_sources())
        sync_cases(session, config.cases, clock())
    return IngestContext(
        config=config,
        sessions=sessions,
        matcher=compile_cases([c for c in config.cases if c.enabled]),
        clock=clock,
        channels_for=lambda kind, case: channels_for(kind, case, config),
        partial_matcher=partial_matcher(config.cases),
        repeat_channels_for=lambda kind, case: channels_for(kind, case, config, repeat=True),
    )


def is_due(
    source: Source,
    state: SourceRow | None,
    now: datetime,
    default_every: timedelta,
    backoff_max: timedelta | None = None,
) -> bool:
    """Due by its interval since the last run; a failing source waits longer (backed off up
    to ``backoff_max``; without it, the plain interval)."""
    due = due_at(source, state, default_every, backoff_max)
    return due is None or due - DUE_SLACK <= now


def due_at(
    source: Source,
    state: SourceRow | None,
    default_every: timedelta,
    backoff_max: timedelta | None = None,
) -> datetime | None:
    """When the source is due by the database (None: never ran, due now)."""
    every = source.every or default_every
    failures = (state.consecutive_failures or 0) if state else 0
    if backoff_max is None:
        failures = 0
    return next_run_at(state.last_run_at if state else None, every, failures, backoff_max or every)


def fetch_specs(
    sources: Iterable[Source],
    states: Mapping[str, SourceRow],
    *,
    now: datetime,
    default_every: timedelta,
    due_only: bool = True,
    backoff_max: timedelta | None = None,
) -> list[FetchSpec]:
    """Sources to fetch now, with their conditional-GET validators."""
    return [
        fetch_spec(source, states.get(source.id))
        for source in sources
        if not due_only or is_due(source, states.get(source.id), now, default_every, backoff_max)
    ]


def fetch_spec(source: Source, state: SourceRow | None) -> FetchSpec:
    """What to fetch for ``source``, with the validators of its last successful fetch."""
    return FetchSpec(
        source_id=source.id,
        url=source.url,
        kind=source.kind,
        language=source.language or "",
        etag=(state.etag or "") if state else "",
        last_modified=(state.last_modified or "") if state else "",
        body_sha256=(state.body_sha256 or "") if state else "",
    )


def run_once(
    ctx: IngestContext,
    *,
    all_sources: bool = False,
    only: Sequence[str] = (),
    notifier: Notifier | None = None,
    scrapy_settings: dict[str, Any] | None = None,
) -> RunSummary:
    """Fetch the due sources (all with ``all_sources``; just ``only`` if given), then deliver."""
    config = ctx.config
    sources = [s for s in config.enabled_sources() if not only or s.id in only]
    unknown = sorted(set(only) - {s.id for s in sources})
    if unknown:
        raise UnknownSourceError(f"unknown or disabled source(s): {', '.join(unknown)}")
    now = ctx.clock()
    with ctx.sessions.begin() as session:
        states = source_states(session)
    specs = fetch_specs(
        sources,
        states,
        now=now,
        default_every=config.settings.default_every,
        due_only=not (all_sources or only),
        backoff_max=config.settings.failing_backoff_max,
    )
    rechecks = due_rechecks(ctx) if not only else []
    log.info(
        "fetching %d of %d sources, re-checking %d articles",
        len(specs),
        len(sources),
        len(rechecks),
    )
    if specs or rechecks:
        crawl(ctx, specs, scrapy_settings, rechecks)
    missing = {s.source_id for s in specs} - {r.source_id for r in ctx.results}
    for source_id in sorted(missing):  # a spider that died before reporting must not hide it
        ctx.results.append(
            SourceResult(source_id, "error", error=f"{source_id}: no report (spider failed)")
        )
    reminders = enqueue_reminders(ctx)
    delivery = deliver_pending(ctx.sessions, config, clock=ctx.clock, notifier=notifier)
    return RunSummary(
        results=tuple(ctx.results),
        delivery=delivery,
        skipped_not_due=len(sources) - len(specs),
        reminders=reminders,
        config_problems=tuple(str(p) for p in config.problems),
        pages=tuple(ctx.pages),
    )


def due_rechecks(ctx: IngestContext) -> list[ArticleTarget]:
    """Matched articles whose page is due a re-check (``settings.evidence``), capped per run."""
    evidence = ctx.config.settings.evidence
    with ctx.sessions.begin() as session:
        return captures.due_rechecks(
            session,
            ctx.clock(),
            every=evidence.recheck_every,
            window=evidence.recheck_for,
            limit=evidence.recheck_per_run,
        )


def enqueue_reminders(ctx: IngestContext) -> int:
    """``hearing.reminder`` events (with their deliveries) for tracked hearings coming up soon."""
    now, lead = ctx.clock(), ctx.config.settings.reminder_before
    titles = {c.slug: c.title for c in ctx.config.cases}
    with ctx.sessions.begin() as session:
        due = due_reminders(session, now, lead)
        events = reminder_events(due, lead, case_titles=titles)
        return len(add_events(session, events, ctx.channels_for, now))
