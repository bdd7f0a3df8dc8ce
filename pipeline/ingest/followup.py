"""What follows from a matched article in an ingest batch: its story, and its full page.

* **story**: the article is grouped with other outlets' copies (``store.stories.store_story``);
  for a case whose story was alerted already (earlier in the batch, or stored), its events
  name the new outlet instead of repeating the story (``Route.per``).
* **full page**: the pages ``pipeline.ingest.fulltext`` chose are added to the running crawl
  (``pipeline.fetch.pipeline``); their responses come back to the item pipeline as ``ArticlePage`` items. An item a spider read
  from the article page itself (``site``) carries that page: a matched one keeps it as its
  first capture, and it is never fetched again for its text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pipeline.items import ArticlePage, ArticleTarget
from pipeline.records import Change, Event, HearingChange
from pipeline.store import captures
from pipeline.store.articles import Upserted
from pipeline.store.stories import (
    Alerted,
    store_stories,
    story_alerts,
    story_info,
)


@dataclass(slots=True)
class Tally:
    """Counts and events of one source's batch, for its summary line."""

    new: int = 0
    changed: int = 0
    matched: int = 0
    skipped: int = 0
    unreadable: list[str] = field(default_factory=list)
    """Schedule rows that did not become hearings, each with why (row and field)."""
    unreadable_tracked: list[str] = field(default_factory=list)
    """Those of them whose text names a case being followed: a warning on the source."""
    events: list[Event] = field(default_factory=list)
    full_text: list[ArticleTarget] = field(default_factory=list)
    story_alerts: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    """(story, case) → the story's alert made in this batch, for later copies in it."""
    unclaimed: list[Upserted | HearingChange] = field(default_factory=list)
    """New or changed articles and hearings no case claims: for the watches (candidates)."""


@dataclass(frozen=True, slots=True)
class BatchStories:
    """The stories of a batch's newly matched articles, grouped together in batch order
    (``store.stories.store_stories``), and the alerts stored before the batch about them."""

    story: dict[int, int]
    """Article id → its story."""
    before: dict[int, int | None]
    """Article id → its story before this batch."""
    order: dict[int, int]
    """Article id → its turn in the batch."""
    alerts: list[Alerted]

    @classmethod
    def group(
        cls, session: Session, items: Sequence[tuple[Upserted, Sequence[str]]], now: datetime
    ) -> BatchStories:
        """Group ``items`` (each with the cases it newly matches) into stories."""
        ids = [item.article_id for item, _ in items]
        texts = [(i.article_id, f"{i.article.summary}\n{i.article.text}", i.article.language)
                 for i, _ in items]  # fmt: skip
        new = {i.article_id for i, _ in items if i.change is Change.NEW}
        grouped = store_stories(session, texts, now, new=new)
        story = {i: now_in for i, (now_in, _) in zip(ids, grouped, strict=True)}
        before = {i: was for i, (_, was) in zip(ids, grouped, strict=True)}
        cases = {case for _, cs in items for case in cs}
        # A new article alone in a story of its own has no stored alert to find
        alone = all(i in new and story[i] == i for i in ids)
        alerts = (
            story_alerts(session, set(story.values()), cases, ids) if cases and not alone else []
        )
        return cls(story, before, {i: n for n, i in enumerate(ids)}, alerts)

    def first_alert(self, article_id: int, case: str) -> dict[str, Any] | None:
        """The first stored ``article.new`` for ``case`` about another article of the
        article's story, as it was when the article's turn came (``store.stories.story_first_alert``
        one article at a time): an article later in the batch was still in its old story."""
        turn, story = self.order[article_id], self.story[article_id]
        for _, other, other_story, alerted_case, payload, created in self.alerts:
            if alerted_case != case or other == article_id or other is None:
                continue
            later = self.order.get(other, -1) > turn
            if (self.before.get(other) if later else other_story) == story:
                return story_info(story, payload, created.isoformat())
        return None


def story_repeats(
    stories: BatchStories, item: Upserted, cases: Sequence[str], tally: Tally
) -> tuple[int, dict[str, dict[str, Any]]]:
    """The article's story and, per case, that story's alert from another article (earlier
    in this batch, or stored)."""
    story = stories.story[item.article_id]
    found: dict[str, dict[str, Any]] = {}
    for case in cases:
        info = tally.story_alerts.get((story, case)) or stories.first_alert(item.article_id, case)
        if info:
            found[case] = info
    return story, found


def note_story_alerts(tally: Tally, story: int, events: Sequence[Event], now: datetime) -> None:
    """Remember the story's first alert per case, for later copies in the same batch."""
    for event in events:
        if event.case and not event.payload.get("story_repeat"):
            info = story_info(story, event.payload, now.isoformat())
            tally.story_alerts.setdefault((story, event.case), info)


def capture_page(session: Session, item: Upserted, page: ArticlePage, now: datetime) -> None:
    """Keep the page the spider read a matched article from as its first capture (once)."""
    if captures.latest_capture(session, item.article_id) is not None:
        return
    article = item.article
    target = ArticleTarget(item.article_id, article.url, article.source_id)
    captures.add_capture(
        session, replace(page, target=target), kind="first", title=article.title,
        text=article.text, now=now,
    )  # fmt: skip
    captures.mark_checked(session, item.article_id, now, full_text_at=now)
