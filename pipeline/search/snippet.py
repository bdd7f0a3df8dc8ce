"""A short passage of an article around the words a query found, those words marked. Pure.

The snippet is plain text (scraped, untrusted: escape it when rendering); the found words
sit between MARK_START and MARK_END, which ``segments`` splits out for a renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from pipeline.match.keys import Alt, alt_matches, index_key
from pipeline.match.terms import clean_text
from pipeline.match.words import INDEX_WORDS

MARK_START = "\u27e6"
MARK_END = "\u27e7"
WIDTH = 32
"""Words in a snippet."""
LEAD = 8
"""Words shown before the first hit."""

_WORD_RE = INDEX_WORDS.exact
_SPACE_RE = re.compile(r"\s+")


class Highlighter(dict[str, bool]):
    """Tells a query's words in a text; one per search. A dict that fills itself (word →
    is a hit), so the words of a snippet are looked up at C speed once seen."""

    def __init__(self, alts: Sequence[Alt]) -> None:
        super().__init__()
        self._alts = tuple(alts)

    def __missing__(self, word: str) -> bool:
        key = index_key(word)
        hit = self[word] = bool(key) and any(alt_matches(a, key) for a in self._alts)
        return hit

    __call__ = dict.__getitem__


def make_snippet(body: str, is_hit: Callable[[str], bool], width: int = WIDTH) -> str:
    """``width`` words of ``body`` from a little before its first hit, hits marked."""
    body = _SPACE_RE.sub(" ", clean_text(body).replace(MARK_START, "").replace(MARK_END, ""))
    found = list(_WORD_RE.finditer(body))
    if not found:
        return body.strip()[:300]
    flags = list(map(is_hit, map(re.Match.group, found)))
    first_hit = flags.index(True) if True in flags else 0
    first = max(0, first_hit - LEAD)
    last = min(len(found), first + width) - 1
    start = 0 if first == 0 else found[first].start()
    end = len(body) if last == len(found) - 1 else found[last].end()
    parts: list[str] = ["…" if start else ""]
    cursor = start
    for i in range(first, last + 1):
        if flags[i]:
            m = found[i]
            parts += [body[cursor : m.start()], MARK_START, m.group(), MARK_END]
            cursor = m.end()
    parts += [body[cursor:end], "" if end == len(body) else "…"]
    return "".join(parts).strip()


def segments(snippet: str) -> Iterator[tuple[str, bool]]:
    """(text, is a found word) pieces of a snippet, for rendering marks safely."""
    for i, piece in enumerate(re.split(f"[{MARK_START}{MARK_END}]", snippet)):
        if piece:
            yield piece, i % 2 == 1


def plain(snippet: str) -> str:
    """The snippet with its found words in [brackets] (a terminal or a CSV cell)."""
    return snippet.replace(MARK_START, "[").replace(MARK_END, "]")
