"""The fast path for feeds: feedparser-rs, only where it reads a body as feedparser does.

feedparser-rs parses the same bytes many times faster than feedparser, but it is not a drop-in
(issue 14): it reads an undeclared cp1251 body as U+FFFD and says utf-8, blanks links to
loopback and private hosts, resolves no relative link, gives the published date as ``updated``,
takes no response headers, and (seen on feedparser's samples and made-up variants) lets a
self-closed RSS element take the next element's text, keeps entity references in link
attributes, keeps a different one of two titles, ignores xml:lang in RSS. :func:`fast_feed`
takes it only where none of that can matter, and otherwise says why not, and
:mod:`pipeline.parse.feeds` reads the body with feedparser. Before parsing,
:mod:`pipeline.parse.feeds_guard` reads the bytes (encoding as feedparser weighs it, then every
element through expat); after, this module checks what feedparser-rs gave: well-formed, a
version feedparser names the same, entries with no link blanked, ids whose resolution is
known, no U+FFFD.

Links and ids are resolved here against the response URL as feedparser resolves them, the
author's name is read out of "name (e-mail)" as feedparser reads it, and ``published`` and
``updated`` are each kept only where the entry has an element for it (feedparser-rs repeats
one date in both). ``tests/test_feeds_fast.py``
(with :mod:`pipeline.parse.feeds_check`) shows, over feedparser's own samples, real feeds and
made-up variants, that wherever this path is taken casewatch stores what feedparser gives.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pipeline.parse.feeds_elements import BodyScan
from pipeline.parse.feeds_guard import feedparser_encoding, scan_body

log = logging.getLogger(__name__)

PARSER_NAME = "feedparser-rs"
MAX_ENTRIES = 10_000
"""feedparser-rs stops at this many entries; a feed that reaches it is read by feedparser."""

_URI_FIXER_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")
_PLAIN_URL_RE = re.compile(r"https?://[^/?#;\s\[\]]+(?:/[^?#;\s]*)?(?:\?[^#;\s]+)?(?:#\S+)?\Z")
"""An absolute URL that feedparser's join gives back unchanged (checked without the join)."""
_VERSIONS = {
    "rss20": re.compile(rb"""<rss\b[^>]*\bversion\s*=\s*["']2\."""),
    "atom10": re.compile(rb"""<feed\b[^>]*\bxmlns\s*=\s*["']http://www\.w3\.org/2005/Atom["']"""),
    "rss10": re.compile(rb"""<rdf:RDF\b[^>]*\bxmlns\s*=\s*["']http://purl\.org/rss/1\.0/["']"""),
}
"""The versions taken, each with what makes feedparser name it the same in the body."""
_REFERENCE_RE = re.compile(r"&#?\w+;")
_C1_RE = re.compile("[\x80-\x9f]")
_FAMILIES = {"rss20": "rss", "atom10": "atom", "rss10": "rdf"}
_EMAIL_RE = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)
"""feedparser's e-mail pattern in a printed author (``mixin._sync_author_detail``)."""


@dataclass(frozen=True, slots=True)
class FastFeed:
    """feedparser-rs's reading of a body, shaped as :func:`feeds.raw_article` reads feedparser's."""

    feed: dict[str, Any]
    entries: list[dict[str, Any]]
    encoding: str
    """The encoding name feedparser would report for the same body and headers."""
    version: str


@cache
def _parser() -> Any:
    """feedparser-rs, or None when it cannot be imported (feedparser reads every body then)."""
    try:
        import feedparser_rs
    except ImportError:
        return None
    return feedparser_rs


def fast_feed(body: bytes, headers: Mapping[str, str], base: str) -> FastFeed | str:
    """feedparser-rs's reading of ``body``, or why feedparser must read it instead.

    ``headers``: :func:`feeds.feedparser_headers` (lower-cased names); ``base``: the response
    URL, which links and ids are resolved against. A fault anywhere on this path is one more
    reason, logged, never a crash."""
    rs = _parser()
    if rs is None:
        return "feedparser-rs is not installed"
    try:
        return _read(rs, body, headers, base)
    except Exception as exc:
        log.warning("fast feed path failed (feedparser reads the body): %r", exc, exc_info=True)
        return f"the fast path failed: {type(exc).__name__}"


def _read(rs: Any, body: bytes, headers: Mapping[str, str], base: str) -> FastFeed | str:
    encoding = feedparser_encoding(body, headers)
    if not encoding:
        return "not plainly UTF-8 for feedparser"
    scan = scan_body(body, headers)
    if scan.doubt:
        return scan.doubt
    parsed = rs.parse_with_limits(body, limits=_limits(), sanitize_html=False,
                                  resolve_relative_uris=False)  # fmt: skip
    version = str(parsed.version or "")
    pattern = _VERSIONS.get(version)
    if pattern is None or not pattern.search(body[:4096]):
        return f"version {version or 'unknown'}"
    if _FAMILIES[version] != scan.family:
        return f"version {version} for a root of {scan.family}"
    return _shaped(parsed, encoding, version, base, scan)


@cache
def _limits() -> Any:
    return _parser().ParserLimits(max_entries=MAX_ENTRIES)


def _shaped(parsed: Any, encoding: str, version: str, base: str, scan: BodyScan) -> FastFeed | str:
    if parsed.bozo:
        return f"malformed for feedparser-rs ({parsed.get('bozo_exception')})"
    entries = parsed.entries
    if not entries or len(entries) >= MAX_ENTRIES:
        return f"{len(entries)} entries"
    atom = version.startswith("atom")
    if atom and _text(parsed.feed.get("author")) and scan.entry_authors != len(entries):
        return "a feed author, and entries without their own"
    if len(entries) != len(scan.entry_dates):
        return f"{len(entries)} entries, {len(scan.entry_dates)} in the body"
    shaped = []
    for entry, dates in zip(entries, scan.entry_dates, strict=True):
        item = _entry(entry, base, version, scan.permalinks, dates)
        if isinstance(item, str):
            return item
        shaped.append(item)
    feed = {"language": _text(parsed.feed.get("language"))}
    if "\ufffd" in feed["language"] or "_" in feed["language"]:
        return "an odd feed language"  # feedparser writes some as en-US, some as printed
    return FastFeed(feed=feed, entries=shaped, encoding=encoding, version=version)


def _entry(
    entry: Any, base: str, version: str, permalinks: str, dates: tuple[str, str]
) -> dict[str, Any] | str:
    """One entry as the few fields ``raw_article`` reads, or why it is in doubt."""
    if any(not _text(link.get("href")) for link in entry.get("links") or ()):
        return "a link blanked (or empty) in an entry"
    if len(entry.get("authors") or ()) > 1:
        return "an entry with several authors"
    guid = _resolved_id(_text(entry.get("id")), base, version, permalinks, entry)
    if guid is None:
        return "an id feedparser may or may not resolve"
    item = _fields(entry, base, version == "atom10", dates)
    item["id"] = guid
    if _REFERENCE_RE.search(item["link"] + guid):
        return "a reference left in a link or id (feedparser decodes it again)"
    if item["content"] and not item["summary"]:
        return "an entry with content and no summary (feedparser copies one to the other)"
    texts = "".join((item["title"], item["summary"], item["author"], item["link"], guid))
    texts += item["published"] + item["updated"]
    texts += "".join(c["value"] for c in item["content"])
    if "\ufffd" in texts:
        return "U+FFFD in the result"
    if not texts.isascii() and _mended_by_feedparser(item, texts):
        return "text feedparser mends (C1 controls, or UTF-8 read as Latin-1)"
    return item


def _mended_by_feedparser(item: dict[str, Any], texts: str) -> bool:
    """Whether feedparser would change a text: it turns U+0080–U+009F into cp1252's
    characters, and a text that is UTF-8 read as Latin-1 back into UTF-8 (``mixin.pop``)."""
    if _C1_RE.search(texts):
        return True
    for text in (
        *(
            item[key]
            for key in ("title", "summary", "author", "published", "updated", "link", "id")
        ),
        *(c["value"] for c in item["content"]),
    ):
        if text.isascii():
            continue
        try:
            text.encode("iso-8859-1").decode("utf-8")
        except UnicodeError:
            continue
        return True
    return False


def _fields(entry: Any, base: str, atom: bool, dates: tuple[str, str]) -> dict[str, Any]:
    """The fields; the dates as the guard read them printed (feedparser-rs drops a date it
    cannot read, and repeats ``published`` as ``updated``)."""
    source, detail = entry.get("source"), entry.get("title_detail")
    language = _text(detail.get("language")) if detail else ""
    return {
        "link": _resolved(entry.get("link"), base),
        "title": _text(entry.get("title")),
        "summary": _text(entry.get("summary")),
        "published": dates[0],
        "updated": dates[1],
        "author": _author(entry, atom),
        "title_detail": {"language": language.replace("_", "-")},  # as feedparser writes it
        "source": {"title": _text(source.get("title")), "href": _text(source.get("href"))}
        if source
        else {},
        "content": [
            {"type": _text(c.get("type")), "value": _text(c.get("value"))}
            for c in entry.get("content") or ()
        ],
    }


def _resolved_id(guid: str, base: str, version: str, permalinks: str, entry: Any) -> str | None:
    """The id as feedparser gives it: an Atom id and an RSS permalink guid resolved against
    the base, others as printed; None when it cannot be told whether feedparser resolves it."""
    resolved = _resolved(guid, base)
    if resolved == guid or version == "atom10":
        return resolved
    if version != "rss20":
        return None  # an RDF item's rdf:about, which feedparser keeps as printed
    if entry.get("guidislink") or permalinks == "all":
        return resolved
    return guid if permalinks == "none" else None


def _author(entry: Any, atom: bool) -> str:
    """The author's name as feedparser gives it: an Atom ``<name>``, else the printed author
    less an e-mail address (feedparser's ``_sync_author_detail``)."""
    detail = entry.get("author_detail")
    if atom and detail is not None and _text(detail.get("name")):
        return _text(detail.get("name"))
    printed = _text(entry.get("author"))
    found = _EMAIL_RE.search(printed)
    if not found:
        return printed
    name = printed
    for piece in (found.group(0), "()", "<>", "&lt;&gt;"):
        name = name.replace(piece, "")
    name = name.strip()
    name = name[1:] if name.startswith("(") else name
    name = name[:-1] if name.endswith(")") else name
    return name.strip() or printed


def _resolved(value: Any, base: str) -> str:
    """``value`` joined to ``base`` as feedparser joins a link or an id (its ``_urljoin``)."""
    text = _text(value)
    if not text or _PLAIN_URL_RE.match(text):
        return text
    text = _URI_FIXER_RE.sub(r"\1\3", text)
    try:
        return urllib.parse.urljoin(base, text)
    except ValueError:
        return ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
