"""Hearings in an ingest batch: a schedule scan, and the hearings a matched article announces.

Both end in :func:`hearing_changes`: matches and ``hearing.*`` events for what the upsert did,
added to the batch's :class:`~pipeline.ingest.followup.Tally`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pipeline.events.hearings import hearing_events
from pipeline.ingest.deps import IngestDeps
from pipeline.ingest.followup import Tally
from pipeline.ingest.postponed import postponed
from pipeline.items import FetchReport, RawHearing
from pipeline.normalize.hearing import hearing_fields, normalize_hearing
from pipeline.parse.news_hearings import read_hearings
from pipeline.records import Article, Change, Event, Hearing, HearingChange, Match
from pipeline.store.articles import Upserted
from pipeline.store.hearing_announced import scheduled_days, supersede_announced
from pipeline.store.hearing_matches import matched_cases, save_hearing_matches
from pipeline.store.hearings import scan_hearings, upsert_hearings

log = logging.getLogger(__name__)


def scan_batch(
    session: Session,
    deps: IngestDeps,
    report: FetchReport,
    raws: Sequence[RawHearing],
    tz: str,
    case_titles: dict[str, str],
    now: datetime,
    tally: Tally,
) -> None:
    """A schedule scan: upsert with identity and history, match, hearing events."""
    changes, skipped, _unchanged = scan_hearings(
        session, raws, source_id=report.source_id, seen_at=now, window=report.window, default_tz=tz
    )
    by_row = {raw.row: raw for raw in raws}
    for skip in skipped:
        log.warning("%s: skipped %s", report.source_id, skip.reason)
        tally.unreadable.append(skip.reason)
        raw = by_row.get(skip.row)
        cases = sorted({m.case for m in deps.matcher.match(_row_text(raw))}) if raw else []
        if cases:
            tally.unreadable_tracked.append(f"{skip.reason} (case {', '.join(cases)})")
    tally.skipped += len(skipped)
    hearing_changes(session, deps, changes, case_titles, now, tally)


def _row_text(raw: RawHearing) -> dict[str, str]:
    """What the matcher reads of a row that could not become a hearing: every cell as printed."""
    return {
        "case_number": raw.case_number,
        "parties": "\n".join(raw.cells.values()),
        "court": raw.court,
        "category": raw.category,
        "judge": raw.judge,
    }


def hearing_changes(
    session: Session,
    deps: IngestDeps,
    changes: Sequence[HearingChange],
    case_titles: dict[str, str],
    now: datetime,
    tally: Tally,
    fixed_cases: Sequence[str] = (),
) -> None:
    """Matches and events for what a hearing upsert did (``fixed_cases``: known beforehand)."""
    known = matched_cases(session, [c.hearing_id for c in changes if c.change is Change.CHANGED])
    for c in changes:
        if c.change is Change.SAME:
            continue
        tally.new += c.change is Change.NEW
        tally.changed += c.change is Change.CHANGED
        new: list[Match] = []
        why: dict[str, Any] = {}
        if not c.removed:
            matches = list(deps.matcher.match(hearing_fields(c.hearing)))
            matches += [
                Match(slug, 1.0, ())
                for slug in fixed_cases
                if slug not in {m.case for m in matches}
            ]
            new = save_hearing_matches(
                session, c.hearing_id, matches, now, check_existing=c.change is Change.CHANGED
            )
            why = {m.case: m.reason() for m in matches if m.why}
        slugs = sorted({*known.get(c.hearing_id, []), *(m.case for m in new)})
        if not slugs and not c.removed:
            tally.unclaimed.append(c)
        confirmed: set[str] = set()
        if c.change is Change.NEW and slugs and not c.hearing.article_url:
            day = c.hearing.local_time[:10]
            confirmed = {s for s in slugs if supersede_announced(session, [s], day, now)}
        tally.matched += bool(slugs)
        # one hearing, one story: the court listing confirms a date the news announced for
        # that case (its row steps aside); the monitor already had "scheduled" for it
        alerted = [s for s in slugs if s not in confirmed]
        tally.events += hearing_events(c, alerted, case_titles, now=now, why=why)


def announced(
    session: Session,
    deps: IngestDeps,
    item: Upserted,
    cases: Sequence[str],
    case_titles: dict[str, str],
    now: datetime,
    tally: Tally,
) -> None:
    """Hearings an article announces ("the next hearing is set for 30 September") for its
    cases, and the hearing it reports postponed with no new date (:mod:`.postponed`)."""
    article = item.article
    text = "\n\n".join(p for p in (article.title, article.summary, article.text) if p)
    by_slug = {c.slug: c for c in deps.config.cases}
    news = read_hearings(article, text, [by_slug[s] for s in cases if s in by_slug], now)
    normalized = (normalize_hearing(r, seen_at=now, default_tz=r.timezone) for r in news.hearings)
    hearings = [h for h in normalized if isinstance(h, Hearing)]
    listed = scheduled_days(session, cases, [h.local_time[:10] for h in hearings])
    hearings = [h for h in hearings if not any((c, h.local_time[:10]) in listed for c in cases)]
    if hearings:  # else nothing announced, or the court schedule lists it already
        changes = upsert_hearings(
            session, hearings, source_id=article.source_id, seen_at=now, window=None,
            infer_moves=False,
        )  # fmt: skip
        hearing_changes(session, deps, changes, case_titles, now, tally, fixed_cases=cases)
    for postponement in news.postponed:
        tally.events += postponed(session, item, postponement, case_titles, now)


def announce_hearings(
    session: Session,
    deps: IngestDeps,
    article_id: int,
    article: Article,
    cases: Sequence[str],
    now: datetime,
) -> list[Event]:
    """Hearing events for what a full article announces (see :func:`announced`)."""
    tally = Tally()
    case_titles = deps.case_titles()
    item = Upserted(Change.NEW, article_id, article)
    announced(session, deps, item, cases, case_titles, now, tally)
    return tally.events
