"""Pure: what the news said of a case's hearings — the sentences of its articles that announce
a hearing, report it postponed, or name a hearing's day.

Announcements and postponements are read by the parser ingest uses
(:func:`pipeline.parse.announced.extract_announced`, so the report quotes the sentence a
stored hearing came from). A sentence that prints the day of a hearing of the case, in an
article published from two weeks before that day to a week after it, is kept as a report of
that hearing ("27 ноября в суде допросили потерпевшего").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from pipeline.normalize.dates import zone
from pipeline.parse.announced import extract_announced, sentences
from pipeline.parse.announced_dates import DateHit, date_hits
from pipeline.report.model import ArticleRef, Mention
from pipeline.store.read.report import ReportArticle

BEFORE = timedelta(days=14)
"""How long before a hearing an article may name its day and count as speaking of it."""
AFTER = timedelta(days=7)
"""How long after a hearing an article may report it."""
LONGEST = 600
"""A sentence is quoted up to this many characters."""
_KINDS = {
    "scheduled": "announced",
    "postponed_to": "postponed_to",
    "postponed_no_date": "postponed",
}


def outlet(article: ReportArticle) -> str:
    """Who published it, as alerts name it: the publisher, else the site's host, else the
    source's id."""
    host = (urlsplit(article.url).hostname or "").removeprefix("www.")
    return article.publisher or host or article.source


def article_ref(article: ReportArticle) -> ArticleRef:
    return ArticleRef(
        id=article.id,
        title=article.title,
        url=article.url,
        outlet=outlet(article),
        at=article.published_at or article.first_seen_at,
        dated=article.published_at is not None,
    )


def local_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(zone(tz)).date()


def mentions(
    articles: Iterable[ReportArticle], tz: str, hearing_days: Collection[date]
) -> list[Mention]:
    """Every article's announcements, postponements and reports of ``hearing_days``, in the
    articles' order, each sentence once per day it names."""
    found: list[Mention] = []
    for article in articles:
        ref = article_ref(article)
        announced = announcements(article, ref, tz)
        taken = {(m.sentence, m.day) for m in announced}
        found += announced
        found += [
            m for m in reports(article, ref, tz, hearing_days) if (m.sentence, m.day) not in taken
        ]
    return found


def announcements(article: ReportArticle, ref: ArticleRef, tz: str) -> list[Mention]:
    """The hearings ``article`` announces, and the postponements it reports (dated or not)."""
    found = extract_announced(
        article.text, published_at=article.published_at, language=article.language, tz=tz
    )
    return [Mention(_KINDS[a.kind], a.local_date, _quoted(a.sentence), ref) for a in found]


def reports(
    article: ReportArticle, ref: ArticleRef, tz: str, hearing_days: Collection[date]
) -> list[Mention]:
    """Sentences of ``article`` that print the day of one of ``hearing_days`` near it."""
    published = local_day(ref.at, tz)
    near = {d for d in hearing_days if d - BEFORE <= published <= d + AFTER}
    if not near:
        return []
    numbers = {d.day for d in near}
    if not _names_a_day(article.text, numbers):
        return []
    found: list[Mention] = []
    seen: set[tuple[str, date]] = set()
    for sentence in sentences(article.text):
        if not _names_a_day(sentence, numbers):
            continue
        for hit in date_hits(sentence, month_first=article.language == "en"):
            day = printed_day(hit, published)
            if day in near and (sentence, day) not in seen:
                seen.add((sentence, day))
                kind = "reported" if published >= day else "mentioned"
                found.append(Mention(kind, day, _quoted(sentence), ref))
    return found


def _names_a_day(text: str, numbers: Collection[int]) -> bool:
    """Whether ``text`` prints one of the days of the month ``numbers`` alone (5, 05; not
    inside 2025), or «сегодня»: the cheap look before reading its dates."""
    found = any(int(m[0]) in numbers for m in _NUMBER_RE.finditer(text))
    return found or _today_word(text)


_NUMBER_RE = re.compile(r"(?<!\d)\d{1,2}(?!\d)")


def printed_day(hit: DateHit, published: date) -> date | None:
    """The day a hit names, placed around the publication day: a date without a year in the
    year that puts it within half a year of publication; «сегодня» / "today" is that day;
    other named days (a weekday, «завтра») are not reports of a past hearing: None."""
    if hit.named:
        return published if hit.ahead == 0 and hit.weekday is None and not hit.span else None
    year = hit.year if hit.year is not None else published.year
    try:
        day = date(year, hit.month, hit.day)
    except ValueError:
        return None
    if hit.year is None and day - published > timedelta(days=183):
        return _replace_year(day, year - 1)
    if hit.year is None and published - day > timedelta(days=183):
        return _replace_year(day, year + 1)
    return day


def _replace_year(day: date, year: int) -> date | None:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return None


_TODAY = ("сегодня", "today", "бүгін")


def _today_word(sentence: str) -> bool:
    low = sentence.casefold()
    return any(word in low for word in _TODAY)


def _quoted(sentence: str) -> str:
    text = " ".join(sentence.split())
    return text if len(text) <= LONGEST else text[: LONGEST - 1].rstrip() + "…"
