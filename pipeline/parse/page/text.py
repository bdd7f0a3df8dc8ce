"""Main text: trafilatura over the parsed tree, its output as paragraphs, the lead paragraph."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import trafilatura
from lxml import etree

from pipeline.normalize.text import collapse

log = logging.getLogger(__name__)

SHORT_TEXT = 200
"""Below this many characters the fast extraction is retried with trafilatura's fallbacks."""
DATE_PARAMS = {"extensive_search": False, "original_date": True}
_MIN_FIRST_PARAGRAPH = 25
_TITLE_TAIL = 40
"""A block that is the title plus at most this much (a date, a byline) is the title block."""


def run_trafilatura(tree: etree._Element, url: str, *, need_metadata: bool) -> Any:
    """trafilatura over the parsed tree (it works on a copy); None when it finds no text.

    The fast pass runs first; a short result is retried with trafilatura's fallback
    extractors (without metadata, already read). Date search stays on the page's markup:
    htmldate's extensive search runs dateparser over every text node and costs more than the
    rest of the extraction together."""
    options: dict[str, Any] = {"url": url, "include_comments": False, "include_tables": True,
                               "date_extraction_params": DATE_PARAMS}  # fmt: skip
    try:
        document = trafilatura.bare_extraction(
            tree, fast=True, with_metadata=need_metadata, **options
        )
        if document is None or len(document.text or "") < SHORT_TEXT:
            fuller = trafilatura.bare_extraction(tree, fast=False, **options)
            document = _with_text_of(document, fuller)
    except Exception:  # a third-party parser on hostile markup: a page without text, not a crash
        log.exception("%s: trafilatura failed", url)
        return None
    return document


def _with_text_of(document: Any, fuller: Any) -> Any:
    """The fast pass's metadata with the fuller pass's text, when that found more."""
    if fuller is None or len(fuller.text or "") <= len(getattr(document, "text", None) or ""):
        return document
    if document is not None:
        fuller.title, fuller.author, fuller.date = document.title, document.author, document.date
    return fuller


_CONTAINERS = frozenset({"table", "row", "cell", "div", "body"})
"""trafilatura output elements that hold blocks rather than text (a layout table's cells)."""


def body_paragraphs(body: etree._Element) -> Iterable[str]:
    """trafilatura's output tree → one string per block (list items on their own lines)."""
    for mark in body.iter("lb"):
        mark.tail = "\n" + (mark.tail or "")
    yield from _blocks(body)


def _blocks(element: etree._Element) -> Iterable[str]:
    for block in element:
        if block.tag in _CONTAINERS and len(block) and not (block.text or "").strip():
            yield from _blocks(block)
            continue
        if block.tag == "list":
            lines = (_inline_text(item) for item in block.iter("item"))
            text = "\n".join(line for line in lines if line)
        else:
            text = _inline_text(block)
        if text:
            yield text


def _inline_text(element: etree._Element) -> str:
    lines = (collapse(line) for line in "".join(element.itertext()).split("\n"))
    return "\n".join(line for line in lines if line)


def without_title(paragraphs: list[str], titles: Iterable[str]) -> list[str]:
    """Drop leading blocks that repeat a title (alone, or glued to a date or byline line)."""
    kept = [p.strip() for p in paragraphs if p.strip()]
    keys = {collapse(t).casefold() for t in titles} - {""}
    while kept and _repeats_title(collapse(kept[0]).casefold(), keys):
        kept.pop(0)
    return kept


def _repeats_title(block: str, keys: set[str]) -> bool:
    return any(
        block == key or (block.startswith(key) and len(block) - len(key) <= _TITLE_TAIL)
        for key in keys
    )


def first_paragraph(paragraphs: list[str]) -> str | None:
    """The first paragraph long enough to be a lead (not a byline, date or caption line)."""
    for paragraph in paragraphs:
        if len(paragraph) >= _MIN_FIRST_PARAGRAPH:
            return paragraph
    return paragraphs[0] if paragraphs else None
