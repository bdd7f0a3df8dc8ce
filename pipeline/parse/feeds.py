"""Feeds (RSS 2.0, RSS 1.0/RDF, Atom, JSON Feed) and Google News searches → RawArticle items.

:func:`read_feed` turns one response into the source's entries and its one
:class:`~pipeline.items.FetchReport`, whatever it holds: a 304, an unchanged body, an HTTP
error, an oversized body, an HTML page where a feed should be, a malformed feed. Bodies are
parsed from their bytes by feedparser with the response headers, so the declared charset wins;
a body in an undeclared single-byte encoding (cp1251, koi8-r) is detected and parsed again.
Where it gives exactly what feedparser gives, the much faster feedparser-rs reads the body
instead (:mod:`pipeline.parse.feeds_fast`; the report's ``extra["parser"]`` says so); on any
doubt, feedparser.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

import feedparser
from charset_normalizer import from_bytes
from feedparser.exceptions import ThingsNobodyCaresAboutButMe
from scrapy.http import Response

from pipeline.items import FetchReport, FetchSpec, RawArticle
from pipeline.parse.feeds_fast import PARSER_NAME, FastFeed, fast_feed
from pipeline.parse.responses import failed_report, header, human_size

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PARSE_OPTIONS: dict[str, Any] = {"sanitize_html": False, "resolve_relative_uris": False}
"""Items carry markup as printed; normalize strips it to text (scripts and all) and nothing
renders it, so feedparser's sanitiser and link rewriting would only double the parse time."""
_HTML_RE = re.compile(rb"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_FEED_ROOT_RE = re.compile(rb"<(?:\w+:)?(?:rss|feed|RDF)[\s>]")
_CHARSET_RE = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)
_BASE_ATTR_RE = re.compile(rb"base\s*=|ispermalink|about\s*=", re.IGNORECASE)
"""``xml:base=`` (or a bare ``base=``, which feedparser reads too), or an ``isPermaLink`` or
RDF ``about`` attribute (ids feedparser leaves unresolved, which :func:`raw_article` cannot
tell once parsed). Searched by :func:`sets_bases`."""
_BASE_RE = re.compile(rb"base\s*=")
_ABOUT_RE = re.compile(rb"about\s*=")


def sets_bases(body: bytes) -> bool:
    """``_BASE_ATTR_RE.search(body)``, 9× faster on a feed: the case-blind byte pattern
    walked every byte (≈ 1.6 ms of an 85 KB feed); on the ASCII-lowered body (all a
    case-blind bytes pattern folds) a substring test first, the regex only when it may hit."""
    low = body.lower()
    return (
        b"ispermalink" in low
        or (b"base" in low and _BASE_RE.search(low) is not None)
        or (b"about" in low and _ABOUT_RE.search(low) is not None)
    )


_XML_ENCODING_RE = re.compile(rb"""\s*<\?xml[^>]*?encoding=["']([\w.:-]+)["']""")


def conditional_headers(spec: FetchSpec) -> dict[str, str]:
    """What a feed request sends: the feed types it accepts and the last fetch's validators."""
    headers = {"Accept": ACCEPT}
    if spec.etag:
        headers["If-None-Match"] = spec.etag
    if spec.last_modified:
        headers["If-Modified-Since"] = spec.last_modified
    return headers


def read_feed(
    spec: FetchSpec, response: Response, max_body: int, *, fast: bool = True
) -> tuple[list[RawArticle], FetchReport]:
    """The items and the report for one response that reached the callback. ``fast``: try
    feedparser-rs first where it is safe (:mod:`pipeline.parse.feeds_fast`); False: feedparser
    alone (the reference the fast path is checked against)."""
    status, body = response.status, response.body
    etag = header(response, "ETag")
    last_modified = header(response, "Last-Modified")
    base = FetchReport(spec.source_id, spec.url, status=status, etag=etag or spec.etag,
                       last_modified=last_modified or spec.last_modified)  # fmt: skip
    if status == 304:
        return [], dataclasses.replace(base, not_modified=True)
    problem = _body_problem(status, body, max_body)
    if problem:
        return [], failed_report(spec, problem, status)
    digest = hashlib.sha256(body).hexdigest()
    ok = dataclasses.replace(base, etag=etag, last_modified=last_modified, body_sha256=digest)
    if digest == spec.body_sha256:
        return [], dataclasses.replace(ok, not_modified=True, extra={"reason": "unchanged body"})
    if body.lstrip()[:1] == b"{":
        items, problem = read_json_feed(spec, body)
        if problem:
            return [], failed_report(spec, problem, status)
        return items, dataclasses.replace(ok, items=len(items), extra={"version": "json"})
    headers = feedparser_headers(response)
    quick = fast_feed(body, headers, response.url) if fast else None
    if isinstance(quick, FastFeed):
        items = [raw_article(spec, quick.feed, entry) for entry in quick.entries]
        extra = {"encoding": quick.encoding, "version": quick.version, "parser": PARSER_NAME}
        return items, dataclasses.replace(ok, items=len(items), extra=extra)
    parsed = parse_feed_bytes(body, headers)
    bozo = _bozo_text(parsed)
    problem = _entries_problem(spec, body, parsed, bozo)
    if problem:
        return [], failed_report(spec, problem, status)
    base = "" if "content-location" in headers else response.url  # else feedparser resolved
    items = [raw_article(spec, parsed.feed, entry, base) for entry in parsed.entries]
    extra = {"encoding": str(parsed.get("encoding", "")), "version": str(parsed.get("version", ""))}
    return items, dataclasses.replace(ok, bozo=bozo, items=len(items), extra=extra)


def _body_problem(status: int, body: bytes, max_body: int) -> str:
    if not 200 <= status < 300:
        return f"HTTP {status}"
    if len(body) > max_body:
        return f"body over {human_size(max_body)} cap"
    if not body.strip():
        return "empty body"
    return ""


def _entries_problem(spec: FetchSpec, body: bytes, parsed: Any, bozo: str) -> str:
    if parsed.entries:
        return ""
    head = body[:4096]
    if _HTML_RE.search(head) and not _FEED_ROOT_RE.search(head):
        return "not a feed (HTML page)"
    exc = parsed.get("bozo_exception")
    if exc is not None and not isinstance(exc, ThingsNobodyCaresAboutButMe):
        return f"malformed XML, no entries ({bozo})"
    if not parsed.get("version"):
        return "not a feed (no RSS, Atom or RDF root element)"
    return "feed has no entries" if spec.kind == "feed" else ""


def _bozo_text(parsed: Any) -> str:
    if not parsed.get("bozo"):
        return ""
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "bozo"


def feedparser_headers(response: Response) -> dict[str, str]:
    """The response headers feedparser uses (encoding, base URL, language), lower-cased.

    The base URL only for a document that sets bases of its own (``xml:base``), which
    feedparser resolves against it, or says whether a guid is a permalink: given one,
    feedparser joins it at every element (a quarter of its time), so in any other document the
    links and ids are resolved by :func:`raw_article`."""
    headers = {"content-location": response.url} if sets_bases(response.body) else {}
    for name in ("Content-Type", "Content-Language", "ETag", "Last-Modified"):
        value = header(response, name)
        if value:
            headers[name.lower()] = value
    return headers


def parse_feed_bytes(body: bytes, headers: Mapping[str, str]) -> Any:
    """feedparser over the bytes. When the body is not UTF-8 and feedparser had to use an
    encoding nobody declared (its Western fallbacks), detect the real one (cp1251, koi8-r, …)
    and parse again with it as the declared charset."""
    parsed = feedparser.parse(io.BytesIO(body), response_headers=dict(headers), **PARSE_OPTIONS)
    used = _codec_name(parsed.get("encoding", ""))
    if _is_utf8(body) or used in _declared_encodings(body, headers):
        return parsed
    guess = from_bytes(body).best()
    if guess is None or _codec_name(guess.encoding) in (used, "utf-8", "ascii"):
        return parsed
    media_type = headers.get("content-type", "").split(";")[0].strip()
    if not media_type.endswith("xml"):
        media_type = "application/xml"
    forced = {**headers, "content-type": f"{media_type}; charset={guess.encoding}"}
    return feedparser.parse(io.BytesIO(body), response_headers=forced, **PARSE_OPTIONS)


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _declared_encodings(body: bytes, headers: Mapping[str, str]) -> set[str]:
    """Encodings named by the Content-Type charset or the XML declaration."""
    found = _CHARSET_RE.findall(headers.get("content-type", ""))
    declaration = _XML_ENCODING_RE.match(body.lstrip(codecs.BOM_UTF8)[:200])
    if declaration:
        found.append(declaration.group(1).decode("ascii", "replace"))
    return {_codec_name(name) for name in found} - {""}


def _codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name if name else ""
    except LookupError:
        return ""


def raw_article(
    spec: FetchSpec, feed: Mapping[str, Any], entry: Mapping[str, Any], base: str = ""
) -> RawArticle:
    """One entry, strings as feedparser read them. Plain ``dict.get``: FeedParserDict's own
    lookup would pass ``published`` off as ``updated``. The link and the id are resolved
    against ``base`` (the response URL) as feedparser resolves them given the address, in a
    document where every id is one it resolves (``feedparser_headers``: no ``isPermaLink``)."""
    source = _get(entry, "source") or {}
    guid = _text(_get(entry, "id"))
    return RawArticle(
        source_id=spec.source_id,
        url=_resolved(base, _text(_get(entry, "link"))),
        title=_text(_get(entry, "title")),
        summary=_text(_get(entry, "summary")),
        published=_text(_get(entry, "published")),
        updated=_text(_get(entry, "updated")),
        author=_author(entry),
        guid=_resolved(base, guid),
        language=_language(entry, feed, spec),
        publisher=_text(_get(source, "title")),
        publisher_url=_text(_get(source, "href")),
        text=_content(entry),
    )


def _resolved(base: str, uri: str) -> str:
    """``uri`` joined to ``base`` as feedparser joins an element's text to the document's
    address (``urllib.parse.urljoin``; a URL it cannot join is dropped)."""
    if not base or not uri:
        return uri
    try:
        return urljoin(base, uri)
    except ValueError:
        return ""


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    return dict.get(mapping, key) if isinstance(mapping, dict) else mapping.get(key)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _author(entry: Mapping[str, Any]) -> str:
    detail = _get(entry, "author_detail") or {}
    return _text(_get(detail, "name")) or _text(_get(entry, "author"))


def _language(entry: Mapping[str, Any], feed: Mapping[str, Any], spec: FetchSpec) -> str:
    detail = _get(entry, "title_detail") or {}
    return _text(_get(detail, "language")) or _text(_get(feed, "language")) or spec.language


def _content(entry: Mapping[str, Any]) -> str:
    """``content:encoded`` / Atom ``content``: the HTML part first, else whatever is there."""
    parts = [c for c in _get(entry, "content") or () if _text(_get(c, "value"))]
    html = [c for c in parts if "html" in str(_get(c, "type") or "")]
    chosen = html or parts
    return _text(_get(chosen[0], "value")) if chosen else ""


def read_json_feed(spec: FetchSpec, body: bytes) -> tuple[list[RawArticle], str]:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1): the items, or a problem."""
    try:
        doc = json.loads(body)
    except ValueError as exc:
        return [], f"malformed JSON, no entries ({exc})"
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        return [], "not a feed (JSON, but not a JSON Feed)"
    language = _text(doc.get("language")) or spec.language
    entries = [i for i in doc.get("items") or () if isinstance(i, dict)]
    if not entries and spec.kind == "feed":
        return [], "feed has no entries"
    return [_json_feed_article(spec, language, item) for item in entries], ""


def _json_feed_article(spec: FetchSpec, language: str, item: Mapping[str, Any]) -> RawArticle:
    authors = item.get("authors") or [item.get("author") or {}]
    first_author = authors[0] if authors and isinstance(authors[0], dict) else {}
    return RawArticle(
        source_id=spec.source_id,
        url=_text(item.get("url")) or _text(item.get("external_url")),
        title=_text(item.get("title")),
        summary=_text(item.get("summary")),
        published=_text(item.get("date_published")),
        updated=_text(item.get("date_modified")),
        author=_text(first_author.get("name")),
        guid=str(item.get("id", "")),
        language=_text(item.get("language")) or language,
        text=_text(item.get("content_html")) or _text(item.get("content_text")),
    )
