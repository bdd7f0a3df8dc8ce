"""The Scrapy edge: the item pipeline that feeds spider output into the store, and the crawl.

Spiders yield a source's ``RawArticle`` items and then exactly one ``FetchReport``. The report
closes the source's batch: normalize → upsert → match → events → outbox, in ONE transaction
with the source run, so an article and its alerts are stored together or not at all.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import Config
from pipeline.events.articles import article_events
from pipeline.events.health import source_health_events
from pipeline.ingest import hearings as ingest_hearings
from pipeline.ingest.followup import (
    Tally,
    capture_page,
    follow_pages,
    note_story_alerts,
    story_repeats,
)
from pipeline.ingest.fulltext import choose_targets
from pipeline.ingest.health import judge_fetch
from pipeline.ingest.pages import PageResult, ingest_page
from pipeline.items import (
    ArticlePage,
    ArticleTarget,
    FetchReport,
    FetchSpec,
    RawArticle,
    RawHearing,
)
from pipeline.match.cases import Matcher
from pipeline.normalize.article import normalize_article
from pipeline.records import Article, Change
from pipeline.store.articles import upsert_articles
from pipeline.store.events import ChannelsFor, add_events
from pipeline.store.matches import save_matches
from pipeline.store.sources import failures_of, record_run

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SourceResult:
    """The summary line of one source in one run."""

    source_id: str
    status: str
    """ok | not_modified | error"""
    seen: int = 0
    new: int = 0
    changed: int = 0
    matched: int = 0
    events: int = 0
    skipped: int = 0
    error: str = ""
    bozo: str = ""
    http_status: int | None = None
    full_text: tuple[ArticleTarget, ...] = ()
    """Article pages to fetch for this batch's new items (``pipeline.ingest.fulltext``)."""


@dataclass(frozen=True, slots=True)
class IngestContext:
    """What ingest needs, built once per run at the edge."""

    config: Config
    sessions: sessionmaker[Session]
    matcher: Matcher
    clock: Clock = utcnow
    channels_for: ChannelsFor = lambda kind, case: ("console",)
    results: list[SourceResult] = field(default_factory=list)
    partial_matcher: Matcher | None = None
    """The cases with every term sufficient alone: a hit is a partial match (full text wanted)."""
    repeat_channels_for: ChannelsFor | None = None
    """Routing for another outlet's copy of a story already alerted (``Route.per``)."""
    pages: list[PageResult] = field(default_factory=list)

    timezones: dict[str, str] = field(default_factory=dict)
    """Source id → zone, filled on first use (looking a source up builds the news searches)."""

    def timezone_of(self, source_id: str) -> str:
        if source_id not in self.timezones:
            source = self.config.source(source_id)
            zone = (source.timezone if source else None) or self.config.settings.timezone
            self.timezones[source_id] = zone
        return self.timezones[source_id]


def ingest_fetch(
    ctx: IngestContext,
    report: FetchReport,
    raws: Sequence[RawArticle],
    started_at: datetime,
    hearings: Sequence[RawHearing] = (),
) -> SourceResult:
    """Store one fetch of one source with its matches and events, atomically."""
    now = ctx.clock()
    tz = ctx.timezone_of(report.source_id)
    normalized = [(r, normalize_article(r, fetched_at=now, default_tz=tz)) for r in raws]
    articles = [a for _, a in normalized if a]
    pages = {a.canonical_url: r.page for r, a in normalized if a and r.page}
    case_titles = {c.slug: c.title for c in ctx.config.cases}
    with ctx.sessions.begin() as session:
        report = judge_fetch(
            session, report, len(raws) + len(hearings), ctx.config.settings.empty_failure_after
        )
        tally = _articles(session, ctx, articles, case_titles, now, pages)
        tally.skipped += len(raws) - len(articles)
        if report.ok and not report.not_modified and (hearings or report.extra.get("complete")):
            ingest_hearings.scan_batch(session, ctx, report, hearings, tz, case_titles, now, tally)
        failures_before = failures_of(session, report.source_id)
        row = record_run(
            session, report, started_at=started_at, finished_at=now,
            items_new=tally.new, items_changed=tally.changed,
        )  # fmt: skip
        tally.events += source_health_events(
            report.source_id,
            failures_before=failures_before,
            failures_after=row.consecutive_failures,
            failing_after=ctx.config.settings.failing_after,
            error=report.error,
            at=now,
            last_success_at=row.last_success_at,
        )
        event_ids = add_events(
            session, tally.events, ctx.channels_for, now, ctx.repeat_channels_for
        )
    return SourceResult(
        source_id=report.source_id,
        status="error" if not report.ok else "not_modified" if report.not_modified else "ok",
        seen=len(raws) + len(hearings),
        new=tally.new,
        changed=tally.changed,
        matched=tally.matched,
        events=len(event_ids),
        skipped=tally.skipped,
        error=report.error,
        bozo=report.bozo,
        http_status=report.status,
        full_text=tuple(tally.full_text),
    )


def _articles(
    session: Session,
    ctx: IngestContext,
    articles: Sequence[Article],
    case_titles: dict[str, str],
    now: datetime,
    pages: Mapping[str, ArticlePage] | None = None,
) -> Tally:
    """Upsert, match, story and events of a batch's articles; ``pages``: canonical URL → the
    page a spider read the article from (kept as the capture of a matched one)."""
    pages = pages or {}
    upserted = upsert_articles(session, articles, now)
    tally = Tally(
        new=sum(u.change is Change.NEW for u in upserted),
        changed=sum(u.change is Change.CHANGED for u in upserted),
    )
    matched: set[int] = set()
    for item in upserted:
        if item.change is Change.SAME:
            continue
        matches = ctx.matcher.match(_fields(item.article))
        if not matches:
            continue
        tally.matched += 1
        matched.add(item.article_id)
        if item.article.canonical_url in pages:
            capture_page(session, item, pages[item.article.canonical_url], now)
        new = save_matches(
            session, item.article_id, matches, now, check_existing=item.change is Change.CHANGED
        )
        cases = [m.case for m in new]
        story, repeats = story_repeats(session, item, cases, tally, now) if new else (0, {})
        events = article_events(
            item.change, item.article_id, item.article, new, case_titles, repeats
        )
        note_story_alerts(tally, story, events, now)
        tally.events += events
        if new and item.change is Change.NEW:
            ingest_hearings.announced(session, ctx, item, cases, case_titles, now, tally)
    source = ctx.config.source(articles[0].source_id) if articles else None
    tally.full_text = choose_targets(
        [u for u in upserted if u.article.canonical_url not in pages],
        matched,
        ctx.partial_matcher,
        policy=source.full_text if source else "auto",
        settings=ctx.config.settings.evidence,
    )
    return tally


def _fields(article: Article) -> dict[str, str]:
    return {"title": article.title, "summary": article.summary, "text": article.text}


def safe_ingest(
    ctx: IngestContext,
    report: FetchReport,
    raws: Sequence[RawArticle],
    started_at: datetime,
    hearings: Sequence[RawHearing] = (),
) -> SourceResult:
    """:func:`ingest_fetch`; when the store refuses the batch, the failure is recorded on the
    source in a transaction of its own (counted, shown, ``source.failing`` after N) and the
    validators are not advanced, so the next run fetches and tries the batch again."""
    try:
        return ingest_fetch(ctx, report, raws, started_at, hearings)
    except Exception as exc:
        log.exception("%s: could not store this fetch", report.source_id)
        error = f"{report.source_id}: could not store {len(raws) + len(hearings)} item(s): {_short(exc)}"
        failed = FetchReport(
            report.source_id, report.url, status=report.status, ok=False, error=error
        )
        try:
            ingest_fetch(ctx, failed, [], started_at)
        except Exception:
            log.exception("%s: could not record the failure either", report.source_id)
        return SourceResult(report.source_id, "error", seen=len(raws) + len(hearings), error=error)


def _short(exc: BaseException) -> str:
    """The first line of an error, without the SQL and parameters drivers append."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first[:300]


class IngestPipeline:
    """Scrapy item pipeline: buffers a source's articles until its FetchReport, then ingests."""

    def __init__(self, ctx: IngestContext, crawler: Any = None) -> None:
        self.ctx = ctx
        self.crawler = crawler
        self.buffers: dict[str, list[RawArticle]] = defaultdict(list)
        self.hearings: dict[str, list[RawHearing]] = defaultdict(list)
        self.started: dict[str, datetime] = {}

    bound: ClassVar[IngestContext | None] = None
    """Set on a per-run subclass by :func:`crawl` (Scrapy deep-copies settings, not classes)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> IngestPipeline:
        ctx = cls.bound
        if ctx is None:  # a plain `scrapy crawl`: build the context from the config folder
            from pipeline.service.once import build_context

            ctx = build_context(
                crawler.settings.get("CASEWATCH_CONFIG"),
                crawler.settings.get("CASEWATCH_DATABASE_URL"),
            )
        return cls(ctx, crawler)

    @classmethod
    def bind(cls, ctx: IngestContext) -> type[IngestPipeline]:
        return type("BoundIngestPipeline", (cls,), {"bound": ctx})

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RawArticle):
            self.started.setdefault(item.source_id, self.ctx.clock())
            self.buffers[item.source_id].append(item)
        elif isinstance(item, RawHearing):
            self.started.setdefault(item.source_id, self.ctx.clock())
            self.hearings[item.source_id].append(item)
        elif isinstance(item, FetchReport):
            self._flush(item)
        elif isinstance(item, ArticlePage):
            self.ctx.pages.append(ingest_page(self.ctx, item))
        return item

    def _flush(self, report: FetchReport) -> None:
        raws = self.buffers.pop(report.source_id, [])
        hearings = self.hearings.pop(report.source_id, [])
        started = self.started.pop(report.source_id, self.ctx.clock())
        t0 = time.perf_counter()
        result = safe_ingest(self.ctx, report, raws, started, hearings)
        self.ctx.results.append(result)
        follow_pages(self.crawler, result.full_text, self.ctx.config.settings.evidence)
        log.debug(
            "%s: ingested %d items in %.3fs", report.source_id, len(raws), time.perf_counter() - t0
        )


def crawl(
    ctx: IngestContext,
    specs: Sequence[FetchSpec],
    overrides: dict[str, Any] | None = None,
    rechecks: Sequence[ArticleTarget] = (),
) -> None:
    """Fetch ``specs`` with the spiders that serve their kinds, and re-check the evidence of
    ``rechecks``, in this process; blocks until done."""
    from scrapy.crawler import AsyncCrawlerProcess

    settings = crawl_settings(ctx, overrides)
    settings.set("ITEM_PIPELINES", {IngestPipeline.bind(ctx): 300}, priority="cmdline")
    plan, orphans = plan_crawls(settings, specs)
    sources = {s.id: s for s in ctx.config.enabled_sources()}
    process = AsyncCrawlerProcess(settings)
    for spider_cls, mine in plan:
        process.crawl(spider_cls, specs=mine, sources=sources)
    for spec in orphans:
        ctx.results.append(safe_ingest(ctx, orphan_report(spec), [], ctx.clock()))
    if rechecks:
        spider_cls, arguments = recheck_crawl(ctx, rechecks)
        process.crawl(spider_cls, **arguments)
    if process.crawlers:
        process.start(install_signal_handlers=False)


def recheck_crawl(
    ctx: IngestContext, targets: Sequence[ArticleTarget]
) -> tuple[type[Any], dict[str, Any]]:
    """The article spider and its arguments, to re-check the evidence of ``targets``."""
    from spiders.article import ArticleSpider

    evidence = ctx.config.settings.evidence
    arguments = {
        "targets": targets,
        "max_body": evidence.max_body_bytes,
        "timeout": evidence.timeout.total_seconds(),
    }
    return ArticleSpider, arguments


def crawl_settings(ctx: IngestContext, overrides: dict[str, Any] | None = None) -> Any:
    """Scrapy settings for a crawl: the project's, then ``settings.yaml``, then ``overrides``."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("pipeline.scrapy_settings", priority="project")
    settings.setdict(scrapy_overrides(ctx.config), priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    settings.set("CASEWATCH_CONFIG", str(ctx.config.directory), priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # the CLI owns logging
    return settings


def plan_crawls(
    settings: Any, specs: Sequence[FetchSpec]
) -> tuple[list[tuple[type[Any], list[FetchSpec]]], list[FetchSpec]]:
    """(spider class, its specs) for every spider serving some of ``specs`` by kind, and the
    specs no spider serves."""
    from scrapy.spiderloader import SpiderLoader

    loader = SpiderLoader.from_settings(settings)
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


def scrapy_overrides(config: Config) -> dict[str, Any]:
    s = config.settings
    return {
        "USER_AGENT": s.user_agent,
        "DOWNLOAD_TIMEOUT": s.download_timeout.total_seconds(),
        "DOWNLOAD_DELAY": s.download_delay.total_seconds(),
        "DOWNLOAD_MAXSIZE": s.max_body_bytes,
        "CASEWATCH_MAX_BODY_BYTES": s.max_body_bytes,
        "CONCURRENT_REQUESTS": s.concurrent_requests,
    }
