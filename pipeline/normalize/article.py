"""RawArticle (strings as printed) → Article (typed, UTC, canonical URL, keys for dedupe).

``normalize_article`` returns None for an entry that cannot become an article;
``unusable_reason`` says why, for the source run's log and stats. Both are pure: the fetch time
is passed in (it anchors relative dates such as «Вчера 17:42»).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from pipeline.items import RawArticle
from pipeline.normalize.dates import DEFAULT_LANGUAGES, in_window, parse_date
from pipeline.normalize.language import detect, normalize_hint
from pipeline.normalize.text import (
    NAME_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    clip,
    collapse,
    content_hash,
    strip_html,
    strip_publisher_suffix,
    title_key,
)
from pipeline.normalize.urls import canonical_url, decode_google_news, is_google_news
from pipeline.records import Article

log = logging.getLogger(__name__)

_HTTP_RE = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
_DETECT_CHARS = 2000


def article_url(raw: RawArticle) -> str:
    """The entry's link, else its guid when that is a URL; empty when neither is."""
    for candidate in (raw.url, raw.guid):
        candidate = candidate.strip()
        if _HTTP_RE.match(candidate):
            return candidate
    return ""


def unusable_reason(raw: RawArticle) -> str:
    """Why ``raw`` cannot become an Article ('' when it can)."""
    if not article_url(raw):
        has_title = bool(strip_html(raw.title))
        return "no link" + ("" if has_title else " and no title")
    if not (strip_html(raw.title) or strip_html(raw.summary) or strip_html(raw.text)):
        return "no title, summary or text"
    return ""


def normalize_article(
    raw: RawArticle, *, fetched_at: datetime, default_tz: str = "UTC"
) -> Article | None:
    """Typed article, or None when :func:`unusable_reason` is non-empty.

    Google News items: an old-style link is decoded to the publisher's URL (which then becomes
    ``url`` and ``canonical_url``); a new-style one stays the Google link, and the title without
    its " - Publisher" suffix gives the ``title_key`` that matches the publisher's own entry.
    ``default_tz`` is the source's zone for dates printed without one. Control and invisible
    characters are dropped (:func:`~pipeline.normalize.text.collapse`); the title is cut to
    ``TITLE_MAX`` characters, the summary to ``SUMMARY_MAX`` (a longer summary with no text
    becomes the text too, so matching still reads all of it).
    """
    if fetched_at.tzinfo is None:
        raise ValueError("normalize_article: fetched_at must be timezone-aware")
    url = article_url(raw)
    if not url:
        return None
    title = collapse(strip_html(raw.title))
    summary, text = strip_html(raw.summary), strip_html(raw.text)
    if not (title or summary or text):
        return None
    publisher = clip(collapse(strip_html(raw.publisher)), NAME_MAX)
    if is_google_news(url):
        url = decode_google_news(url) or url
        publisher = publisher or _suffix_publisher(title)
    title = clip(strip_publisher_suffix(title, publisher), TITLE_MAX)
    summary = _summary(summary, title, publisher)
    if len(summary) > SUMMARY_MAX:  # a feed printing the whole article as its description
        text = text or summary
        summary = clip(summary, SUMMARY_MAX)
    language = detect(" ".join((title, summary, text))[:_DETECT_CHARS], raw.language)
    return Article(
        source_id=raw.source_id,
        url=url,
        canonical_url=canonical_url(url),
        title=title,
        summary=summary,
        text=text,
        language=language,
        published_at=_published(raw, default_tz, fetched_at, language),
        author=clip(collapse(strip_html(raw.author)), NAME_MAX),
        content_hash=content_hash(title, summary, text),
        title_key=title_key(title),
        publisher=publisher,
    )


def _suffix_publisher(title: str) -> str:
    """Google News titles end in " - Publisher"; used when the item has no ``<source>``."""
    head, dash, tail = title.rpartition(" - ")
    return tail if dash and head and len(tail) <= 60 else ""


def _summary(summary: str, title: str, publisher: str) -> str:
    """Drop an aggregator's summary that only repeats the title and the publisher's name."""
    if title:  # the collapsed start of a summary is the start of the collapsed summary
        head, wanted = collapse(summary[: 2 * len(title) + 16]).casefold(), title.casefold()
        if len(head) >= len(wanted) and not head.startswith(wanted):
            return summary
    rest = collapse(summary)
    if title and rest.casefold().startswith(title.casefold()):
        rest = rest[len(title) :].strip()
        if not rest or rest.casefold() == publisher.casefold():
            return ""
    return summary


def _published(raw: RawArticle, tz: str, fetched_at: datetime, language: str) -> datetime | None:
    """The printed publication date, else the update date; month names are read in the
    article's language, the feed's declared one, then ru/kk/en. A date outside
    ``dates.in_window`` (before 1990, over a year past the fetch) counts as none printed and
    is logged naming the source and the item."""
    languages = tuple(
        dict.fromkeys(c for c in (language, normalize_hint(raw.language), *DEFAULT_LANGUAGES) if c)
    )
    for printed in (raw.published, raw.updated):
        found = parse_date(printed, tz=tz, now=fetched_at, languages=languages)
        if found is not None and in_window(found, fetched_at) is None:
            log.warning(
                "%s: %s: date %r is out of range; stored without a date",
                raw.source_id,
                raw.url or raw.title[:80],
                printed,
            )
            return None
        if found is not None:
            return found
    return None
