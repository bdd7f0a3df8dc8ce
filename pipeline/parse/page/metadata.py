"""What a page says about itself: JSON-LD, meta tags, ``<time>``, ``<h1>`` — as printed.

Each finder returns ``(value, method)`` pairs in order of trust; :mod:`pipeline.parse.page.extract`
takes the first usable one per field and records the method in ``ExtractedPage.sources``.
Nothing here parses dates or decides languages: values stay strings.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree

from pipeline.normalize.text import collapse

log = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
     "OpinionNewsArticle", "BackgroundNewsArticle", "Report", "ScholarlyArticle", "LiveBlogPosting",
     "SocialMediaPosting", "TechArticle"}
)  # fmt: skip
PAGE_TYPES = frozenset({"WebPage", "ItemPage", "AboutPage"})
"""Second choice: some CMSs (Drupal, Bitrix) put the dates on the page object only."""

META_KEYS: Mapping[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "dc.title"),
    "published": (
        "article:published_time", "og:article:published_time", "datepublished", "pubdate",
        "publishdate", "publish_date", "publish-date", "dc.date.issued", "dc.date",
        "dcterms.created", "dcterms.issued", "parsely-pub-date", "sailthru.date", "date",
        "article.published", "mediator_published_time", "cxenseparse:recs:publishtime",
    ),
    "modified": (
        "article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
        "last-modified", "article.updated",
    ),
    "author": ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"),
    "canonical": ("og:url",),
    "site_name": ("og:site_name", "application-name"),
    "description": ("description", "og:description", "twitter:description"),
    "language": ("og:locale", "content-language", "dc.language", "inlanguage"),
}  # fmt: skip
_URL_RE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_DATE_CLASS_XPATH = etree.XPath(
    "//*[contains(@class, 'date') or contains(@class, 'time')]"
    "[not(ancestor::aside or ancestor::nav or ancestor::footer)]"
)
"""A date printed as text in an element whose class says so (``news-date-time``,
``breadcrumbs__item--date``): old CMSs have no other."""
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_MAX_DATE_CHARS = 60


@dataclass(frozen=True, slots=True)
class PageFacts:
    """Candidate values per field (best first), each with the method that found it."""

    candidates: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    article_body: str = ""
    """JSON-LD ``articleBody`` (a fallback for the main text)."""

    def add(self, name: str, value: Any, method: str) -> None:
        text = _as_text(value)
        if text:
            self.candidates.setdefault(name, []).append((text, method))

    def get(self, name: str) -> list[tuple[str, str]]:
        return self.candidates.get(name, [])


def read_facts(tree: etree._Element) -> PageFacts:
    """All candidates of one parsed page: JSON-LD, then meta tags, then markup."""
    facts = PageFacts()
    body = _json_ld(tree, facts)
    _meta(tree, facts)
    _markup(tree, facts)
    return replace(facts, article_body=body or "")


# ---------------------------------------------------------------- JSON-LD


def _json_ld(tree: etree._Element, facts: PageFacts) -> str | None:
    """Add the article object's fields to ``facts``; return its ``articleBody``."""
    objects = list(_ld_objects(tree))
    chosen = [o for o in objects if _types(o) & ARTICLE_TYPES] or [
        o for o in objects if _types(o) & PAGE_TYPES
    ]
    if not chosen:
        return None
    obj = chosen[0]
    method = "json-ld"
    facts.add("title", obj.get("headline") or obj.get("name"), method)
    facts.add("published", obj.get("datePublished") or obj.get("dateCreated"), method)
    facts.add("modified", obj.get("dateModified"), method)
    facts.add("author", _person(obj.get("author") or obj.get("creator")), method)
    facts.add("language", _person(obj.get("inLanguage")), method)
    facts.add("description", obj.get("description"), method)
    entity = obj.get("mainEntityOfPage")
    facts.add(
        "canonical",
        obj.get("url") or (entity.get("@id") if isinstance(entity, dict) else entity),
        method,
    )
    facts.add("site_name", _person(obj.get("publisher")), method)
    body = obj.get("articleBody")
    return body if isinstance(body, str) else None


def _ld_objects(tree: etree._Element) -> Iterator[dict[str, Any]]:
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        doc = _load_json(script.text)
        yield from _flatten(doc)


def _load_json(text: str) -> Any:
    text = _CONTROL_RE.sub(" ", text.strip().removesuffix(";"))
    for attempt in (text, _TRAILING_COMMA_RE.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    log.debug("unreadable JSON-LD block skipped")
    return None


def _flatten(doc: Any) -> Iterator[dict[str, Any]]:
    if isinstance(doc, list):
        for item in doc:
            yield from _flatten(item)
    elif isinstance(doc, dict):
        yield doc
        yield from _flatten(doc.get("@graph"))


def _types(obj: Mapping[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1] for k in kinds if k}


def _person(value: Any) -> str:
    """A name from a string, a Person/Organization object, or a list of them (joined)."""
    if isinstance(value, list):
        names = [_person(v) for v in value]
        return ", ".join(dict.fromkeys(n for n in names if n))
    if isinstance(value, dict):
        return _as_text(value.get("name") or value.get("alternateName"))
    return _as_text(value)


def _as_text(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return collapse(html.unescape(value)) if isinstance(value, str) else ""


# ---------------------------------------------------------------- meta tags and markup


def _meta(tree: etree._Element, facts: PageFacts) -> None:
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        key = (
            meta.get("property")
            or meta.get("name")
            or meta.get("itemprop")
            or meta.get("http-equiv")
        )
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content)
    for name, keys in META_KEYS.items():
        for key in keys:
            value = found.get(key)
            if value and not (name == "author" and _URL_RE.match(value.strip())):
                facts.add(name, value, "meta")


def _markup(tree: etree._Element, facts: PageFacts) -> None:
    for element in tree.iterfind(".//*[@itemprop]"):
        prop = (element.get("itemprop") or "").strip()
        if prop in ("datePublished", "dateModified") and element.tag != "meta":
            value = element.get("datetime") or element.get("content") or element.text_content()
            facts.add("published" if prop == "datePublished" else "modified", value, "itemprop")
    for element in tree.iterfind(".//link[@rel]"):
        if (element.get("rel") or "").lower() == "canonical":
            facts.add("canonical", element.get("href"), "link")
    times = tree.xpath("//article//time | //time")
    for element in times[:3]:
        facts.add("published", element.get("datetime") or element.text_content(), "time")
    for element in _DATE_CLASS_XPATH(tree)[:20]:
        text = collapse(element.text_content())
        if len(text) <= _MAX_DATE_CHARS and _YEAR_RE.search(text):
            facts.add("published", text, "date-class")
    for heading in tree.xpath("(//article//h1 | //h1)[1]"):
        facts.add("title", heading.text_content(), "h1")
    title = tree.find(".//title")
    if title is not None:
        facts.add("title", title.text_content(), "title-tag")
    facts.add(
        "language",
        tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        "html-lang",
    )
