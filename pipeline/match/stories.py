"""One story, many outlets: near-duplicate grouping of articles by MinHash LSH.

Why MinHash/LSH rather than SimHash: the copies to catch are reprints with a
changed lead, a dropped paragraph or an added photo caption — a set overlap (Jaccard of word
3-shingles) measures that directly, and banding gives candidate look-ups that cost one indexed
``IN`` query per article in the store (``story_band``) and a sort in memory
(``pipeline.match.story_groups``), so 100k articles group in well under a minute (``bench/extract.py``).

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
``store.articles`` is for. Only the first ``MAX_WORDS`` words count (a copy reprints the lead).

Signatures are computed in batches (:func:`sign_batch`): the Python part is one pass over the
whitespace tokens with a per-token cache (a token's word hashes and anchors), the MinHash of
all documents' shingles is a few numpy calls over cache-sized chunks.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

from pipeline.match.terms import clean_text, fold, skeleton, words

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
"""A band bucket offers its most recent articles only."""
_CHUNK_ROWS = 8192
"""Shingles per numpy step of the MinHash (× 64 permutations × 8 bytes: 4 MB)."""
_TOKEN_CACHE_MAX = 500_000


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


@dataclass(frozen=True, slots=True)
class SignatureBatch:
    """The signatures of many texts as arrays (row i: text i)."""

    text: np.ndarray
    """uint32[n, NUM_PERM]; rows of texts too short are meaningless (``has_text`` False)."""
    anchors: np.ndarray
    """uint32[n, NUM_PERM]; meaningful where ``has_anchors``."""
    has_text: np.ndarray
    has_anchors: np.ndarray
    languages: tuple[str, ...]

    def get(self, i: int) -> Signature | None:
        if not self.has_text[i]:
            return None
        anchors = self.anchors[i].copy() if self.has_anchors[i] else None
        return Signature(self.text[i].copy(), anchors, self.languages[i])


_RNG = np.random.default_rng(_SEED)
_A = _RNG.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_MIX = (np.uint64(0x9E3779B185EBCA87), np.uint64(0xC2B2AE3D27D4EB4F))
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_BAND_SALT = _RNG.integers(1, 2**63, size=(2, BANDS), dtype=np.uint64)
_BAND_MUL = (np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


# ---------------------------------------------------------------- tokens


class _TokenTable:
    """What each whitespace-separated token contributes, read once per distinct token and
    kept in arrays indexed by token id: its words' hashes (crc32 of the folded word), the
    anchor of a capitalised word opening it (kept unless a sentence starts there), the anchors
    inside it (numbers; capitalised words after a hyphen or a bracket), whether it holds a
    number and whether it ends a sentence."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self._rows: list[tuple[tuple[int, ...], int, tuple[int, ...], bool, bool]] = []
        self._arrays: dict[str, np.ndarray] = {}

    def ids_of(self, tokens: list[str]) -> np.ndarray:
        if len(self.ids) >= _TOKEN_CACHE_MAX:
            self.__init__()  # type: ignore[misc]
        try:
            found = itemgetter(*tokens)(self.ids) if tokens else ()
        except KeyError:
            for raw in set(tokens).difference(self.ids):
                self.ids[raw] = len(self._rows)
                self._rows.append(_read_token(raw))
            self._arrays = {}
            found = itemgetter(*tokens)(self.ids)
        if not self._arrays:
            self._arrays = self._build()
        return np.array(found if len(tokens) != 1 else (found,), dtype=np.int64)

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def _build(self) -> dict[str, np.ndarray]:
        rows = self._rows
        words = [w for r in rows for w in r[0]]
        anchors = [a for r in rows for a in r[2]]
        word_count = np.fromiter((len(r[0]) for r in rows), np.int64, len(rows))
        anchor_count = np.fromiter((len(r[2]) for r in rows), np.int64, len(rows))
        return {
            "words_count": word_count,
            "words_start": np.cumsum(word_count) - word_count,
            "words": np.array(words, dtype=np.uint64),
            "anchors_count": anchor_count,
            "anchors_start": np.cumsum(anchor_count) - anchor_count,
            "anchors": np.array(anchors, dtype=np.uint64),
            "lead": np.fromiter((r[1] for r in rows), np.int64, len(rows)),
            "has_number": np.fromiter((r[3] for r in rows), bool, len(rows)),
            "ends_sentence": np.fromiter((r[4] for r in rows), bool, len(rows)),
        }


def _read_token(raw: str) -> tuple[tuple[int, ...], int, tuple[int, ...], bool, bool]:
    hashes = tuple(zlib.crc32(fold(w).encode()) for w in words(raw))
    anchors = [zlib.crc32(b"#" + n.lstrip("0").encode()) for n in _DIGITS_RE.findall(raw)]
    has_number = bool(anchors)
    lead = -1
    for match in _CAPITAL_RE.finditer(raw):
        stem = zlib.crc32(skeleton(match.group())[:ANCHOR_STEM].encode())
        if match.start() == 0:
            lead = stem
        elif raw[match.start() - 1] not in _SENTENCE_END:
            anchors.append(stem)
    return hashes, lead, tuple(anchors), has_number, raw[-1] in _SENTENCE_END


_TOKENS = _TokenTable()


def _expand(
    table: _TokenTable, kind: str, ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``kind`` values (words or anchors) of the tokens ``ids`` in order; for each, the
    position of its token in ``ids`` and its index within the token."""
    counts = table[f"{kind}_count"][ids]
    owner = np.repeat(np.arange(len(ids)), counts)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    values = table[kind][table[f"{kind}_start"][ids][owner] + within]
    return values, owner, within


# ---------------------------------------------------------------- signatures


def sign_batch(texts: Sequence[tuple[str, str]]) -> SignatureBatch:
    """The signatures of (text, language) pairs, computed together."""
    n = len(texts)
    split = [clean_text(t).split(None, 2 * MAX_WORDS)[: 2 * MAX_WORDS] for t, _ in texts]
    ids = _TOKENS.ids_of([raw for tokens in split for raw in tokens])
    doc = np.repeat(np.arange(n), np.fromiter(map(len, split), np.int64, n))
    word_count = _TOKENS["words_count"][ids]
    doc_words = _per_doc_cumsum(word_count, doc)
    lead = doc_words - word_count < MAX_WORDS
    word_values, owner, within = _expand(_TOKENS, "words", ids)
    keep = doc_words[owner] - word_count[owner] + within < MAX_WORDS
    word_values, word_doc = word_values[keep], doc[owner[keep]]
    words_per_doc = np.bincount(word_doc, minlength=n)
    has_text = words_per_doc >= MIN_WORDS
    text_sig = np.zeros((n, NUM_PERM), dtype=np.uint32)
    signed = has_text[word_doc]
    text_sig[has_text] = minhash_runs(*_shingles(word_values[signed], words_per_doc[has_text]))
    anchor_sig, has_anchors = _anchor_signatures(ids, doc, lead, n)
    has_anchors &= has_text
    return SignatureBatch(
        text_sig, anchor_sig, has_text, has_anchors, tuple(lang for _, lang in texts)
    )


def _per_doc_cumsum(values: np.ndarray, doc: np.ndarray) -> np.ndarray:
    """Running sums of ``values`` restarting at each document (``doc`` sorted)."""
    total = np.cumsum(values)
    first = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]]) if len(doc) else doc
    base = (total - values)[first]
    return total - np.repeat(base, np.diff(np.r_[first, len(doc)]))


def _anchor_signatures(
    ids: np.ndarray, doc: np.ndarray, lead: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """The anchors MinHash of each document with enough distinct anchors and a number."""
    values, owner, _ = _expand(_TOKENS, "anchors", ids)
    inner_keep = lead[owner]
    starts_sentence = np.r_[True, _TOKENS["ends_sentence"][ids][:-1] | (doc[1:] != doc[:-1])]
    leads = _TOKENS["lead"][ids]
    lead_keep = lead & (leads >= 0) & ~starts_sentence
    pairs = np.concatenate(
        [
            doc[owner[inner_keep]].astype(np.uint64) << _SHIFT | values[inner_keep],
            doc[lead_keep].astype(np.uint64) << _SHIFT | leads[lead_keep].astype(np.uint64),
        ]
    )
    pairs = sorted_unique(pairs)
    anchor_doc = (pairs >> _SHIFT).astype(np.int64)
    counts = np.bincount(anchor_doc, minlength=n)
    numbers = np.bincount(doc[lead & _TOKENS["has_number"][ids]], minlength=n) > 0
    has_anchors = (counts >= MIN_ANCHORS) & numbers
    chosen = has_anchors[anchor_doc]
    sig = np.zeros((n, NUM_PERM), dtype=np.uint32)
    runs = counts[has_anchors]
    sig[has_anchors] = minhash_runs(pairs[chosen] & _LOW32, np.cumsum(runs) - runs)
    return sig, has_anchors


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting (its hash-based path is slow on large uint64 arrays)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def _shingles(w: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of the word 3-shingles of consecutive runs of word hashes ``w`` (each
    at least 3 long), and the start of each run's shingles."""
    if not len(lengths):
        return w, lengths
    with np.errstate(over="ignore"):
        mixed = (w[:-2] * _MIX[0] + w[1:-1] * _MIX[1] + w[2:]) & _LOW32
    ends = np.cumsum(lengths)
    keep = np.ones(len(mixed), dtype=bool)
    for back in (1, 2):  # a shingle starting in the last two words of a run spans two runs
        cut = ends - back
        keep[cut[cut < len(mixed)]] = False
    return mixed[keep], ends - lengths - 2 * np.arange(len(lengths))


def minhash_runs(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """uint32[len(starts), NUM_PERM]: per run of ``values`` (none empty), the minimum of each
    of NUM_PERM multiply-shift hashes ``(a·x + b) mod 2⁶⁴ >> 32`` (a universal family).

    Permutations × values, so each minimum is a reduction along contiguous memory."""
    out = np.empty((len(starts), NUM_PERM), dtype=np.uint32)
    bounds = np.append(starts, len(values))
    buf = np.empty((NUM_PERM, min(_CHUNK_ROWS, len(values))), dtype=np.uint64)
    first = 0
    while first < len(starts):
        reach = int(np.searchsorted(bounds, bounds[first] + _CHUNK_ROWS, "right")) - 1
        last = min(max(first + 1, reach), len(starts))
        lo, hi = int(bounds[first]), int(bounds[last])
        part = (
            buf[:, : hi - lo]
            if hi - lo <= _CHUNK_ROWS
            else np.empty((NUM_PERM, hi - lo), np.uint64)
        )
        with np.errstate(over="ignore"):
            np.multiply(_A[:, None], values[None, lo:hi], out=part)
            part += _B[:, None]
        part >>= _SHIFT
        out[first:last] = np.minimum.reduceat(part, bounds[first:last] - lo, axis=1).T
        first = last
    return out


def signature(text: str, language: str = "") -> Signature | None:
    """The article's signature, or None when its text is too short to tell copies apart."""
    return sign_batch([(text, language)]).get(0)


def band_matrix(sigs: np.ndarray, kind: int) -> np.ndarray:
    """int64[n, BANDS]: the LSH band keys of signature rows (``kind`` 0 text, 1 anchors); a
    stable 64-bit mix of each band's ROWS values, salted per band and kind."""
    rows = sigs.reshape(len(sigs), BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = np.broadcast_to(_BAND_SALT[kind], (len(sigs), BANDS)).copy()
        for r in range(ROWS):
            h ^= rows[:, :, r]
            h *= _BAND_MUL[0]
            h ^= h >> np.uint64(29)
        h *= _BAND_MUL[1]
        h ^= h >> _SHIFT
    return h.view(np.int64)


def band_keys(sig: Signature) -> list[int]:
    """Signed 64-bit LSH band keys (text bands, then anchor bands), for the store's index."""
    keys = band_matrix(sig.text[None, :], 0)[0].tolist()
    if sig.anchors is not None:
        keys += band_matrix(sig.anchors[None, :], 1)[0].tolist()
    return keys


def batch_band_keys(batch: SignatureBatch) -> list[list[int]]:
    """:func:`band_keys` of every signature of ``batch`` (empty for a text too short), in
    two array operations instead of two per text."""
    text = band_matrix(batch.text, 0).tolist()
    anchors = band_matrix(batch.anchors, 1).tolist()
    return [
        (text[i] + (anchors[i] if batch.has_anchors[i] else [])) if batch.has_text[i] else []
        for i in range(len(text))
    ]


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard of two signatures' text shingles."""
    return float(np.count_nonzero(a.text == b.text)) / NUM_PERM


def same_story(a: Signature, b: Signature) -> bool:
    if similarity(a, b) >= TEXT_THRESHOLD:
        return True
    if a.anchors is None or b.anchors is None or not a.language or a.language == b.language:
        return False
    return float(np.count_nonzero(a.anchors == b.anchors)) / NUM_PERM >= ANCHOR_THRESHOLD
