"""Pure: what an article says about a case's hearings → RawHearing rows and postponements.

"The next hearing is set for 30 September" in an article about a tracked case becomes a
hearing of that case: its court and case number come from the case config (so a court
schedule that lists the same case number at the same time is the same hearing), its date and
time from the sentence, its source from the article. "The trial was adjourned indefinitely"
becomes a :class:`Postponement` of the case: the store decides which hearing it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pipeline.config.cases import Case
from pipeline.items import RawHearing
from pipeline.normalize.dates import zone
from pipeline.parse.announced import Announced, extract_announced
from pipeline.records import Article


@dataclass(frozen=True, slots=True)
class Postponement:
    """An article about ``case`` says its hearing was postponed and gives no new date."""

    case: str
    published: date
    """The article's publication day in the case's zone (the day it was read, without one)."""
    day: date | None
    """The postponed hearing's day when the article names it."""
    sentence: str
    found: str
    """The postponing words as printed («отложено на неопределённый срок»)."""
    court: str
    case_number: str
    """The case's first court and case number from its config ('' when it names none)."""
    timezone: str


@dataclass(frozen=True, slots=True)
class NewsHearings:
    hearings: list[RawHearing]
    """One row per (case, announced date)."""
    postponed: list[Postponement]
    """One per (case, undated postponement)."""


def read_hearings(
    article: Article, text: str, cases: Sequence[Case], now: datetime
) -> NewsHearings:
    """Hearings ``text`` announces for ``cases``, and its postponements without a date;
    ``now`` stands in for an article without a publication time."""
    if not cases:
        return NewsHearings([], [])
    found = extract_announced(
        text, published_at=article.published_at, language=article.language, tz=cases[0].timezone
    )
    dated = [a for a in found if a.kind != "postponed_no_date"]
    undated = [a for a in found if a.kind == "postponed_no_date"]
    published = article.published_at or now
    return NewsHearings(
        [_row(article, case, a, n) for case in cases for n, a in enumerate(dated, 1)],
        [_postponement(case, a, published) for case in cases for a in undated[:1]],
    )


def _row(article: Article, case: Case, announced: Announced, n: int) -> RawHearing:
    assert announced.local_date is not None
    return RawHearing(
        source_id=article.source_id,
        url=article.canonical_url,
        court=case.courts[0] if case.courts else "",
        date=announced.local_date.strftime("%d.%m.%Y"),
        time=announced.local_time.strftime("%H:%M") if announced.local_time else "",
        case_number=case.case_numbers[0] if case.case_numbers else "",
        parties="" if case.case_numbers else case.title,
        status="scheduled",
        timezone=case.timezone,
        cells={"announced": announced.sentence, "kind": announced.kind},
        row=n,
        article_url=article.canonical_url,
    )


def _postponement(case: Case, announced: Announced, published: datetime) -> Postponement:
    return Postponement(
        case=case.slug,
        published=published.astimezone(zone(case.timezone)).date(),
        day=announced.local_date,
        sentence=announced.sentence,
        found=announced.found,
        court=case.courts[0] if case.courts else "",
        case_number=case.case_numbers[0] if case.case_numbers else "",
        timezone=case.timezone,
    )
