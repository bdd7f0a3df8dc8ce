"""Stories of many articles at once, in memory (a backfill, ``bench/extract.py``).

The same rule as the store (``store.stories.store_story``): an article joins the story of its
earliest verified candidate, else starts one; candidates are the earlier articles sharing a
band key (each bucket offering its ``BUCKET_LIMIT`` most recent), the ``MAX_CANDIDATES``
sharing the most bands. Everything but the final walk is array work: band keys of all
signatures are sorted once, equal neighbours give the candidate pairs, and every pair is
verified at once by comparing signatures.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from pipeline.match.stories import (
    ANCHOR_THRESHOLD,
    BANDS,
    BUCKET_LIMIT,
    MAX_CANDIDATES,
    NUM_PERM,
    TEXT_THRESHOLD,
    SignatureBatch,
    band_matrix,
    sign_batch,
)

BATCH = 2000
"""Texts signed together (bounds the memory of one signing step)."""
WINDOW = 2_000
"""Articles whose candidate pairs are counted together (bounds the memory of the pairs)."""
_MOST_SHARED = 2 * BANDS


def group_stories(texts: Sequence[tuple[str, str]]) -> list[int]:
    """For each (text, language), the index of the first text of its story."""
    return group_signed(sign_all(texts))


def sign_all(texts: Sequence[tuple[str, str]]) -> SignatureBatch:
    """Signatures of all texts, signed ``BATCH`` at a time into arrays allocated once."""
    n = len(texts)
    out = SignatureBatch(
        np.zeros((n, NUM_PERM), dtype=np.uint32), np.zeros((n, NUM_PERM), dtype=np.uint32),
        np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), tuple(lang for _, lang in texts),
    )  # fmt: skip
    for lo in range(0, n, BATCH):
        part = sign_batch(texts[lo : lo + BATCH])
        hi = lo + len(part.has_text)
        out.text[lo:hi], out.anchors[lo:hi] = part.text, part.anchors
        out.has_text[lo:hi], out.has_anchors[lo:hi] = part.has_text, part.has_anchors
    return out


def group_signed(batch: SignatureBatch) -> list[int]:
    n = len(batch.has_text)
    later, earlier = candidate_pairs(batch)
    ok = verified(batch, later, earlier)
    story = list(range(n))
    joined: set[int] = set()
    for i, j in zip(later[ok].tolist(), earlier[ok].tolist(), strict=True):
        if i not in joined:  # pairs are sorted by (i, j): the first is the earliest
            joined.add(i)
            story[i] = story[j]
    return story


def candidate_pairs(batch: SignatureBatch) -> tuple[np.ndarray, np.ndarray]:
    """(later, earlier) article indices of the candidate pairs, sorted by later then earlier."""
    keys, owners = _all_keys(batch)
    order = np.argsort(keys, kind="stable")  # ties keep article order
    keys, owners = keys[order], owners[order]
    start = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    size = np.diff(np.r_[start, len(keys)])
    ahead = np.minimum(np.arange(len(keys)) - np.repeat(start, size), BUCKET_LIMIT)
    n = len(batch.has_text)
    wanted = np.flatnonzero(ahead > 0)
    wanted = wanted[np.argsort(owners[wanted], kind="stable")]
    cuts = np.searchsorted(owners[wanted], np.arange(0, n + WINDOW, WINDOW))
    found = [_window_pairs(owners, ahead, wanted[lo:hi], n) for lo, hi in pairwise(cuts)]
    return _concat_pairs(found)


def _window_pairs(
    owners: np.ndarray, ahead: np.ndarray, positions: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """The best candidates of the articles owning the keys at ``positions`` (a window of
    articles, so the pairs of all articles are never in memory at once)."""
    counts = ahead[positions]
    later_pos = np.repeat(positions, counts)
    back = np.arange(len(later_pos)) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    pair = np.sort(owners[later_pos] * n + owners[later_pos - back])
    del later_pos, back
    first = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]]) if len(pair) else pair
    shared = np.diff(np.r_[first, len(pair)])
    later, earlier = np.divmod(pair[first], n)
    ranked = np.sort(later * (_MOST_SHARED + 1) * n + (_MOST_SHARED - shared) * n + earlier)
    later, earlier = ranked // ((_MOST_SHARED + 1) * n), ranked % n
    kept = _rank_within(later) < MAX_CANDIDATES
    return later[kept], earlier[kept]


def _concat_pairs(found: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    later = np.concatenate([f[0] for f in found]) if found else np.empty(0, np.int64)
    earlier = np.concatenate([f[1] for f in found]) if found else np.empty(0, np.int64)
    by_pair = np.lexsort((earlier, later))
    return later[by_pair], earlier[by_pair]


def _all_keys(batch: SignatureBatch) -> tuple[np.ndarray, np.ndarray]:
    """Every band key with the index of its article (text bands of signed texts, anchor
    bands of those with anchors)."""
    text_ids = np.flatnonzero(batch.has_text)
    anchor_ids = np.flatnonzero(batch.has_anchors)
    text_keys = band_matrix(batch.text[text_ids], 0)
    anchor_keys = band_matrix(batch.anchors[anchor_ids], 1)
    keys = np.concatenate([text_keys.ravel(), anchor_keys.ravel()])
    owners = np.concatenate(
        [np.repeat(text_ids, text_keys.shape[1]), np.repeat(anchor_ids, anchor_keys.shape[1])]
    )
    by_owner = np.argsort(owners, kind="stable")
    return keys[by_owner], owners[by_owner]


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2… within each run of equal values of a sorted array."""
    index = np.arange(len(groups))
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    return index - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))


def verified(batch: SignatureBatch, later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """Per pair, :func:`pipeline.match.stories.same_story` of the later against the earlier."""
    text_same = _agreement(batch.text, later, earlier) >= TEXT_THRESHOLD * NUM_PERM
    languages = np.array((*batch.languages, ""), dtype=object)
    other_language = (languages[later] != "") & (languages[later] != languages[earlier])
    both = batch.has_anchors[later] & batch.has_anchors[earlier] & other_language
    anchor_same = np.zeros(len(later), dtype=bool)
    anchor_same[both] = (
        _agreement(batch.anchors, later[both], earlier[both]) >= ANCHOR_THRESHOLD * NUM_PERM
    )
    return text_same | anchor_same


def _agreement(sigs: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """Equal positions of signature rows a[k] and b[k], in chunks (bounded memory)."""
    out = np.empty(len(a), dtype=np.int64)
    for lo in range(0, len(a), chunk):
        hi = lo + chunk
        out[lo:hi] = np.count_nonzero(sigs[a[lo:hi]] == sigs[b[lo:hi]], axis=1)
    return out
