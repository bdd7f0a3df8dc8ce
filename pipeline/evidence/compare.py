"""Pure: what a re-fetched page says about the article it held — same, changed, or gone."""

from __future__ import annotations

import difflib
import re

DIFF_LIMIT = 20_000
"""Characters of unified diff kept in an ``article.changed`` payload."""
GONE_BELOW = 0.3
"""Share of the old text's words still on the page under which the article is gone."""
_WORD_RE = re.compile(r"\w{4,}")
_SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+(?=[\"«(\[]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])")


_COUNTER_LINE_MAX = 60
"""A line this short that names a counter or a time is page furniture, not the article."""
_COUNTER_WORD_RE = re.compile(
    r"views?|просмотр\w*|прочитан\w*|показ(?:ов|ы)?|коммент\w*|comments?|hits|likes?|"
    r"shares?|reads?|көрілім\w*|қаралым\w*|оқылды|пікір\w*|обновлен\w*|updated|"
    r"изменен\w*|жаңартыл\w*|мин(?:ут\w*)?|minutes?|min|ago|назад|бұрын|сағат\w*|час\w*|hours?",
    re.IGNORECASE,
)
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_DIGITS_RE = re.compile(r"\d(?:[\d\s.,:/-]*\d)?")


def normalized(text: str) -> str:
    return " ".join(text.split())


def substance(text: str) -> str:
    """``text`` as compared for an edit: whitespace collapsed, and the numbers of counter and
    timestamp lines ("Views: 1 234", «Просмотров: 57», "Updated 5 min ago", «12:30») masked.

    Such a line is at most 60 characters and either has no letters at all or names a counter
    or a time. A number in any other line — a date, a sentence, a sum — still counts."""
    out = []
    for line in lines(text):
        if len(line) <= _COUNTER_LINE_MAX and _is_furniture(line):
            line = _DIGITS_RE.sub("#", line)
        out.append(line)
    return "\n".join(out)


def _is_furniture(line: str) -> bool:
    words = _LETTERS_RE.findall(line)
    return not words or any(_COUNTER_WORD_RE.fullmatch(word) for word in words)


def verdict(old_title: str, old_text: str, new_title: str, new_text: str) -> str:
    """``same`` | ``changed`` | ``gone``. Same: the title and :func:`substance` of the text are
    equal (a view counter or a re-flowed paragraph is no edit). Gone: the page no longer holds the article: its text is
    gone, or what is there now shares little with it under another title — a section page,
    a 'page not found' served with 200, a redirect to the home page)."""
    if substance(old_text) == substance(new_text) and normalized(old_title) == normalized(
        new_title
    ):
        return "same"
    if not new_text.strip():
        return "gone"
    if kept_share(old_text, new_text) < GONE_BELOW and normalized(old_title) != normalized(
        new_title
    ):
        return "gone"
    return "changed"


def kept_share(old: str, new: str) -> float:
    """Share of the old text's distinct words (4+ letters) that the new text still has."""
    before = {w.casefold() for w in _WORD_RE.findall(old)}
    if not before:
        return 1.0
    after = {w.casefold() for w in _WORD_RE.findall(new)}
    return len(before & after) / len(before)


def lines(text: str) -> list[str]:
    """One sentence per line, so the diff of an edited paragraph shows the sentence edited."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = normalized(paragraph)
        if paragraph:
            out += _SENTENCE_RE.split(paragraph)
    return out


def text_diff(
    old_title: str,
    old_text: str,
    new_title: str,
    new_text: str,
    *,
    old_label: str = "before",
    new_label: str = "after",
    limit: int = DIFF_LIMIT,
) -> str:
    """A unified diff of title and text, sentence by sentence (cut at ``limit`` characters)."""
    before = [f"# {normalized(old_title)}", *lines(old_text)]
    after = [f"# {normalized(new_title)}", *lines(new_text)]
    diff = "\n".join(difflib.unified_diff(before, after, old_label, new_label, n=1, lineterm=""))
    if len(diff) > limit:
        diff = diff[:limit].rsplit("\n", 1)[0] + "\n… (diff cut)"
    return diff
