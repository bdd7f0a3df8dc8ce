"""The publisher's own copy of an article first stored under an aggregator link takes over.

A Google News item whose redirect link cannot be decoded is stored under the Google link; the
publisher's own feed entry for it (same title, another source) arrives later or earlier,
depending on which fetch of a run finishes first. Whichever comes first, the result is the one
the publisher's copy alone gives: the store keeps the article under the publisher's link
(``store.articles.upsert_articles``: CHANGED, ``replaced``), and an ``article.new`` made from
the aggregator copy that no channel has sent, tried or claimed yet is rewritten to carry the
publisher's title, link and source (``store.events.rewrite_unsent``) — still one alert per
case and channel. An alert already sent (or on its way) is left as it was: nothing is sent
twice, and the article is not alerted again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from pipeline.events.articles import moved_alert
from pipeline.events.kinds import ARTICLE_NEW
from pipeline.records import Match
from pipeline.store.articles import Upserted
from pipeline.store.events import rewrite_unsent
from pipeline.store.matches import reread_article_matches

log = logging.getLogger(__name__)


def take_over(session: Session, item: Upserted, matches: Sequence[Match]) -> list[int]:
    """Move the unsent alerts about ``item``'s article onto it (``item.replaced`` names the
    aggregator link it replaced); ``matches``: what the publisher's copy matches (the stored
    matches take its reasons). Returns the ids of the events rewritten."""
    by_case = {m.case: m for m in matches}
    reread_article_matches(session, item.article_id, matches)

    def rewrite(case: str | None, payload: dict[str, Any]) -> tuple[dict[str, Any], str]:
        return moved_alert(case, payload, item.article, by_case)

    moved = rewrite_unsent(session, item.article_id, ARTICLE_NEW.name, rewrite)
    log.info(
        "%s: %s replaces the aggregator link %s (article %d); %d unsent alert(s) moved to it",
        item.article.source_id, item.article.canonical_url, item.replaced, item.article_id,
        len(moved),
    )  # fmt: skip
    return moved
