"""A channel read (``kind: telegram``) → its posts' edits and deletions, in the fetch's
transaction.

The spider reads a channel's recent posts again at every run, so the read itself — not an
evidence re-check — shows a post edited or deleted:

* **edited**: a matched post (it has a capture) whose title or text differs from its last
  capture (a counter or re-flowed whitespace is no edit: ``evidence.compare.verdict``) gets a
  ``changed`` capture of the page it was read on and ``article.changed`` with the diff — as
  a re-checked article page does (:func:`~pipeline.ingest.pages.record_change`).
* **deleted**: a stored post, not marked removed yet, whose id lies in the range the read
  covered completely (``FetchReport.posts``: its oldest post up to the channel's newest) and
  that no page showed, is marked removed; a matched one gets a ``removed`` capture of the
  page where it would have been and ``article.removed``. Once: a post marked removed is not
  looked at again. Telegram's ids have gaps (service lines, posts deleted before casewatch
  saw them): only posts casewatch stored count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from pipeline.evidence.compare import verdict
from pipeline.ingest.deps import IngestDeps
from pipeline.ingest.pages import record_change, record_removal
from pipeline.items import ArticlePage, ArticleTarget, FetchReport, PostRange
from pipeline.parse.telegram import post_number
from pipeline.records import Article, Event
from pipeline.store import captures, posts
from pipeline.store.models import ArticleRow


def channel_events(
    session: Session,
    deps: IngestDeps,
    report: FetchReport,
    articles: Sequence[Article],
    pages: Mapping[str, ArticlePage],
    now: datetime,
) -> list[Event]:
    """The edits and deletions a successful channel read shows (``pages``: canonical URL →
    the page each post was read on)."""
    if report.posts is None or not report.ok or report.not_modified:
        return []
    return [
        *_edits(session, deps, articles, pages, now),
        *_removals(session, deps, report.source_id, report.posts, pages, now),
    ]


def _edits(
    session: Session,
    deps: IngestDeps,
    articles: Sequence[Article],
    pages: Mapping[str, ArticlePage],
    now: datetime,
) -> list[Event]:
    read = {a.canonical_url: a for a in articles if a.canonical_url in pages}
    events: list[Event] = []
    for row, previous in posts.captured(session, list(read)):
        post = read[row.canonical_url]
        if verdict(previous.title, previous.text, post.title, post.text) == "same":
            continue
        page = _as_evidence(pages[row.canonical_url], row)
        events += record_change(
            session, deps, row, previous, page, post.title, post.text, None, now
        )
    return events


def _removals(
    session: Session,
    deps: IngestDeps,
    source_id: str,
    covered: PostRange,
    pages: Mapping[str, ArticlePage],
    now: datetime,
) -> list[Event]:
    seen = set(covered.seen)
    by_number = {n: page for url, page in pages.items() if (n := post_number(url)) is not None}
    events: list[Event] = []
    for article_id, url in posts.present(session, source_id):
        number = post_number(url)
        if number is None or number < covered.lowest or number in seen:
            continue
        row = session.get(ArticleRow, article_id)
        page = _where_it_was(by_number, number)
        if row is None or page is None or not captures.matched_cases(session, article_id):
            captures.mark_checked(session, article_id, now, removed=True)
            continue
        reason = (
            f"post #{number} is no longer in the channel: its preview, read from "
            f"#{covered.lowest} to the newest post, does not show it"
        )
        events += record_removal(session, deps, row, _as_evidence(page, row), reason, now)
    return events


def _where_it_was(by_number: Mapping[int, ArticlePage], number: int) -> ArticlePage | None:
    """The page that lists the posts around ``number``: the one holding the nearest older
    post read (a page lists the posts before its oldest one's successor), else the nearest
    newer one."""
    older = [n for n in by_number if n < number]
    if older:
        return by_number[max(older)]
    newer = [n for n in by_number if n > number]
    return by_number[min(newer)] if newer else None


def _as_evidence(page: ArticlePage, row: ArticleRow) -> ArticlePage:
    return replace(page, target=ArticleTarget(row.id, row.url, row.source_id))
