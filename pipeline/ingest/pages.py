"""An article page fetched → the store, in one transaction per page.

The first time a page is read, its text goes on the article (title, author and dates where the
feed gave none), matching runs again over the full text (a new case match is an
``article.new``, deduplicated against the feed's), and — when the article matches a case —
the response is kept as a capture. A later fetch of a captured page (a re-check) compares the
extracted text with the last capture: an edit is a ``changed`` capture and ``article.changed``
with the diff; a 404/410, or a page that no longer holds the article, is a ``removed``
capture and ``article.removed``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pipeline.errors import CasewatchError
from pipeline.events.articles import article_changed_events, article_events, article_removed_events
from pipeline.evidence.compare import text_diff, verdict
from pipeline.ingest.candidates import watch_unclaimed
from pipeline.ingest.deps import IngestDeps
from pipeline.ingest.runlog import PageResult
from pipeline.items import ArticlePage
from pipeline.normalize.text import NAME_MAX, TITLE_MAX, clip
from pipeline.records import Article, Change, Event
from pipeline.store import captures
from pipeline.store.articles import Upserted
from pipeline.store.events import add_events
from pipeline.store.matches import save_matches
from pipeline.store.models import ArticleRow, CaptureRow
from pipeline.store.search_index import index_articles
from pipeline.store.stories import store_story, story_first_alert

if TYPE_CHECKING:
    from pipeline.parse.page import ExtractedPage

log = logging.getLogger(__name__)

REMOVED_STATUSES = (404, 410)


@dataclass(slots=True)
class _Outcome:
    name: str
    events: list[Event] = field(default_factory=list)
    error: str = ""


def ingest_page(
    deps: IngestDeps, page: ArticlePage, extracted: ExtractedPage | str | None = None
) -> PageResult:
    """Store what fetching ``page.target`` gave; never raises for a bad page (it is counted).

    ``extracted``: what :func:`read_text` gave for the page, when it was read beforehand (off
    the fetching loop); without it the page is read here when it needs to be."""
    target, now = page.target, deps.clock()
    try:
        with deps.sessions.begin() as session:
            outcome = _process(session, deps, page, now, extracted)
            ids = add_events(
                session, outcome.events, deps.channels_for, now, deps.repeat_channels_for
            )
    except Exception as exc:
        log.exception("%s: %s: could not store the article page", target.source_id, target.url)
        outcome, ids = _Outcome("error", error=f"{target.source_id}: {target.url}: {exc}"), []
    if outcome.error:
        log.warning("%s", outcome.error)
    return PageResult(
        target.article_id, target.source_id, target.url, target.purpose, outcome.name,
        len(ids), outcome.error,
    )  # fmt: skip


def _process(
    session: Session,
    deps: IngestDeps,
    page: ArticlePage,
    now: datetime,
    extracted: ExtractedPage | str | None = None,
) -> _Outcome:
    row = session.get(ArticleRow, page.target.article_id)
    if row is None:
        return _Outcome("error", error=f"{page.target.url}: article no longer stored")
    previous = captures.latest_capture(session, row.id)
    if page.error:
        captures.mark_checked(session, row.id, now)
        return _Outcome("error", error=page.error)
    if page.status == 304 and previous is not None:  # a re-check's validators still hold
        captures.mark_checked(session, row.id, now)
        return _Outcome("same")
    if page.status in REMOVED_STATUSES and previous is not None:
        return _removed(session, deps, row, page, f"HTTP {page.status}", now)
    if not has_text(page):
        captures.mark_checked(session, row.id, now)
        return _Outcome("error", error=_named(page, f"HTTP {page.status}"))
    if extracted is None:
        extracted = read_text(page)
    if isinstance(extracted, str):
        captures.mark_checked(session, row.id, now)
        return _Outcome("error", error=extracted)
    if previous is None:
        return _first(session, deps, row, page, extracted, now)
    return _recheck(session, deps, row, previous, page, extracted, now)


def _named(page: ArticlePage, problem: str) -> str:
    return f"{page.target.source_id}: {page.target.url}: {problem}"


def has_text(page: ArticlePage) -> bool:
    """Whether ingesting ``page`` reads its text: a 2xx answer (an error or a 404 is stored
    without reading it)."""
    return not page.error and page.status is not None and 200 <= page.status < 300


def read_text(page: ArticlePage) -> ExtractedPage | str:
    """The page's text and fields, or why it cannot be read (naming the source and the URL)."""
    from pipeline.parse.page import extract_page

    try:
        return extract_page(page.body, page.final_url, content_type=page.header("Content-Type"))
    except CasewatchError as exc:
        return _named(page, str(exc))


def _first(
    session: Session,
    deps: IngestDeps,
    row: ArticleRow,
    page: ArticlePage,
    found: ExtractedPage,
    now: datetime,
) -> _Outcome:
    """The page read for the first time: text onto the article, match again, keep evidence."""
    _fill(row, found, now)
    _reindex(session, row)
    article = as_article(row)
    matches = deps.matcher.match({"title": row.title, "summary": row.summary, "text": row.text})
    new = save_matches(session, row.id, matches, now, check_existing=True)
    cases = captures.matched_cases(session, row.id)
    if not cases:  # no case claims it: the watches read the full text
        item = Upserted(Change.NEW, row.id, article)
        return _Outcome("read", watch_unclaimed(session, deps, [item], now))
    captures.add_capture(
        session, page, kind="first", title=found.title or "", text=found.text, now=now
    )
    story = store_story(session, row.id, row.summary + "\n" + row.text, row.language, now)
    repeats = _repeats(session, story, row.id, [m.case for m in new])
    events = article_events(Change.NEW, row.id, article, new, deps.case_titles(), repeats)
    if new:
        from pipeline.ingest.hearings import announce_hearings

        events += announce_hearings(session, deps, row.id, article, [m.case for m in new], now)
    return _Outcome("captured", events)


def _fill(row: ArticleRow, found: ExtractedPage, now: datetime) -> None:
    """The page's fields where the feed gave none; its text always (the feed's is a teaser)."""
    if found.text.strip():
        row.text = found.text
    row.title = row.title or clip(found.title or "", TITLE_MAX)
    row.author = row.author or clip(found.author or "", NAME_MAX)
    row.language = row.language or (found.language or "")
    row.published_at = row.published_at or found.published
    row.modified_at = found.modified or row.modified_at
    row.full_text_at = row.checked_at = now


def _reindex(session: Session, row: ArticleRow) -> None:
    """Search finds what the page says, not only the feed's teaser."""
    session.flush()
    index_articles(session, [row.id])


def _repeats(
    session: Session, story: int, article_id: int, cases: list[str]
) -> dict[str, dict[str, Any]]:
    found = {c: story_first_alert(session, story, c, article_id) for c in cases}
    return {c: info for c, info in found.items() if info}


def _recheck(
    session: Session,
    deps: IngestDeps,
    row: ArticleRow,
    previous: CaptureRow,
    page: ArticlePage,
    found: ExtractedPage,
    now: datetime,
) -> _Outcome:
    title, text = found.title or "", found.text
    seen = verdict(previous.title, previous.text, title, text)
    if seen == "same":
        captures.mark_checked(session, row.id, now)
        return _Outcome("same")
    if seen == "gone":
        reason = f"the page no longer holds the article (title now {title!r})"
        return _removed(session, deps, row, page, reason, now, title=title, text=text)
    events = record_change(session, deps, row, previous, page, title, text, found.modified, now)
    return _Outcome("changed", events)


def record_change(
    session: Session,
    deps: IngestDeps,
    row: ArticleRow,
    previous: CaptureRow,
    page: ArticlePage,
    title: str,
    text: str,
    modified: datetime | None,
    now: datetime,
) -> list[Event]:
    """An edit of a matched article: ``page`` kept as a ``changed`` capture, the article's text
    replaced, and ``article.changed`` (with the diff from ``previous``) for its cases."""
    capture = captures.add_capture(session, page, kind="changed", title=title, text=text, now=now)
    diff = text_diff(
        previous.title, previous.text, title, text,
        old_label=f"{previous.fetched_at.isoformat()} sha256:{previous.sha256[:12]}",
        new_label=f"{now.isoformat()} sha256:{capture.sha256[:12]}",
    )  # fmt: skip
    facts = {
        **_facts(row, previous), "diff": diff, "old_title": previous.title,
        "new_title": title, "sha256": capture.sha256, "fetched_at": now.isoformat(),
    }  # fmt: skip
    row.text, row.modified_at = text, modified or now
    _reindex(session, row)
    captures.mark_checked(session, row.id, now)
    cases = captures.matched_cases(session, row.id)
    key = capture.text_sha256[:16]
    return article_changed_events(row.id, cases, deps.case_titles(), facts, key)


def _removed(
    session: Session,
    deps: IngestDeps,
    row: ArticleRow,
    page: ArticlePage,
    reason: str,
    now: datetime,
    *,
    title: str = "",
    text: str = "",
) -> _Outcome:
    events = record_removal(session, deps, row, page, reason, now, title=title, text=text)
    return _Outcome("removed", events)


def record_removal(
    session: Session,
    deps: IngestDeps,
    row: ArticleRow,
    page: ArticlePage,
    reason: str,
    now: datetime,
    *,
    title: str = "",
    text: str = "",
) -> list[Event]:
    """A matched article gone: ``page`` (what shows it gone) kept as a ``removed`` capture, the
    article marked removed, and ``article.removed`` (with ``reason``) for its cases."""
    previous = captures.latest_capture(session, row.id)
    capture = captures.add_capture(session, page, kind="removed", title=title, text=text, now=now)
    captures.mark_checked(session, row.id, now, removed=True)
    facts = {
        **_facts(row, previous), "reason": reason, "status": page.status,
        "final_url": page.final_url, "sha256": capture.sha256, "fetched_at": now.isoformat(),
    }  # fmt: skip
    cases = captures.matched_cases(session, row.id)
    key = previous.sha256[:16] if previous else "never-captured"
    return article_removed_events(row.id, cases, deps.case_titles(), facts, key)


def _facts(row: ArticleRow, previous: CaptureRow | None) -> dict[str, Any]:
    return {
        "title": row.title,
        "url": row.canonical_url,
        "source": row.source_id,
        "publisher": row.publisher,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "first_captured_at": previous.fetched_at.isoformat() if previous else None,
        "previous_sha256": previous.sha256 if previous else None,
    }


def as_article(row: ArticleRow) -> Article:
    return Article(
        source_id=row.source_id,
        url=row.url,
        canonical_url=row.canonical_url,
        title=row.title,
        summary=row.summary,
        text=row.text,
        language=row.language,
        published_at=row.published_at,
        author=row.author,
        content_hash=row.content_hash,
        title_key=row.title_key,
        publisher=row.publisher,
    )
