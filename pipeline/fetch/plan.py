"""Crawl planning: which sources are due, which spider serves them, with which settings.

Spiders are found BY NAME through Scrapy's spider loader (``SPIDER_MODULES``); the pipeline
never imports them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from pipeline.config.kinds import rereads
from pipeline.config.load import Config
from pipeline.config.settings import EvidenceSettings
from pipeline.config.sources import Source
from pipeline.fetch.schedule import next_run_at
from pipeline.ingest.deps import IngestDeps
from pipeline.items import ArticleTarget, FetchReport, FetchSpec
from pipeline.store import captures, posts
from pipeline.store.models import SourceRow

DUE_SLACK = timedelta(minutes=1)
"""A cron job every 30 min must find a 30-min source due even if the last run ended late."""

ARTICLE_SPIDER = "article"
"""The spider that reads article pages (full texts and evidence re-checks)."""


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


def due_rechecks(deps: IngestDeps) -> list[ArticleTarget]:
    """Matched articles whose page is due a re-check (``settings.evidence``), capped per run;
    never of a source configured ``full_text: never`` (no page fetches for it at all), nor of
    one whose spider reads its items again itself (``rereads``: a Telegram channel)."""
    evidence = deps.config.settings.evidence
    never = {
        s.id for s in deps.config.enabled_sources() if s.full_text == "never" or rereads(s.kind)
    }
    with deps.sessions.begin() as session:
        return captures.due_rechecks(
            session,
            deps.clock(),
            every=evidence.recheck_every,
            window=evidence.recheck_for,
            limit=evidence.recheck_per_run,
            skip_sources=never,
        )


def with_newest(deps: IngestDeps, specs: Sequence[FetchSpec]) -> list[FetchSpec]:
    """``specs`` with the URL of each source's newest stored article (``newest_url``), for a
    spider that reads sources back to what it stored (``rereads``)."""
    with deps.sessions() as session:
        newest = posts.newest_urls(session, [s.source_id for s in specs])
    return [replace(s, newest_url=newest.get(s.source_id, "")) for s in specs]


def crawl_settings(config: Config, overrides: dict[str, Any] | None = None) -> Any:
    """Scrapy settings for a crawl: the project's, then ``settings.yaml``, then ``overrides``."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("pipeline.scrapy_settings", priority="project")
    settings.setdict(scrapy_overrides(config), priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    settings.set("CASEWATCH_CONFIG", str(config.directory), priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # the CLI owns logging
    return settings


def scrapy_overrides(config: Config) -> dict[str, Any]:
    s = config.settings
    return {
        "USER_AGENT": s.user_agent,
        "DOWNLOAD_TIMEOUT": s.download_timeout.total_seconds(),
        "DOWNLOAD_DELAY": s.download_delay.total_seconds(),
        "DOWNLOAD_MAXSIZE": s.max_body_bytes,
        "CASEWATCH_MAX_BODY_BYTES": s.max_body_bytes,
        "CONCURRENT_REQUESTS": s.concurrent_requests,
        "CASEWATCH_PARSE_BUDGET": s.parse_budget.total_seconds(),
        "CASEWATCH_FAST_FEEDS": s.fast_feeds,
    }


def load_spider(settings: Any, name: str) -> type[Any]:
    """The spider class called ``name`` in the project's ``SPIDER_MODULES``."""
    from scrapy.spiderloader import get_spider_loader

    return get_spider_loader(settings).load(name)


def plan_crawls(
    settings: Any, specs: Sequence[FetchSpec]
) -> tuple[list[tuple[type[Any], list[FetchSpec]]], list[FetchSpec]]:
    """(spider class, its specs) for every spider serving some of ``specs`` by kind, and the
    specs no spider serves."""
    from scrapy.spiderloader import get_spider_loader

    loader = get_spider_loader(settings)
    by_kind: dict[str, list[FetchSpec]] = defaultdict(list)
    for spec in specs:
        by_kind[spec.kind].append(spec)
    plan = []
    for spider_name in loader.list():
        spider_cls = loader.load(spider_name)
        mine = [s for kind in getattr(spider_cls, "kinds", ()) for s in by_kind.pop(kind, [])]
        if mine:
            plan.append((spider_cls, mine))
    return plan, [spec for orphans in by_kind.values() for spec in orphans]


def orphan_report(spec: FetchSpec) -> FetchReport:
    return FetchReport(
        spec.source_id, spec.url, ok=False,
        error=f"{spec.source_id}: no spider handles kind {spec.kind!r}",
    )  # fmt: skip


def recheck_crawl(
    settings: Any, evidence: EvidenceSettings, targets: Sequence[ArticleTarget]
) -> tuple[type[Any], dict[str, Any]]:
    """The article spider and its arguments, to re-check the evidence of ``targets``."""
    arguments = {
        "targets": targets,
        "max_body": evidence.max_body_bytes,
        "timeout": evidence.timeout.total_seconds(),
    }
    return load_spider(settings, ARTICLE_SPIDER), arguments
