"""Scores of candidate articles for a parsed query, in Python: the same on every database.

BM25's term-frequency part (saturation k1, length normalisation b) over the stored keys, the
title weighted TITLE_WEIGHT times the body. No IDF: it would need a pass over every article
containing each word (tens of milliseconds for a common word in a million articles), and among
articles that all contain all the query's words it changes little.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.match.keys import Alt

TITLE_WEIGHT = 3.0
K1 = 1.2
B = 0.75


def _saturated(tf: int, length: int, average: float) -> float:
    if not tf:
        return 0.0
    norm = 1 - B + B * (length / average if average else 1.0)
    return tf * (K1 + 1) / (tf + K1 * norm)


def _padded(keys: str) -> str:
    """Keys with two spaces around each, so ``str.count`` finds every occurrence."""
    return "  " + keys.replace(" ", "  ") + "  "


def _frequencies(padded: str, words: Sequence[Sequence[Alt]]) -> list[int]:
    """How often each query word occurs (str.count runs in C: no loop over the keys)."""
    return [
        sum(padded.count(f" {a.key}" if a.prefix else f" {a.key} ") for a in alts) for alts in words
    ]


def scores(docs: Sequence[tuple[str, str]], words: Sequence[Sequence[Alt]]) -> list[float]:
    """One score per (title keys, body keys) document; ``words``: each query word's forms."""
    if not docs:
        return []
    lengths = [(t.count(" ") + 1 if t else 0, b.count(" ") + 1 if b else 0) for t, b in docs]
    avg_title = sum(t for t, _ in lengths) / len(docs)
    avg_body = sum(b for _, b in lengths) / len(docs)
    out = []
    for (title, body), (title_len, body_len) in zip(docs, lengths, strict=True):
        total = sum(
            TITLE_WEIGHT * _saturated(tf, title_len, avg_title)
            for tf in _frequencies(_padded(title), words)
        )
        total += sum(
            _saturated(tf, body_len, avg_body) for tf in _frequencies(_padded(body), words)
        )
        out.append(round(total, 6))
    return out
