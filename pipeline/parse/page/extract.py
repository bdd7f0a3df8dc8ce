"""One saved or fetched article page → :class:`ExtractedPage` (title, dates, author, language, text).

The page is decoded (:mod:`pipeline.parse.page.decode`) and parsed once with lxml; that tree
serves every step. Fields come from what the page says about itself first — JSON-LD, meta
tags, ``<time>``, ``<h1>`` (:mod:`pipeline.parse.page.metadata`) — and only then from
trafilatura (main text, and title/date/author when the page declares none) and htmldate.
Config selectors, when given, override everything for their field.

Dates go through :func:`pipeline.normalize.dates.parse_date`; a time printed without a zone is
local time in ``tz`` (default: Asia/Almaty for a ``.kz`` host, else UTC).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from cssselect import SelectorError
from lxml import etree
from parsel.csstranslator import HTMLTranslator

from pipeline.errors import ExtractError
from pipeline.normalize.dates import DEFAULT_LANGUAGES, parse_date
from pipeline.normalize.language import detect, normalize_hint
from pipeline.normalize.text import collapse, strip_html, strip_publisher_suffix
from pipeline.parse.page.decode import check_html, decode_html
from pipeline.parse.page.metadata import PageFacts, read_facts
from pipeline.parse.page.text import (
    DATE_PARAMS,
    body_paragraphs,
    first_paragraph,
    run_trafilatura,
    without_title,
)

log = logging.getLogger(__name__)

SELECTOR_FIELDS = ("title", "published", "author", "text")
"""Fields a config selector may set (``title_selector``, ``date_selector``, …)."""
ZONE_BY_SUFFIX = ((".kz", "Asia/Almaty"), (".kg", "Asia/Bishkek"), (".uz", "Asia/Tashkent"))
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_TITLE_SPLIT_RE = re.compile(r"\s+[|—–-]\s+")
_MIN_YEAR = 1990


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    url: str
    canonical_url: str | None
    title: str | None
    author: str | None
    published: datetime | None
    """Aware UTC."""
    modified: datetime | None
    """Aware UTC."""
    language: str | None
    """``ru`` | ``kk`` | ``en`` | another ISO 639-1 code."""
    text: str
    """Main text, paragraphs separated by a blank line."""
    first_paragraph: str | None
    sources: Mapping[str, str]
    """Which method gave each field: ``json-ld``, ``meta``, ``itemprop``, ``time``, ``h1``,
    ``title-tag``, ``selector``, ``trafilatura``, ``htmldate``, ``html-lang``, ``detected``."""


def extract_page(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    tz: str | None = None,
    selectors: Mapping[str, str] | None = None,
) -> ExtractedPage:
    """Read one article page; raise :class:`ExtractError` naming ``url`` for a non-HTML body.

    ``selectors`` maps a field of :data:`SELECTOR_FIELDS` to a CSS selector that overrides it.
    """
    check_html(body, url, content_type)
    text, _codec = decode_html(body, content_type)
    tree = parse_html(text, url)
    zone = tz or default_zone(url)
    sources: dict[str, str] = {}
    chosen = _selected(tree, selectors or {}, url)
    facts = read_facts(tree)
    title = _title(chosen, facts, sources)
    published = _date("published", chosen, facts, zone, sources)
    document = (
        None  # a source's own text selector found the text: trafilatura would add nothing read
        if chosen.get("text") and title and published
        else run_trafilatura(tree, url, need_metadata=not (title and published))
    )
    title, published = _fill_from_document(document, title, published, zone, sources)
    if published is None:
        published = _htmldate(tree, zone, sources)
    paragraphs = _paragraphs(chosen, document, facts, title, sources)
    language = _language(title, paragraphs, facts, sources)
    return ExtractedPage(
        url=url,
        canonical_url=_canonical(facts, url, sources),
        title=title,
        author=_author(chosen, facts, document, sources),
        published=published,
        modified=_date("modified", {}, facts, zone, sources),
        language=language,
        text="\n\n".join(paragraphs),
        first_paragraph=first_paragraph(paragraphs),
        sources=MappingProxyType(sources),
    )


_PARSER = lxml.html.HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True
)
"""trafilatura's own parser settings: comments never hold article text and only cost time."""


def parse_html(text: str, url: str) -> etree._Element:
    try:
        return lxml.html.document_fromstring(
            _XML_DECLARATION_RE.sub("", text, count=1), parser=_PARSER
        )
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"{url}: cannot parse HTML ({exc})") from exc


def default_zone(url: str) -> str:
    """The zone of a dateless-zone time on this host: Kazakh sites print Almaty time."""
    host = (urlsplit(url).hostname or "").lower()
    return next((zone for suffix, zone in ZONE_BY_SUFFIX if host.endswith(suffix)), "UTC")


# ---------------------------------------------------------------- selectors


@lru_cache(maxsize=256)
def compile_selector(css: str) -> etree.XPath:
    """A compiled CSS selector (parsel's dialect: ``::attr(name)`` and ``::text`` select
    strings); raises ``ValueError`` naming it when it is not valid CSS."""
    try:
        return etree.XPath(HTMLTranslator().css_to_xpath(css))
    except (SelectorError, SyntaxError, etree.XPathError) as exc:
        raise ValueError(f"selector {css!r} is not valid CSS: {exc}") from exc


def _selected(tree: etree._Element, selectors: Mapping[str, str], url: str) -> dict[str, str]:
    """Field → text found by its selector (a date prefers ``datetime``/``content``)."""
    found: dict[str, str] = {}
    for name, css in selectors.items():
        if not css or name not in SELECTOR_FIELDS:
            continue
        try:
            elements = compile_selector(css)(tree)
        except ValueError as exc:
            raise ExtractError(f"{url}: {name} {exc}") from exc
        if not elements:
            log.info("%s: %s selector %r matched nothing", url, name, css)
            continue
        found[name] = _selected_text(name, elements)
    return {k: v for k, v in found.items() if v}


def _selected_text(name: str, elements: list[Any]) -> str:
    if not isinstance(elements[0], etree._Element):
        strings = (collapse(str(value)) for value in elements)
        return ("\n\n" if name == "text" else " ").join(s for s in strings if s)
    if name == "text":
        parts = (lxml.html.tostring(e, encoding="unicode") for e in elements)
        return "\n\n".join(p for p in (strip_html(part) for part in parts) if p)
    first = elements[0]
    if name == "published":
        return collapse(first.get("datetime") or first.get("content") or first.text_content())
    return collapse(first.text_content())


# ---------------------------------------------------------------- fields


def _title(chosen: Mapping[str, str], facts: PageFacts, sources: dict[str, str]) -> str | None:
    if chosen.get("title"):
        sources["title"] = "selector"
        return chosen["title"]
    site = next((v for v, _ in facts.get("site_name")), "")
    for value, method in facts.get("title"):
        title = clean_title(value, site, method)
        if title:
            sources["title"] = method
            return title
    return None


def clean_title(value: str, site: str, method: str) -> str:
    """The title without its site name: the known `` - Site`` suffix, else (for a ``<title>``
    tag or a meta title) a short first or last `` | ``-separated segment."""
    title = strip_publisher_suffix(value, site) if site else collapse(value)
    if method not in ("title-tag", "meta") or title != collapse(value):
        return title
    parts = _TITLE_SPLIT_RE.split(title)
    if len(parts) < 2:
        return title
    limit = 0.4 if method == "title-tag" else 0.2
    if len(parts[-1]) <= limit * len(title):
        return collapse(title[: title.rindex(parts[-1])]).rstrip("|—–- ")
    if len(parts[0]) <= limit * len(title):
        return collapse(title[len(parts[0]) :]).lstrip("|—–- ")
    return title


def _date(
    name: str,
    chosen: Mapping[str, str],
    facts: PageFacts,
    zone: str,
    sources: dict[str, str],
) -> datetime | None:
    candidates: list[tuple[str, str]] = []
    if chosen.get(name):
        candidates.append((chosen[name], "selector"))
    candidates += facts.get(name)
    languages = _date_languages(facts)
    for value, method in candidates:
        found = plausible(parse_date(value, tz=zone, languages=languages))
        if found is not None:
            sources[name] = method
            return found
    return None


def plausible(value: datetime | None) -> datetime | None:
    return value if value is not None and value.year >= _MIN_YEAR else None


def _date_languages(facts: PageFacts) -> tuple[str, ...]:
    hint = next((normalize_hint(v) for v, _ in facts.get("language") if normalize_hint(v)), "")
    return tuple(dict.fromkeys(c for c in (hint, *DEFAULT_LANGUAGES) if c))


def _author(
    chosen: Mapping[str, str], facts: PageFacts, document: Any, sources: dict[str, str]
) -> str | None:
    candidates = [(chosen.get("author", ""), "selector"), *facts.get("author")]
    candidates.append((collapse(getattr(document, "author", None) or ""), "trafilatura"))
    for value, method in candidates:
        if value:
            sources["author"] = method
            return value
    return None


def _canonical(facts: PageFacts, url: str, sources: dict[str, str]) -> str | None:
    for value, method in facts.get("canonical"):
        absolute = urljoin(url, value.strip())
        if urlsplit(absolute).scheme in ("http", "https"):
            sources["canonical_url"] = method
            return absolute
    return None


def _language(
    title: str | None, paragraphs: list[str], facts: PageFacts, sources: dict[str, str]
) -> str | None:
    hint = next((normalize_hint(v) for v, _ in facts.get("language") if normalize_hint(v)), "")
    sample = "\n".join([title or "", *paragraphs[:4]])
    language = detect(sample, hint) if sample.strip() else hint
    if language:
        sources["language"] = "detected"
    return language or None


# ---------------------------------------------------------------- text


def _fill_from_document(
    document: Any, title: str | None, published: datetime | None, zone: str, sources: dict[str, str]
) -> tuple[str | None, datetime | None]:
    if document is None:
        return title, published
    if not title and document.title:
        title = collapse(document.title)
        sources["title"] = "trafilatura"
    if published is None and document.date:
        published = plausible(parse_date(document.date, tz=zone))
        if published is not None:
            sources["published"] = "trafilatura"
    return title, published


def _htmldate(tree: etree._Element, zone: str, sources: dict[str, str]) -> datetime | None:
    from htmldate import find_date

    try:
        found = find_date(tree, **DATE_PARAMS)
    except Exception:  # a heuristic over hostile markup: no date, not a crash
        log.debug("htmldate failed", exc_info=True)
        return None
    published = plausible(parse_date(found, tz=zone)) if found else None
    if published is not None:
        sources["published"] = "htmldate"
    return published


def _paragraphs(
    chosen: Mapping[str, str],
    document: Any,
    facts: PageFacts,
    title: str | None,
    sources: dict[str, str],
) -> list[str]:
    titles = [title or "", *(value for value, _ in facts.get("title"))]
    if chosen.get("text"):
        sources["text"] = "selector"
        return without_title(chosen["text"].split("\n\n"), titles)
    if document is not None and document.body is not None:
        found = without_title(list(body_paragraphs(document.body)), titles)
        if found:
            sources["text"] = "trafilatura"
            return found
    if facts.article_body:
        sources["text"] = "json-ld"
        return without_title(strip_html(facts.article_body).split("\n\n"), titles)
    return []
