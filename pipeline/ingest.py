"""The Scrapy edge: the item pipeline that feeds spider output into the store, and the crawl.

Spiders yield a source's ``RawArticle`` items and then exactly one ``FetchReport``. The report
closes the source's batch: normalize → upsert → match → events → outbox, in ONE transaction
with the source run, so an article and its alerts are stored together or not at all.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy.orm import Session, sessionmaker

from pipeline.config import Config
from pipeline.events import article_events, hearing_events, source_health_events
from pipeline.evidence.fetched import ArticlePage, ArticleTarget
from pipeline.evidence.pages import PageResult, ingest_page
from pipeline.fulltext import choose_targets
from pipeline.items import FetchReport, FetchSpec, RawArticle, RawHearing
from pipeline.match import Matcher
from pipeline.normalize.article import normalize_article
from pipeline.normalize.hearing import hearing_fields, normalize_hearing, scan_window
from pipeline.normalize.news_hearings import announced_hearings
from pipeline.records import Article, Change, Event, Hearing, HearingChange, Match
from pipeline.source_health import judge_fetch
from pipeline.store import captures, repo
from pipeline.store import hearings as hearing_store

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
    """Article pages to fetch for this batch's new items (``pipeline.fulltext``)."""


@dataclass(frozen=True, slots=True)
class IngestContext:
    """What ingest needs, built once per run at the edge."""

    config: Config
    sessions: sessionmaker[Session]
    matcher: Matcher
    clock: Clock = utcnow
    channels_for: repo.ChannelsFor = lambda kind, case: ("console",)
    results: list[SourceResult] = field(default_factory=list)
    partial_matcher: Matcher | None = None
    """The cases with every term sufficient alone: a hit is a partial match (full text wanted)."""
    repeat_channels_for: repo.ChannelsFor | None = None
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


@dataclass(slots=True)
class _Tally:
    """Counts for one source's summary line."""

    new: int = 0
    changed: int = 0
    matched: int = 0
    skipped: int = 0
    events: list[Event] = field(default_factory=list)
    full_text: list[ArticleTarget] = field(default_factory=list)
    story_alerts: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    """(story, case) → the story's alert made in this batch, for later copies in it."""


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
    articles = [a for a in (normalize_article(r, fetched_at=now, default_tz=tz) for r in raws) if a]
    case_titles = {c.slug: c.title for c in ctx.config.cases}
    with ctx.sessions.begin() as session:
        report = judge_fetch(
            session, report, len(raws) + len(hearings), ctx.config.settings.empty_failure_after
        )
        tally = _articles(session, ctx, articles, case_titles, now)
        tally.skipped += len(raws) - len(articles)
        if report.ok and not report.not_modified and (hearings or report.extra.get("complete")):
            _hearings(session, ctx, report, hearings, tz, case_titles, now, tally)
        failures_before = repo.failures_of(session, report.source_id)
        row = repo.record_run(
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
        event_ids = repo.add_events(
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
) -> _Tally:
    upserted = repo.upsert_articles(session, articles, now)
    tally = _Tally(
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
        new = repo.save_matches(
            session, item.article_id, matches, now, check_existing=item.change is Change.CHANGED
        )
        cases = [m.case for m in new]
        story, repeats = _story_repeats(session, item, cases, tally, now) if new else (0, {})
        events = article_events(
            item.change, item.article_id, item.article, new, case_titles, repeats
        )
        for event in events:
            if event.case and not event.payload.get("story_repeat"):
                info = captures.story_info(story, event.payload, now.isoformat())
                tally.story_alerts.setdefault((story, event.case), info)
        tally.events += events
        if new and item.change is Change.NEW:
            _announced(session, ctx, item, [m.case for m in new], case_titles, now, tally)
    source = ctx.config.source(articles[0].source_id) if articles else None
    tally.full_text = choose_targets(
        upserted,
        matched,
        ctx.partial_matcher,
        policy=source.full_text if source else "auto",
        settings=ctx.config.settings.evidence,
    )
    return tally


def _story_repeats(
    session: Session, item: repo.Upserted, cases: Sequence[str], tally: _Tally, now: datetime
) -> tuple[int, dict[str, dict[str, Any]]]:
    """The article's story (grouped now) and, per case, that story's alert from another
    article (earlier in this batch, or stored)."""
    article = item.article
    story = captures.store_story(
        session, item.article_id, f"{article.summary}\n{article.text}", article.language, now
    )
    found: dict[str, dict[str, Any]] = {}
    for case in cases:
        info = tally.story_alerts.get((story, case)) or captures.story_first_alert(
            session, story, case, item.article_id
        )
        if info:
            found[case] = info
    return story, found


def _hearings(
    session: Session,
    ctx: IngestContext,
    report: FetchReport,
    raws: Sequence[RawHearing],
    tz: str,
    case_titles: dict[str, str],
    now: datetime,
    tally: _Tally,
) -> None:
    """A schedule scan: upsert with identity and history, match, hearing events."""
    window = scan_window(report.extra)
    changes, skipped, _unchanged = hearing_store.scan_hearings(
        session, raws, source_id=report.source_id, seen_at=now, window=window, default_tz=tz
    )
    for skip in skipped:
        log.warning("%s: skipped %s", report.source_id, skip.reason)
    tally.skipped += len(skipped)
    _hearing_changes(session, ctx, changes, case_titles, now, tally)


def _hearing_changes(
    session: Session,
    ctx: IngestContext,
    changes: Sequence[HearingChange],
    case_titles: dict[str, str],
    now: datetime,
    tally: _Tally,
    fixed_cases: Sequence[str] = (),
) -> None:
    """Matches and events for what a hearing upsert did (``fixed_cases``: known beforehand)."""
    known = hearing_store.matched_cases(
        session, [c.hearing_id for c in changes if c.change is Change.CHANGED]
    )
    for c in changes:
        if c.change is Change.SAME:
            continue
        tally.new += c.change is Change.NEW
        tally.changed += c.change is Change.CHANGED
        new: list[Match] = []
        if not c.cancelled:
            matches = list(ctx.matcher.match(hearing_fields(c.hearing)))
            matches += [
                Match(slug, 1.0, ())
                for slug in fixed_cases
                if slug not in {m.case for m in matches}
            ]
            new = hearing_store.save_hearing_matches(
                session, c.hearing_id, matches, now, check_existing=c.change is Change.CHANGED
            )
        slugs = sorted({*known.get(c.hearing_id, []), *(m.case for m in new)})
        if c.change is Change.NEW and slugs and not c.hearing.article_url:
            hearing_store.supersede_announced(session, slugs, c.hearing.local_time[:10], now)
        tally.matched += bool(slugs)
        tally.events += hearing_events(c, slugs, case_titles, now=now)


def _announced(
    session: Session,
    ctx: IngestContext,
    item: repo.Upserted,
    cases: Sequence[str],
    case_titles: dict[str, str],
    now: datetime,
    tally: _Tally,
) -> None:
    """Hearings an article announces ("the next hearing is set for 30 September") for its cases."""
    article = item.article
    text = "\n\n".join(p for p in (article.title, article.summary, article.text) if p)
    by_slug = {c.slug: c for c in ctx.config.cases}
    raws = announced_hearings(article, text, [by_slug[s] for s in cases if s in by_slug])
    normalized = (normalize_hearing(r, seen_at=now, default_tz=r.timezone) for r in raws)
    hearings = [h for h in normalized if isinstance(h, Hearing)]
    listed = hearing_store.scheduled_days(session, cases, [h.local_time[:10] for h in hearings])
    hearings = [h for h in hearings if not any((c, h.local_time[:10]) in listed for c in cases)]
    if not hearings:
        return  # nothing announced, or the court schedule lists it already
    changes = hearing_store.upsert_hearings(
        session, hearings, source_id=article.source_id, seen_at=now, window=None, infer_moves=False
    )
    _hearing_changes(session, ctx, changes, case_titles, now, tally, fixed_cases=cases)


def announce_hearings(
    session: Session,
    ctx: IngestContext,
    article_id: int,
    article: Article,
    cases: Sequence[str],
    now: datetime,
) -> list[Event]:
    """Hearing events for what a full article announces (see :func:`_announced`)."""
    tally = _Tally()
    case_titles = {c.slug: c.title for c in ctx.config.cases}
    item = repo.Upserted(Change.NEW, article_id, article)
    _announced(session, ctx, item, cases, case_titles, now, tally)
    return tally.events


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
            from pipeline.runner import build_context

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
        self._follow(result.full_text)
        log.debug(
            "%s: ingested %d items in %.3fs", report.source_id, len(raws), time.perf_counter() - t0
        )

    def _follow(self, targets: Sequence[ArticleTarget]) -> None:
        """Fetch these article pages in the crawl that found them (their items come back
        here as :class:`ArticlePage`); without a running crawl they wait for a re-check."""
        engine = getattr(self.crawler, "engine", None)
        if not targets or engine is None:
            return
        from spiders.article import article_request

        evidence = self.ctx.config.settings.evidence
        for target in targets:
            engine.crawl(
                article_request(
                    target,
                    max_body=evidence.max_body_bytes,
                    timeout=evidence.timeout.total_seconds(),
                )
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
