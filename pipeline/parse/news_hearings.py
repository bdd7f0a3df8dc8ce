"""Pure: hearing dates an article announces → RawHearing rows for the cases it matched.

"The next hearing is set for 30 September" in an article about a tracked case becomes a
hearing of that case: its court and case number come from the case config (so a court
schedule that lists the same case number at the same time is the same hearing), its date and
time from the sentence, its source from the article.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.config.cases import Case
from pipeline.items import RawHearing
from pipeline.parse.announced import Announced, extract_announced
from pipeline.records import Article


def announced_hearings(article: Article, text: str, cases: Sequence[Case]) -> list[RawHearing]:
    """One row per (case, announced date); undated postponements are left out."""
    if not cases:
        return []
    found = extract_announced(
        text, published_at=article.published_at, language=article.language, tz=cases[0].timezone
    )
    dated = [a for a in found if a.local_date is not None]
    return [_row(article, case, a, n) for case in cases for n, a in enumerate(dated, 1)]


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
