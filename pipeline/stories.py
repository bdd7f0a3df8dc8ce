"""One story, many outlets: near-duplicate grouping of articles by MinHash LSH.

Why MinHash/LSH rather than SimHash: the copies to catch are reprints with a
changed lead, a dropped paragraph or an added photo caption — a set overlap (Jaccard of word
3-shingles) measures that directly, and banding gives candidate look-ups that cost one indexed
``IN`` query per article in the store (``story_band``) and a dict look-up in memory, so 100k
articles group in well under a minute (``bench/extract.py``).

Two signatures per article, 64 permutations each, banded 16 × 4 (a pair is a candidate from
about Jaccard 0.5):

* **text**: word 3-shingles of the folded text (same language, same wording). A candidate is
  the same story when the estimated Jaccard is at least ``TEXT_THRESHOLD``.
* **anchors**: the names and numbers of the text, in a Latin skeleton (Батырбаев, Batyrbayev
  and Батырбаеву share ``batyr``), so an article in Kazakh and one in Russian that carry the
  same names, dates and figures without translation group too. Because reports of different
  hearings of one trial share many names, this needs much more: other languages only, at
  least ``MIN_ANCHORS`` anchors each with numbers among them, and Jaccard ≥ ``ANCHOR_THRESHOLD``.

Texts shorter than ``MIN_WORDS`` words get no signature: a headline is what the title dedupe in
``store.repo`` is for. Only the first ``MAX_WORDS`` words count (a copy reprints the lead).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipeline.normalize.terms import clean_text, fold, skeleton, words

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3
MIN_WORDS = 40
MAX_WORDS = 250
TEXT_THRESHOLD = 0.5
ANCHOR_THRESHOLD = 0.7
MIN_ANCHORS = 8
ANCHOR_STEM = 5
_DIGITS_RE = re.compile(r"\d{2,}")
_CAPITAL_RE = re.compile(r"\b[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][^\W\d_]{3,}")
_SENTENCE_END = '.!?…:»"“”'
_SEED = 20260301
MAX_CANDIDATES = 10
"""Candidates verified per article: those sharing the most bands (a trial's names are in
many articles; checking them all would make grouping quadratic)."""
BUCKET_LIMIT = 50
"""In memory, a band bucket keeps its most recent articles only."""


@dataclass(frozen=True, slots=True)
class Signature:
    text: np.ndarray
    """uint32[NUM_PERM]: MinHash of the word shingles."""
    anchors: np.ndarray | None
    """uint32[NUM_PERM] of the names and numbers, or None when there are too few."""
    language: str = ""

    def to_bytes(self) -> bytes:
        parts = [self.text] + ([self.anchors] if self.anchors is not None else [])
        return np.concatenate(parts).astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, language: str = "") -> Signature:
        values = np.frombuffer(data, dtype="<u4").astype(np.uint32)
        anchors = values[NUM_PERM:] if len(values) == 2 * NUM_PERM else None
        return cls(values[:NUM_PERM], anchors, language)


_RNG = np.random.default_rng(_SEED)
_A = _RNG.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_MIX = (np.uint64(0x9E3779B185EBCA87), np.uint64(0xC2B2AE3D27D4EB4F))
_SHIFT = np.uint64(32)
_EMPTY = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)


def minhash(hashes: np.ndarray) -> np.ndarray:
    """uint32[NUM_PERM]: the minimum of each of NUM_PERM multiply-shift hashes
    ``(a·x + b) mod 2⁶⁴ >> 32`` (a universal family) over 32-bit token hashes."""
    if not len(hashes):
        return _EMPTY.copy()
    with np.errstate(over="ignore"):
        mixed = (hashes.astype(np.uint64)[:, None] * _A + _B) >> _SHIFT
    return mixed.min(axis=0).astype(np.uint32)


@lru_cache(maxsize=300_000)
def _word_hash(word: str) -> int:
    return zlib.crc32(fold(word).encode())


def shingle_hashes(surfaces: Sequence[str]) -> np.ndarray:
    """32-bit hashes of the word 3-shingles (folded words; stable across processes)."""
    w = np.array(list(map(_word_hash, surfaces)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = w[:-2] * _MIX[0] + w[1:-1] * _MIX[1] + w[2:]
    return np.unique(mixed & np.uint64(0xFFFFFFFF))


def anchors(text: str) -> set[bytes]:
    """Numbers and capitalised words (names, places, institutions) as Latin stems; a
    capitalised word that opens a sentence is only a sentence start."""
    found = {b"#" + n.lstrip("0").encode() for n in _DIGITS_RE.findall(text)}
    for match in _CAPITAL_RE.finditer(text):
        before = text[max(0, match.start() - 4) : match.start()].rstrip()
        if before and before[-1] not in _SENTENCE_END:
            found.add(skeleton(match.group())[:ANCHOR_STEM].encode())
    return found


def signature(text: str, language: str = "") -> Signature | None:
    """The article's signature, or None when its text is too short to tell copies apart."""
    surfaces = words(clean_text(text))[:MAX_WORDS]
    if len(surfaces) < MIN_WORDS:
        return None
    names = anchors(text[: len(text) if len(surfaces) < MAX_WORDS else _lead_chars(text)])
    has_numbers = any(a.startswith(b"#") for a in names)
    anchor_sig = None
    if len(names) >= MIN_ANCHORS and has_numbers:
        anchor_sig = minhash(np.fromiter(map(zlib.crc32, names), dtype=np.uint64))
    return Signature(minhash(shingle_hashes(surfaces)), anchor_sig, language)


def _lead_chars(text: str) -> int:
    """Offset of the end of the first MAX_WORDS words (anchors come from the same lead)."""
    for count, match in enumerate(re.finditer(r"\S+", text), start=1):
        if count >= MAX_WORDS:
            return match.end()
    return len(text)


def band_keys(sig: Signature) -> list[int]:
    """Signed 64-bit LSH band keys (text bands, then anchor bands), for the store's index."""
    keys = [_band(b"t", i, sig.text) for i in range(BANDS)]
    if sig.anchors is not None:
        keys += [_band(b"a", i, sig.anchors) for i in range(BANDS)]
    return keys


def _band(kind: bytes, index: int, values: np.ndarray) -> int:
    chunk = values[index * ROWS : (index + 1) * ROWS].astype("<u4").tobytes()
    digest = hashlib.blake2b(kind + bytes([index]) + chunk, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard of two signatures' text shingles."""
    return float(np.count_nonzero(a.text == b.text)) / NUM_PERM


def same_story(a: Signature, b: Signature) -> bool:
    if similarity(a, b) >= TEXT_THRESHOLD:
        return True
    if a.anchors is None or b.anchors is None or not a.language or a.language == b.language:
        return False
    return float(np.count_nonzero(a.anchors == b.anchors)) / NUM_PERM >= ANCHOR_THRESHOLD


def group_stories(texts: Sequence[tuple[str, str]]) -> list[int]:
    """In memory: for each (text, language), the index of the first text of its story.

    The same rule as the store (``store_story``), over a dict of band buckets: each text joins
    the story of its earliest verified candidate, else starts one.
    """
    buckets: dict[int, list[int]] = {}
    sigs: list[Signature | None] = []
    story: list[int] = []
    for i, (text, language) in enumerate(texts):
        sig = signature(text, language)
        sigs.append(sig)
        story.append(i)
        if sig is None:
            continue
        keys = band_keys(sig)
        shared = Counter(j for k in keys for j in buckets.get(k, ()))
        best = sorted(shared, key=lambda j: (-shared[j], j))[:MAX_CANDIDATES]
        for j in sorted(best):
            other = sigs[j]
            if other is not None and same_story(sig, other):
                story[i] = story[j]
                break
        for k in keys:
            bucket = buckets.setdefault(k, [])
            bucket.append(i)
            if len(bucket) > BUCKET_LIMIT:
                del bucket[: len(bucket) - BUCKET_LIMIT]
    return story
