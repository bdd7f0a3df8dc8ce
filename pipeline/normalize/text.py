"""Text as printed → plain text, and the keys that tell one story from another.

``strip_html`` keeps paragraph breaks (blank line between blocks, newline for ``<br>``) so
excerpts in alerts stay readable; ``content_hash`` tells an edited article from a re-sighting;
``title_key`` lets the store see that a Google News item and the publisher's own feed entry are
the same story.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

import lxml.html
from lxml import etree
from w3lib.html import remove_tags

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg")
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "main",
        "nav",
        "blockquote",
        "pre",
        "figure",
        "figcaption",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tr",
        "hr",
        "address",
        "details",
        "summary",
    ]
)
_PARAGRAPH = "\u2029"
_LINE = "\u2028"
_BLANK_LINES_RE = re.compile(r"\n[^\S\n]*\n\s*")
_TAG_HINT_RE = re.compile(r"<[A-Za-z!/]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters a feed may carry (NUL among them); PostgreSQL text cannot hold NUL."""
_HIDDEN_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
"""Controls (C0, DEL, C1) and the invisible characters that reorder or hide text — bidi
embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069, ALM, LRM/RLM), zero-width
space/joiners, word joiner, BOM. In a title they make a terminal, page or email show other
text than is stored, and inside a word they hide it from keywords. Russian, Kazakh and English
text needs none of them (ZWNJ/ZWJ shape Persian or Indic scripts and emoji sequences, which
casewatch does not monitor), so they are dropped at ingest."""
TITLE_MAX = 500
SUMMARY_MAX = 4000
NAME_MAX = 200
"""Longest title, summary and author/publisher stored; longer ones are cut with an ellipsis."""
_SIMPLE_TAGS = "p|br|a|b|i|u|em|strong|span|div|small|sup|sub|font|img"
_COMPLEX_RE = re.compile(rf"<(?!/?(?:{_SIMPLE_TAGS})\b)[A-Za-z!/?]|<[^>]*<", re.IGNORECASE)
"""Any other tag, a comment or a doctype, or a broken tag: leave those to lxml."""
_SIMPLE_BLOCK_RE = re.compile(r"</?(?:p|div)\b[^>]*>", re.IGNORECASE)
_SIMPLE_BREAK_RE = re.compile(r"<br\b[^>]*>", re.IGNORECASE)
_ANY_TAG_RE = re.compile(r"<[^>]*>")
_SUFFIX_DASHES = (" - ", " — ", " – ", " | ")
_KEY_DROP_RE = re.compile(r"[\"'«»“”„‘’`´.,:;!?()\[\]{}…*#]+")


def strip_html(markup: str) -> str:
    """Plain text of an HTML fragment: entities unescaped, whitespace collapsed, blocks kept.

    Text without tags keeps its own line breaks (a blank line separates paragraphs).
    """
    markup = _CONTROL_RE.sub("", markup) if markup else ""
    if not markup.strip():
        return ""
    if not _TAG_HINT_RE.search(markup):
        plain = html.unescape(markup).replace("\r\n", "\n").replace("\r", "\n")
        if _TAG_HINT_RE.search(plain):  # escaped HTML, as some feeds double-escape
            return strip_html(plain)
        return _tidy(_BLANK_LINES_RE.sub(_PARAGRAPH, plain).replace("\n", _LINE))
    if not _COMPLEX_RE.search(markup):
        return _strip_simple(markup)
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(html.unescape(remove_tags(markup)))
    for element in list(root.iter(*_DROP_TAGS)):
        element.drop_tree()
    for element in root.iter():
        _mark_breaks(element)
    return _tidy(html.unescape(root.text_content()))


def _strip_simple(markup: str) -> str:
    """Feed summaries are mostly ``<p>``, ``<br>``, ``<a>`` and inline tags: a regex pass
    gives the same text as the lxml walk at a fraction of its cost."""
    marked = _SIMPLE_BREAK_RE.sub(_LINE, _SIMPLE_BLOCK_RE.sub(_PARAGRAPH, markup))
    return _tidy(html.unescape(_ANY_TAG_RE.sub("", marked)))


def _mark_breaks(element: etree._Element) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "br":
        element.tail = _LINE + (element.tail or "")
    elif tag in _BLOCK_TAGS:
        element.text = _PARAGRAPH + (element.text or "")
        element.tail = _PARAGRAPH + (element.tail or "")


def _tidy(text: str) -> str:
    """Whitespace runs → one space; a line mark → newline; paragraphs → one blank line.
    (:func:`collapse` of each line, with the hidden characters dropped once for all.)"""
    text = _HIDDEN_RE.sub("", text)
    paragraphs = []
    for block in text.split(_PARAGRAPH):
        lines = (" ".join(line.split()) for line in block.split(_LINE))
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


def collapse(text: str) -> str:
    """All whitespace runs → one space (for titles and one-line fields); control and invisible
    characters (``_HIDDEN_RE``) dropped."""
    text = _HIDDEN_RE.sub("", text)
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    """``text`` when it fits ``limit`` characters; else cut to fit with an ellipsis, at a
    space when there is one in the last fifth."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 4 // 5:
        cut = cut[:space]
    return cut.rstrip() + "…"


def content_hash(*parts: str) -> str:
    """sha256 over the whitespace-collapsed parts (title, summary, text): edits change it,
    re-wrapping or re-indenting does not."""
    joined = "\x1f".join(collapse(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def strip_publisher_suffix(title: str, publisher: str) -> str:
    """``"Суд вынес приговор - Vlast.kz"`` with publisher ``Vlast.kz`` → ``"Суд вынес приговор"``."""
    title, publisher = collapse(title), collapse(publisher)
    if not publisher:
        return title
    for dash in _SUFFIX_DASHES:
        suffix = f"{dash}{publisher}"
        if title.casefold().endswith(suffix.casefold()) and len(title) > len(suffix):
            return title[: -len(suffix)].rstrip()
    return title


def normalized_title(title: str, publisher: str = "") -> str:
    """Case-folded, NFKC, ё→е, quotes and punctuation dropped, publisher suffix removed."""
    text = unicodedata.normalize("NFKC", strip_publisher_suffix(title, publisher)).casefold()
    text = text.replace("ё", "е")
    return collapse(_KEY_DROP_RE.sub(" ", text))


def title_key(title: str, publisher: str = "") -> str:
    """sha256 hex of :func:`normalized_title`; equal for a story and its aggregator copy."""
    return hashlib.sha256(normalized_title(title, publisher).encode("utf-8")).hexdigest()
