"""Pure: a case's hearings, articles and evidence → :class:`Report`.

**Held** — a hearing whose date has passed, that no court schedule printed or left as
cancelled, postponed or removed, and that no article reported postponed. casewatch does not
sit in the courtroom: held means "took place as far as the schedules and the news show".
Postponements: :mod:`pipeline.report.postponements`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pipeline.report.hearings import days_of, fold, hearing_day, starts_at, steps
from pipeline.report.model import (
    OFF,
    ArticleEntry,
    CaseInfo,
    HearingEntry,
    Mention,
    Period,
    Postponement,
    Report,
    Step,
    Summary,
)
from pipeline.report.news import article_ref, local_day, mentions
from pipeline.report.postponements import attach, postponements
from pipeline.store.read.hearings import ON_SCHEDULE, HearingListing
from pipeline.store.read.report import ReportArticle, ReportCapture


def build_report(
    case: CaseInfo,
    *,
    hearings: Sequence[HearingListing],
    announced: Mapping[str, str],
    articles: Sequence[ReportArticle],
    captures: Mapping[int, Sequence[ReportCapture]],
    now: datetime,
    period: Period,
    lang: str,
) -> Report:
    """``hearings``: the case's, with history; ``announced``: identity → the sentence that
    announced it; ``captures``: article id → its evidence."""
    tz = case.timezone
    folded = fold(hearings)
    days = {h.identity: days_of(h) for h in folded.shown}
    said = mentions(articles, tz, {d for ds in days.values() for d in ds})
    rows = [h for group in folded.into.values() for h in group]
    said += _stored_announcements([*folded.shown, *rows], announced, articles, said)
    news, postponing = attach(said, days, tz)
    found = postponements(folded.shown, postponing, tz)
    entries = [
        _entry(
            h,
            now,
            steps(h, folded.into.get(h.identity, ())),
            news.get(h.identity, []),
            postponed_by_news=h.identity in found.put_off,
        )
        for h in folded.shown
    ]
    by_id = {e.hearing.identity: e for e in entries}
    found_postponements = [
        Postponement(p.how, p.day, p.old, p.new, p.seen_at, p.reasons, by_id.get(ident or ""))
        for p, ident in found.postponements
    ]
    return _assemble(case, lang, period, now, entries, found_postponements, articles, captures)


def _stored_announcements(
    rows: Sequence[HearingListing],
    announced: Mapping[str, str],
    articles: Sequence[ReportArticle],
    said: Sequence[Mention],
) -> list[Mention]:
    """The sentence stored with each announced hearing, when reading its article again did
    not find it (edited since, or the rules changed): every announcement is quoted."""
    refs = {a.url: article_ref(a) for a in articles}
    quoted = {(m.sentence, m.day) for m in said}
    extra: list[Mention] = []
    for h in rows:
        sentence, ref = announced.get(h.identity), refs.get(h.article_url)
        if sentence and ref and (sentence, hearing_day(h)) not in quoted:
            extra.append(Mention("announced", hearing_day(h), sentence, ref))
            quoted.add((sentence, hearing_day(h)))
    return extra


def _entry(
    h: HearingListing,
    now: datetime,
    history: Sequence[Step],
    news: Sequence[Mention],
    *,
    postponed_by_news: bool,
) -> HearingEntry:
    return HearingEntry(
        hearing=h,
        day=hearing_day(h),
        starts_at=starts_at(h),
        outcome=outcome(h, now, postponed_by_news=postponed_by_news),
        steps=tuple(history),
        news=tuple(news),
    )


def outcome(h: HearingListing, now: datetime, *, postponed_by_news: bool = False) -> str:
    """held | upcoming | postponed | cancelled | removed (see the module's definitions); a
    hearing with a date but no time is upcoming all of its day."""
    if h.status in (*OFF, "postponed", "held"):
        return h.status
    if postponed_by_news:
        return "postponed"
    if h.scheduled_at is not None:
        past = h.scheduled_at <= now
    else:
        past = hearing_day(h) < local_day(now, h.timezone)
    return "held" if past and h.status in (*ON_SCHEDULE, "superseded") else "upcoming"


def _assemble(
    case: CaseInfo,
    lang: str,
    period: Period,
    now: datetime,
    entries: Sequence[HearingEntry],
    found: Sequence[Postponement],
    articles: Sequence[ReportArticle],
    captures: Mapping[int, Sequence[ReportCapture]],
) -> Report:
    tz = case.timezone
    hearings = [e for e in entries if period.holds(e.day)]
    moved = [p for p in found if period.holds(p.day)]
    listed = [_article(a, captures.get(a.id, ())) for a in articles]
    shown = [a for a in listed if period.holds(local_day(a.ref.at, tz))]
    shown.sort(key=lambda a: (a.ref.at, a.ref.id))
    outlets: dict[str, list[ArticleEntry]] = {}
    for a in sorted(shown, key=lambda a: (a.ref.outlet.casefold(), a.ref.at, a.ref.id)):
        outlets.setdefault(a.ref.outlet, []).append(a)
    ahead = [e for e in entries if e.outcome == "upcoming"]
    days = [e.day for e in hearings] + [local_day(a.ref.at, tz) for a in shown]
    summary = Summary(
        held=sum(e.outcome == "held" for e in hearings),
        postponed=len(moved),
        off=sum(e.outcome in OFF for e in hearings),
        upcoming=sum(e.outcome == "upcoming" for e in hearings),
        next_hearing=min(ahead, key=lambda e: (e.starts_at, e.hearing.identity), default=None),
        first=period.start or min(days, default=None),
        last=period.end or max(days, default=None),
        articles=len(shown),
        outlets=len(outlets),
        captures=sum(len(a.captures) for a in shown),
    )
    return Report(
        case=case,
        lang=lang,
        period=period,
        generated_at=now,
        summary=summary,
        hearings=tuple(hearings),
        postponements=tuple(moved),
        outlets=tuple((name, tuple(group)) for name, group in outlets.items()),
        articles=tuple(shown),
    )


def _article(article: ReportArticle, captures: Sequence[ReportCapture]) -> ArticleEntry:
    return ArticleEntry(
        ref=article_ref(article),
        language=article.language,
        source=article.source,
        why=article.why,
        removed_at=article.removed_at,
        captures=tuple(captures),
    )
