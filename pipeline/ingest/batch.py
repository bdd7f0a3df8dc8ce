"""The conductor: one fetch of one source → the store, atomically (alone, or with the other
fetches of a run's crawl in one transaction: :func:`ingest_fetches`).

Spiders yield a source's ``RawArticle`` items and then exactly one ``FetchReport``; the item
pipeline (``pipeline.fetch.pipeline``) hands the batch here: normalize → upsert → match →
events → outbox, with the source run, so an article and its alerts are stored together or not
at all. Dependencies come frozen (:class:`~pipeline.ingest.deps.IngestDeps`); the result is
returned, for the caller's :class:`~pipeline.ingest.runlog.RunLog`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from pipeline.events.articles import article_events
from pipeline.events.health import source_health_events
from pipeline.events.volume import fold_flood
from pipeline.ingest import hearings as ingest_hearings
from pipeline.ingest.candidates import kept_rows, watch_unclaimed
from pipeline.ingest.deps import IngestDeps
from pipeline.ingest.followup import (
    BatchStories,
    Tally,
    capture_page,
    note_story_alerts,
    story_repeats,
)
from pipeline.ingest.fulltext import choose_targets
from pipeline.ingest.health import judge_fetch
from pipeline.ingest.posts import channel_events
from pipeline.ingest.runlog import SourceResult
from pipeline.ingest.takeover import take_over
from pipeline.items import ArticlePage, FetchReport, RawArticle, RawHearing
from pipeline.logs import redact_source
from pipeline.normalize.article import normalize_article
from pipeline.records import Article, Change, Event, Match
from pipeline.store.articles import Upserted, upsert_articles
from pipeline.store.events import add_events
from pipeline.store.matches import save_article_matches
from pipeline.store.responses import kept_report
from pipeline.store.sources import record_run

log = logging.getLogger(__name__)


def ingest_fetch(
    deps: IngestDeps,
    report: FetchReport,
    raws: Sequence[RawArticle],
    started_at: datetime,
    hearings: Sequence[RawHearing] = (),
    *,
    sessions: sessionmaker[Session] | None = None,
) -> SourceResult:
    """Store one fetch of one source with its matches and events, atomically (in a
    transaction of its own, or in the one ``sessions`` joins: :func:`ingest_fetches`)."""
    report = replace(report, error=redact_source(report.error, report.url))  # no secret kept
    now = deps.clock()
    tz = deps.timezone_of(report.source_id)
    normalized = [(r, normalize_article(r, fetched_at=now, default_tz=tz)) for r in raws]
    articles = [a for _, a in normalized if a]
    pages = {a.canonical_url: r.page for r, a in normalized if a and r.page}
    case_titles = deps.case_titles()
    with (sessions or deps.sessions).begin() as session:
        report = judge_fetch(
            session, report, len(raws) + len(hearings), deps.config.settings.empty_failure_after
        )
        tally = _articles(session, deps, articles, case_titles, now, pages)
        tally.skipped += len(raws) - len(articles)
        tally.events += channel_events(session, deps, report, articles, pages, now)
        if report.ok and not report.not_modified and (hearings or report.window is not None):
            rows = kept_rows(deps, report.source_id, hearings)
            ingest_hearings.scan_batch(session, deps, report, rows, tz, case_titles, now, tally)
        tally.events += watch_unclaimed(session, deps, tally.unclaimed, now)
        tally.events += _run_events(session, deps, report, tally, started_at, now)
        cap = deps.config.settings.max_alerts_per_source_run
        events = fold_flood(tally.events, report.source_id, cap)
        event_ids = add_events(session, events, deps.channels_for, now, deps.repeat_channels_for)
    return _summary(report, len(raws) + len(hearings), tally, len(event_ids))


def unreadable_warning(tally: Tally, shown: int = 3) -> str:
    """The run's warning about schedule rows it could not read: the tracked cases' rows first
    (they make the source a warning in ``status``), else a count with the first reasons."""
    rows = tally.unreadable_tracked or tally.unreadable
    if not rows:
        return ""
    more = f"; {len(rows) - shown} more" if len(rows) > shown else ""
    if tally.unreadable_tracked:
        return f"unreadable row of a tracked case: {'; '.join(rows[:shown])}{more}"
    return f"{len(rows)} row(s) unreadable: {'; '.join(rows[:shown])}{more}"


def _run_events(
    session: Session,
    deps: IngestDeps,
    report: FetchReport,
    tally: Tally,
    started_at: datetime,
    now: datetime,
) -> list[Event]:
    """Record the source's run; ``source.failing``/``source.recovered`` when its health turns."""
    row = record_run(
        session, report, started_at=started_at, finished_at=now,
        items_new=tally.new, items_changed=tally.changed,
        unreadable=len(tally.unreadable), warning=unreadable_warning(tally),
    )  # fmt: skip
    return source_health_events(
        report.source_id,
        failures_before=row.failures_before,
        failures_after=row.consecutive_failures,
        failing_after=deps.config.settings.failing_after,
        error=report.error,
        at=now,
        last_success_at=row.last_success_at,
    )


def _summary(report: FetchReport, seen: int, tally: Tally, events: int) -> SourceResult:
    return SourceResult(
        source_id=report.source_id,
        status="error" if not report.ok else "not_modified" if report.not_modified else "ok",
        seen=seen,
        new=tally.new,
        changed=tally.changed,
        matched=tally.matched,
        events=events,
        skipped=tally.skipped,
        warning=unreadable_warning(tally),
        error=report.error,
        bozo=report.bozo,
        http_status=report.status,
        full_text=tuple(tally.full_text),
    )


def _articles(
    session: Session,
    deps: IngestDeps,
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
    matched: list[tuple[Upserted, Sequence[Match]]] = []
    for item in upserted:
        if item.change is Change.SAME:
            continue
        matches = deps.matcher.match(_fields(item.article))
        if matches:
            matched.append((item, matches))
        else:
            tally.unclaimed.append(item)
    tally.matched = len(matched)
    _matched(session, deps, matched, pages, case_titles, now, tally)
    found = {item.article_id: matches for item, matches in matched}
    for item in upserted:
        if item.replaced:
            take_over(session, item, found.get(item.article_id, ()))
    source = deps.config.source(articles[0].source_id) if articles else None
    tally.full_text = choose_targets(
        [u for u in upserted if u.article.canonical_url not in pages],
        {item.article_id for item, _ in matched},
        deps.partial_matcher,
        policy=source.full_text if source else "auto",
        settings=deps.config.settings.evidence,
    )
    return tally


def _matched(
    session: Session,
    deps: IngestDeps,
    matched: Sequence[tuple[Upserted, Sequence[Match]]],
    pages: Mapping[str, ArticlePage],
    case_titles: dict[str, str],
    now: datetime,
    tally: Tally,
) -> None:
    """The batch's matched articles, in order: each one's page kept, its new matches, story,
    events and announced hearings. Matches and stories are stored for all at once."""
    for item, _ in matched:
        page = pages.get(item.article.canonical_url)
        if page is not None:
            capture_page(session, item, page, now)
    news = save_article_matches(
        session,
        [(item.article_id, matches, item.change is Change.CHANGED) for item, matches in matched],
        now,
    )
    grouped = [  # a copy that replaced an aggregator's is grouped by its own text now
        (item, [m.case for m in new])
        for (item, _), new in zip(matched, news, strict=True)
        if new or item.replaced
    ]
    stories = BatchStories.group(session, grouped, now) if grouped else None
    for (item, matches), new in zip(matched, news, strict=True):
        cases = [m.case for m in new]
        story, repeats = story_repeats(stories, item, cases, tally) if stories and new else (0, {})
        events = article_events(
            item.change, item.article_id, item.article, new, case_titles, repeats
        )
        note_story_alerts(tally, story, events, now)
        tally.events += events
        if new and item.change is Change.NEW:
            ingest_hearings.announced(session, deps, item, cases, case_titles, now, tally)
        elif item.change is Change.CHANGED:  # an edit may add the date: re-read it for hearings
            every = sorted({m.case for m in matches})
            ingest_hearings.announced(session, deps, item, every, case_titles, now, tally)


def _fields(article: Article) -> dict[str, str]:
    return {"title": article.title, "summary": article.summary, "text": article.text}


@dataclass(frozen=True, slots=True)
class Fetch:
    """One source's fetch as the item pipeline hands it over: its report and items."""

    report: FetchReport
    raws: Sequence[RawArticle]
    started_at: datetime
    hearings: Sequence[RawHearing] = ()

    @property
    def size(self) -> int:
        return len(self.raws) + len(self.hearings)


def ingest_fetches(deps: IngestDeps, fetches: Sequence[Fetch]) -> list[SourceResult]:
    """Several sources' fetches stored in ONE transaction, each exactly as
    :func:`ingest_fetch` stores it alone (a session of its own, in order). One commit instead
    of one per source: SQLite's FTS5 index merges its segments far less often (issue 14: the
    first run of 200 feeds spent twice the CPU on the search index at one commit per feed).
    If anything in the group fails, nothing of it is kept and each fetch is stored again on
    its own (:func:`safe_ingest`), so one source's failure stays that source's."""
    fetches = [replace(f, report=_keep_response(deps, f.report)) for f in fetches]
    if len(fetches) > 1:
        try:
            return _together(deps, fetches)
        except Exception:
            log.warning(
                "could not store %d sources together; storing each on its own",
                len(fetches), exc_info=True,
            )  # fmt: skip
    return [safe_ingest(deps, f.report, f.raws, f.started_at, f.hearings) for f in fetches]


def _together(deps: IngestDeps, fetches: Sequence[Fetch]) -> list[SourceResult]:
    engine = deps.sessions.kw["bind"]
    with engine.connect() as connection, connection.begin():
        joined = sessionmaker(
            **{**deps.sessions.kw, "bind": connection}, join_transaction_mode="rollback_only"
        )
        return [
            ingest_fetch(deps, f.report, f.raws, f.started_at, f.hearings, sessions=joined)
            for f in fetches
        ]


def safe_ingest(
    deps: IngestDeps,
    report: FetchReport,
    raws: Sequence[RawArticle],
    started_at: datetime,
    hearings: Sequence[RawHearing] = (),
) -> SourceResult:
    """:func:`ingest_fetch`; when the store refuses the batch, the failure is recorded on the
    source in a transaction of its own (counted, shown, ``source.failing`` after N) and the
    validators are not advanced, so the next run fetches and tries the batch again.

    A failed report's response is kept under the data folder first, its path named in the
    error (:func:`~pipeline.store.responses.kept_report`)."""
    report = _keep_response(deps, report)
    try:
        return ingest_fetch(deps, report, raws, started_at, hearings)
    except Exception as exc:
        log.exception("%s: could not store this fetch", report.source_id)
        error = f"{report.source_id}: could not store {len(raws) + len(hearings)} item(s): {_short(exc)}"
        failed = FetchReport(
            report.source_id, report.url, status=report.status, ok=False, error=error
        )
        try:
            ingest_fetch(deps, failed, [], started_at)
        except Exception:
            log.exception("%s: could not record the failure either", report.source_id)
        error = redact_source(error, report.url)
        return SourceResult(report.source_id, "error", seen=len(raws) + len(hearings), error=error)


def _keep_response(deps: IngestDeps, report: FetchReport) -> FetchReport:
    """A failed report's response kept under the data folder, its path named in the error."""
    if report.response is None:
        return report
    report = kept_report(report, deps.config.data_dir(), deps.clock())
    log.info("%s", redact_source(report.error, report.url))
    return report


def _short(exc: BaseException) -> str:
    """The first line of an error, without the SQL and parameters drivers append."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first[:300]
