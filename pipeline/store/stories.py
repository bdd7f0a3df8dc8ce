"""Stories in the store: an article joins the story of a recent near-duplicate, and a story
remembers its first alert per case. Each function takes a session and never commits.

``pipeline.match.stories`` (and numpy with it) is imported when an article is first grouped,
not with the store: a run that matches nothing never loads it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

if TYPE_CHECKING:
    from pipeline.match.stories import Signature

from pipeline.events.kinds import ARTICLE_NEW
from pipeline.store.chunks import CHUNK, chunks
from pipeline.store.models import ArticleRow, EventRow, StoryBandRow

STORY_WINDOW = timedelta(days=30)
"""Only articles first seen this recently are candidates for the same story."""

GOOGLE_NEWS = "https://news.google.com/%"


StoryInput = tuple[int, str, str]
"""(article id, text, language) of an article to group."""


def store_story(session: Session, article_id: int, text: str, language: str, now: datetime) -> int:
    """Group the article with a recent near-duplicate (``pipeline.match.stories``); its story id."""
    return store_stories(session, [(article_id, text, language)], now)[0][0]


Grouped = tuple[int, int | None]
"""(the article's story, the story it was in before: None when it had none)."""


def store_stories(
    session: Session, items: Sequence[StoryInput], now: datetime, *, new: Collection[int] = ()
) -> list[Grouped]:
    """:func:`store_story` for each article in turn, with a handful of statements for all:
    the texts are signed together, the stored band keys of all are read at once, and each
    article then sees the stored ones and those before it in ``items``, as one at a time.
    ``new``: articles inserted in this transaction (never grouped: nothing to read of them).

    An article joins the story of the first verified candidate, by id, among the
    ``MAX_CANDIDATES`` recent articles sharing the most band keys with it; else it keeps a
    story of its own (its current one, else itself). Its band keys replace its old ones."""
    if not items:
        return []
    from pipeline.match.stories import batch_band_keys, sign_batch  # numpy, when first needed

    batch = sign_batch([(text, language) for _, text, language in items])
    keys = batch_band_keys(batch)
    ids = [article_id for article_id, _, _ in items]
    bands = _bands(session, {k for ks in keys for k in ks}, now - STORY_WINDOW)
    known = [i for i in ids if i not in new]
    own = {i: _Story(None, None, lang, now) for i, _, lang in items if i in new}
    own.update(_Story.read(session, known) if known else {})
    picked = _candidates(ids, keys, bands, own, now - STORY_WINDOW)
    others = sorted({c for cs in picked for c in cs} - set(ids))
    state = {**(_Story.read(session, others) if others else {}), **own}
    stories = []
    for n, article_id in enumerate(ids):
        sig, me = batch.get(n), state[article_id]
        found = _verified(sig, picked[n], state) if sig is not None else None
        current = me.story
        story = found or (
            current if current and (sig is None or current != article_id) else article_id
        )
        state[article_id] = _Story(
            story, sig.to_bytes() if sig else me.sig, me.language, me.first_seen
        )
        stories.append(story)
    signed_before = any(own[i].sig for i in ids)
    _write(session, ids, keys, [batch.get(n) for n in range(len(ids))], stories, signed_before)
    return [(story, own[i].story) for story, i in zip(stories, ids, strict=True)]


@dataclass(frozen=True, slots=True)
class _Story:
    """What grouping reads of an article: its story, signature, language, first sighting."""

    story: int | None
    sig: bytes | None
    language: str
    first_seen: datetime

    @classmethod
    def read(cls, session: Session, ids: Sequence[int]) -> dict[int, _Story]:
        out: dict[int, _Story] = {}
        for chunk in chunks(ids):
            rows = session.execute(
                select(
                    ArticleRow.id,
                    ArticleRow.story_id,
                    ArticleRow.story_sig,
                    ArticleRow.language,
                    ArticleRow.first_seen_at,
                ).where(ArticleRow.id.in_(chunk))
            )
            out.update({i: cls(story, sig, lang or "", seen) for i, story, sig, lang, seen in rows})
        return out


def _bands(session: Session, keys: set[int], since: datetime) -> dict[int, set[int]]:
    """Band key → the articles first seen since ``since`` that have it, as stored now."""
    out: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(sorted(keys)):
        rows = session.execute(
            select(StoryBandRow.band, StoryBandRow.article_id)
            .join(ArticleRow, ArticleRow.id == StoryBandRow.article_id)
            .where(StoryBandRow.band.in_(chunk), ArticleRow.first_seen_at >= since)
        )
        for band, article_id in rows:
            out[band].add(article_id)
    return out


def _candidates(
    ids: Sequence[int],
    keys: Sequence[Sequence[int]],
    bands: dict[int, set[int]],
    own: dict[int, _Story],
    since: datetime,
) -> list[list[int]]:
    """Per article, the ids of its candidates in the order they are verified: the
    ``MAX_CANDIDATES`` sharing the most band keys (ties: lower id first), by id. The band
    index changes as it goes: an article with a signature drops its old keys and adds its new
    ones before the next article looks."""
    from pipeline.match.stories import MAX_CANDIDATES

    held: dict[int, set[int]] = defaultdict(set)
    for band, holders in bands.items():
        for holder in holders:
            held[holder].add(band)
    out: list[list[int]] = []
    for article_id, mine in zip(ids, keys, strict=True):
        if not mine:
            out.append([])
            continue
        for band in held.pop(article_id, ()):
            bands[band].discard(article_id)
        shared = Counter(other for k in set(mine) for other in bands.get(k, ()))
        best = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CANDIDATES]
        out.append(sorted(other for other, _ in best))
        if own[article_id].first_seen >= since:
            for k in mine:
                bands.setdefault(k, set()).add(article_id)
            held[article_id].update(mine)
    return out


def _verified(sig: Signature, candidates: Sequence[int], state: dict[int, _Story]) -> int | None:
    from pipeline.match.stories import Signature, same_story

    for other_id in candidates:
        other = state.get(other_id)
        if other and other.sig and same_story(sig, Signature.from_bytes(other.sig, other.language)):
            return other.story or other_id
    return None


def _write(
    session: Session,
    ids: Sequence[int],
    keys: Sequence[Sequence[int]],
    sigs: Sequence[Signature | None],
    stories: Sequence[int],
    signed_before: bool,
) -> None:
    """The articles' stories, signatures and band keys (which replace their old ones); an
    article listed twice ends as its last turn left it. ``signed_before``: some had a
    signature (so band keys) already; an article never signed has no keys to drop."""
    last = {i: (ks, sig, story) for i, ks, sig, story in zip(ids, keys, sigs, stories, strict=True)}
    signed = [i for i, (_, sig, _) in last.items() if sig is not None] if signed_before else []
    for chunk in chunks(signed):
        session.execute(delete(StoryBandRow).where(StoryBandRow.article_id.in_(chunk)))
    bands = [{"band": k, "article_id": i} for i, (ks, _, _) in last.items() for k in set(ks)]
    if bands:
        session.execute(insert(StoryBandRow.__table__), bands)
    table = ArticleRow.__table__
    for with_sig in (True, False):
        rows = [
            {"b_id": i, "b_story": story, **({"b_sig": sig.to_bytes()} if sig else {})}
            for i, (_, sig, story) in last.items()
            if (sig is not None) is with_sig
        ]
        values: dict[str, Any] = {"story_id": bindparam("b_story")}
        if with_sig:
            values["story_sig"] = bindparam("b_sig")
        if rows:
            session.connection().execute(
                update(table).where(table.c.id == bindparam("b_id")).values(values), rows
            )
    for article_id in last:  # a loaded row must not keep the story it had
        loaded = session.identity_map.get(identity_key(ArticleRow, article_id))
        if loaded is not None:
            session.expire(loaded, ["story_id", "story_sig"])


def story_first_alert(
    session: Session, story_id: int, case: str, article_id: int
) -> dict[str, Any] | None:
    """The first ``article.new`` for ``case`` about another article of the story, if any."""
    found = session.execute(
        select(EventRow.payload, EventRow.created_at)
        .join(ArticleRow, EventRow.article_id == ArticleRow.id)
        .where(
            EventRow.kind == ARTICLE_NEW.name,
            EventRow.case_slug == case,
            ArticleRow.story_id == story_id,
            ArticleRow.id != article_id,
        )
        .order_by(EventRow.id)
        .limit(1)
    ).first()
    if found is None:
        return None
    payload, created = found
    return story_info(story_id, payload, created.isoformat())


Alerted = tuple[int, int, int | None, str, dict[str, Any], datetime]
"""(event id, its article, that article's story, case, payload, created at)."""


def story_alerts(
    session: Session, stories: Collection[int], cases: Collection[str], articles: Collection[int]
) -> list[Alerted]:
    """The ``article.new`` events for ``cases`` about an article of ``stories`` or one of
    ``articles`` (whatever its story), oldest first: what :func:`story_first_alert` reads,
    for a batch of articles at once."""
    base = (
        select(
            EventRow.id,
            EventRow.article_id,
            ArticleRow.story_id,
            EventRow.case_slug,
            EventRow.payload,
            EventRow.created_at,
        )
        .join(ArticleRow, EventRow.article_id == ArticleRow.id)
        .where(EventRow.kind == ARTICLE_NEW.name, EventRow.case_slug.in_(sorted(cases)))
    )
    if len(stories) + len(articles) <= CHUNK:  # one query, as in a feed's batch
        story_in, id_in = ArticleRow.story_id.in_(sorted(stories)), ArticleRow.id.in_(articles)
        wanted = [or_(story_in, id_in)]
    else:
        wanted = [
            column.in_(chunk)
            for column, values in ((ArticleRow.story_id, stories), (ArticleRow.id, articles))
            for chunk in chunks(sorted(values))
        ]
    found: dict[int, Alerted] = {}
    for where in wanted:
        rows = session.execute(base.where(where))
        found.update((row[0], tuple(row)) for row in rows)  # type: ignore[misc]
    return [found[i] for i in sorted(found)]


def story_info(story_id: int, payload: dict[str, Any], alerted_at: str) -> dict[str, Any]:
    return {
        "id": story_id,
        "title": payload.get("title", ""),
        "url": payload.get("url", ""),
        "publisher": payload.get("publisher", ""),
        "alerted_at": alerted_at,
    }
