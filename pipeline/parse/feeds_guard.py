"""The byte-level half of the fast path's guard: which bodies feedparser-rs may read at all.

:func:`feedparser_encoding` names the encoding only of a body feedparser would read as UTF-8
(or ASCII) without a complaint: the Content-Type and the XML declaration weighed as feedparser
weighs them (RFC 3023), no byte order mark, strict UTF-8. :func:`scan_body` then reads the
body with expat, the parser under feedparser's strict one, so a body feedparser would flag as
malformed is a doubt; and every element must be one that feedparser and feedparser-rs were
seen to read alike (``SAFE_NAMES``) or one in a namespace neither reads. Per entry, each field
(title, link, summary, content, author, dates, id, source) may appear once: of two, the
parsers keep different ones. An RSS element closed as ``<x/>`` must be one that carries no
text (``SELF_CLOSED``): feedparser-rs gives any other the next element's text. No DOCTYPE or
``xml:base``, no xml:lang outside Atom, no Content-Language header, no odd isPermaLink, no
entity reference in a link's URL attribute.

The lists come from where the two disagreed on feedparser's samples, real feeds and made-up
variants (``tests/test_feeds_fast.py``); anything not on them is a doubt, and feedparser reads
the body.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.parsers import expat

_XML_PI_ENCODING_RE = re.compile(rb"""^<\?.*encoding=['"](.*?)['"].*\?>""")
"""feedparser's own pattern for the XML declaration's encoding (``encodings.py``)."""
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE)
_APPLICATION_XML = (
    "application/xml",
    "application/xml-dtd",
    "application/xml-external-parsed-entity",
)
_TEXT_XML = ("text/xml", "text/xml-external-parsed-entity")

_DOUBTS = (b"xml:base", b"<!DOCTYPE", b"\xef\xbf\xbd")
"""``xml:base`` and DTD entities change what feedparser reads; a U+FFFD printed in the body
cannot be told from one feedparser-rs made up."""
_BOOLS = ("true", "false")
_XML_LANG = "http://www.w3.org/XML/1998/namespace lang"
_RAW_URL_RE = re.compile(
    rb"""<(?:atom:)?(?:link|source)\b[^>]*?\b(?:href|url)\s*=\s*(?:"[^"]*[&\s][^"]*"|'[^']*[&\s][^']*')"""
)
"""A link or source URL with a reference or white space in its attribute: feedparser-rs keeps
such a value as printed (``&amp;`` and all), feedparser decodes it."""

_TEXT_TYPES = frozenset(
    ("text", "html", "xhtml", "text/plain", "text/html", "application/xhtml+xml")
)

KNOWN_PREFIXES: dict[str, frozenset[str]] = {
    "atom": frozenset({"http://www.w3.org/2005/atom"}),
    "content": frozenset({"http://purl.org/rss/1.0/modules/content/"}),
    "dc": frozenset({"http://purl.org/dc/elements/1.1/"}),
    "georss": frozenset({"http://www.georss.org/georss"}),
    "itunes": frozenset({"http://www.itunes.com/dtds/podcast-1.0.dtd"}),
    "media": frozenset({"http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss"}),
    "rdf": frozenset({"http://www.w3.org/1999/02/22-rdf-syntax-ns#"}),
}
"""Namespaces whose elements may appear, each under the prefix feedparser gives it (lower-case
URIs)."""
INERT_NAMESPACES = frozenset(
    {
        "http://purl.org/rss/1.0/modules/syndication/",
        "http://purl.org/rss/1.0/modules/slash/",
        "http://wellformedweb.org/commentapi/",
        "http://webns.net/mvcb/",
    }
)
"""Namespaces feedparser knows whose elements give casewatch nothing, under any prefix
(update periods, comment counts and feeds, the generator)."""
DEFAULT_NAMESPACES = frozenset({"", "http://www.w3.org/2005/atom", "http://purl.org/rss/1.0/"})

MODULE_NAMES = frozenset(
    "content:encoded dc:creator dc:date dc:subject dc:rights dc:publisher "
    "dc:format dc:type dc:source dc:relation dc:coverage dc:contributor "
    "media:content media:thumbnail media:credit media:group media:category media:keywords "
    "media:player media:rating georss:point "
    "itunes:image itunes:category itunes:keywords itunes:explicit itunes:block itunes:duration "
    "itunes:episodeType itunes:episode itunes:season itunes:type".split()
)
SAFE_NAMES: dict[str, frozenset[str]] = {
    "rss": MODULE_NAMES
    | frozenset(
        "rss channel title link description language copyright managingEditor webMaster pubDate "
        "lastBuildDate category generator docs ttl image url width height item author comments "
        "enclosure guid source skipHours skipDays hour day atom:link dc:language".split()
    ),
    "rdf": MODULE_NAMES
    | frozenset(
        "rdf:RDF rdf:Seq rdf:li channel items title link description image url item "
        "dc:language".split()
    ),
    "atom": MODULE_NAMES
    | frozenset(
        "feed title subtitle link id updated published summary content author name email uri "
        "category rights icon logo generator entry".split()
    ),
}
"""Elements both parsers were seen to read alike, by the root element's family (as written,
with feedparser's prefix)."""
SELF_CLOSED = frozenset(
    "enclosure atom:link media:content media:thumbnail media:credit media:rating media:group "
    "itunes:image itunes:category itunes:keywords image url rdf:li".split()
)
"""Elements an RSS or RDF feed may close as ``<x/>``: feedparser-rs gives any other the text
of the element after it (an Atom feed may close any)."""
CHANNEL_ONLY = frozenset("image url width height textInput language dc:language".split())
"""Elements feedparser-rs would read as the entry's own if they stood inside one."""
FIELDS = {
    "title": "title", "link": "link", "atom:link": "link", "description": "summary",
    "summary": "summary", "content:encoded": "content", "content": "content",
    "author": "author", "dc:creator": "author", "managingEditor": "author",
    "pubDate": "published", "published": "published", "updated": "updated",
    "dc:date": "updated", "lastBuildDate": "updated", "guid": "id", "id": "id",
    "source": "source",
}  # fmt: skip
"""What an entry element gives casewatch: the two parsers keep different ones of a pair (the
first, the last), so each may appear once per entry."""
ROOTS = {"rss": "rss", "rdf:RDF": "rdf", "feed": "atom"}


@dataclass(frozen=True, slots=True)
class BodyScan:
    """What the guard read in a body: the doubt (empty: none), and what the fast path checks
    once feedparser-rs has read it."""

    doubt: str
    family: str = ""
    """The root element's family: "rss", "rdf" or "atom"."""
    entry_dates: tuple[tuple[str, str], ...] = ()
    """Per entry, in order: its published and updated dates as printed ('' for none)."""
    entry_authors: int = 0
    """``<author>`` elements inside entries (an Atom feed's own author fills the others')."""
    permalinks: str = "all"
    """Which RSS guids are permalinks (feedparser resolves those): "all", "none" or "some"."""


def feedparser_encoding(body: bytes, headers: Mapping[str, str]) -> str:
    """The encoding feedparser reports for ``body`` when it reads it as UTF-8 (or ASCII) with no
    bozo of its own, as it weighs the Content-Type and the XML declaration (RFC 3023); ''
    otherwise (another charset, a BOM, a non-XML media type, bytes that are not UTF-8)."""
    if body.startswith(_BOMS) or b"\x00" in body[:4]:
        return ""
    declared = _XML_PI_ENCODING_RE.match(body)
    xml_encoding = declared.group(1).decode("utf-8", "replace").lower() if declared else ""
    media_type, charset = _content_type(headers.get("content-type", ""))
    if media_type in _APPLICATION_XML or (
        media_type.startswith("application/") and media_type.endswith("+xml")
    ):
        encoding = charset or xml_encoding or "utf-8"
    elif media_type in _TEXT_XML or (
        media_type.startswith("text/") and media_type.endswith("+xml")
    ):
        encoding = charset or "us-ascii"
    else:  # feedparser: "not an XML media type", a bozo
        return ""
    if xml_encoding and _codec(xml_encoding) not in ("utf-8", "ascii"):
        return ""
    codec = _codec(encoding)
    if codec not in ("utf-8", "ascii") or not _decodes(body, codec):
        return ""
    return encoding


def _content_type(line: str) -> tuple[str, str]:
    """feedparser's reading of a Content-Type: the media type as sent, and its charset."""
    chunks = line.split(";")
    charset = ""
    for chunk in chunks[1:]:
        key, _, value = chunk.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    return chunks[0].strip(), charset


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def scan_body(body: bytes, headers: Mapping[str, str]) -> BodyScan:
    """The doubt about ``body`` (empty: none), and what the fast path checks after parsing.

    The body is read by expat, the parser under feedparser's own strict one: a body it cannot
    read (malformed, an undefined entity, an unbound prefix) is one feedparser flags as bozo."""
    if "content-language" in headers:
        return BodyScan("a Content-Language header")
    if body[:1] != b"<" and body.lstrip()[:5] == b"<?xml":
        return BodyScan("text before the XML declaration")
    for doubt in _DOUBTS:
        if doubt in body:
            return BodyScan(f"{doubt.decode('utf-8')} in the body")
    if _RAW_URL_RE.search(body):
        return BodyScan("a link URL with a reference or white space in its attribute")
    scanner = _Scanner(body)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.namespace_prefixes = True
    parser.StartNamespaceDeclHandler = scanner.namespace
    parser.StartElementHandler = scanner.start
    parser.EndElementHandler = scanner.end
    scanner.position = lambda: parser.CurrentByteIndex
    try:
        parser.Parse(body, True)
    except _Doubt as doubt:
        return BodyScan(str(doubt))
    except expat.ExpatError as exc:
        return BodyScan(f"malformed ({exc})")
    return scanner.result()


class _Doubt(Exception):
    """Stops the scan: the body is in doubt, for the reason given."""


class _Scanner:
    """expat's handlers: the doubt about each namespace and element, and counts per entry."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.position: Any = None
        self.namespaces: dict[str, str] = {}
        self.family = ""
        self.verdicts: dict[str, str] = {}
        self.written: dict[str, str] = {}
        self.fields: dict[str, int] | None = None  # inside an entry: what it gave so far
        self.dates: list[dict[str, str]] = []  # per entry: published, updated as printed
        self.depth = self.entry_depth = 0
        self.date_at = -1  # where the date element being read starts
        self.in_source = False
        self.authors = self.guids = self.not_permalinks = self.languages = 0

    def namespace(self, prefix: str | None, uri: str | None) -> None:
        prefix, uri = prefix or "", (uri or "").strip().lower()
        if self.namespaces.setdefault(prefix, uri) != uri:
            raise _Doubt(f"prefix {prefix or '(default)'} bound to two namespaces")
        if not prefix and uri not in DEFAULT_NAMESPACES:
            raise _Doubt(f"default namespace {uri}")
        if prefix in KNOWN_PREFIXES and uri not in KNOWN_PREFIXES[prefix]:
            raise _Doubt(f"prefix {prefix} bound to {uri}")

    def start(self, qualified: str, attributes: dict[str, str]) -> None:
        if self.in_source:
            raise _Doubt("an element inside <source>")
        name = self.written.get(qualified) or self.written.setdefault(
            qualified, _written(qualified)
        )
        if not self.family:
            self.family = ROOTS.get(name, "")
            if not self.family:
                raise _Doubt(f"root element <{name}>")
        if self.family != "atom" and any(key.startswith(_XML_LANG) for key in attributes):
            raise _Doubt("xml:lang in an RSS feed")  # feedparser-rs reads it in Atom only
        doubt = self.verdicts.get(qualified)
        if doubt is None:
            doubt = self.verdicts[qualified] = _name_doubt(name, qualified, self.family)
        if doubt:
            raise _Doubt(doubt)
        self.depth += 1
        if name in ("item", "entry"):
            if self.fields is not None:
                raise _Doubt("an entry inside an entry")
            self.fields, self.entry_depth = {}, self.depth
            self.dates.append({})
        elif self.fields is not None:
            self._in_entry(name, attributes)
        elif name in ("language", "dc:language"):
            self.languages += 1
            if self.languages > 1:
                raise _Doubt("two language elements")  # each parser keeps a different one

    def end(self, qualified: str) -> None:
        name = self.written[qualified]
        self.depth -= 1
        if self.family != "atom" and name not in SELF_CLOSED and self._self_closed(name):
            raise _Doubt(f"self-closed <{name}/>")
        if self.date_at >= 0:
            self._date(FIELDS[name])
        elif name == "source":
            self.in_source = False
        elif name in ("item", "entry"):
            self.fields = None

    def _self_closed(self, name: str) -> bool:
        """expat ends ``<x>…</x>`` where ``</x>`` starts, and ``<x/>`` just after it."""
        return not self.body.startswith(b"</" + name.encode(), self.position())

    def _in_entry(self, name: str, attributes: dict[str, str]) -> None:
        if name in CHANNEL_ONLY:
            raise _Doubt(f"<{name}> inside an entry")
        field = FIELDS.get(name)
        if field == "link" and attributes.get("rel", "alternate") != "alternate":
            field = None  # a related link, not the entry's
        if (name == "atom:link" or (name == "link" and self.family == "atom")) and (
            "href" not in attributes
        ):
            raise _Doubt(f"<{name}> with no href")
        if self.family == "atom" and field in ("title", "summary", "content"):
            _text_construct(name, attributes)
        if field is not None:
            count = self.fields[field] = self.fields.get(field, 0) + 1  # type: ignore[index]
            if count > 1:
                raise _Doubt(f"two {field} elements in an entry")
            if self.depth != self.entry_depth + 1:
                raise _Doubt(f"<{name}> inside another element of an entry")
            if field in ("published", "updated"):
                if attributes:
                    raise _Doubt(f"<{name}> with attributes")
                self.date_at = self.position()
        self.authors += name == "author"
        self.in_source = name == "source"
        if name == "guid":
            self._guid(attributes)

    def _date(self, field: str) -> None:
        """The date as printed (feedparser keeps it so; feedparser-rs drops what it cannot
        read, and repeats ``published`` as ``updated``)."""
        start, end = self.date_at, self.position()
        self.date_at = -1
        tag_end = self.body.index(b">", start) + 1
        printed = self.body[tag_end:end] if end >= tag_end else b""
        if b"<" in printed or b"&" in printed or b"\r" in printed:
            raise _Doubt("a date with markup, a reference or a CR")
        self.dates[-1][field] = printed.decode("utf-8").strip()

    def _guid(self, attributes: dict[str, str]) -> None:
        for key, value in attributes.items():
            if key.lower() == "ispermalink" and (key != "isPermaLink" or value not in _BOOLS):
                raise _Doubt(f"guid {key}={value!r}")
        self.guids += 1
        self.not_permalinks += attributes.get("isPermaLink") == "false"

    def result(self) -> BodyScan:
        if not self.family:
            return BodyScan("no root element")
        none = self.not_permalinks == self.guids
        permalinks = "all" if not self.not_permalinks else "none" if none else "some"
        dates = tuple((d.get("published", ""), d.get("updated", "")) for d in self.dates)
        return BodyScan("", self.family, dates, self.authors, permalinks)


def _text_construct(name: str, attributes: dict[str, str]) -> None:
    """An Atom title, summary or content in base64 (``mode``, or a type that is not text)
    or out of line (``src``): feedparser decodes or reads it differently."""
    if "mode" in attributes or "src" in attributes:
        raise _Doubt(f"<{name}> with mode or src")
    if attributes.get("type", "text") not in _TEXT_TYPES:
        raise _Doubt(f"<{name} type={attributes['type']!r}>")


def _written(qualified: str) -> str:
    """An element's name as written ("dc:creator"), from expat's "URI local prefix"."""
    parts = qualified.split(" ")
    if len(parts) == 3:
        return f"{parts[2]}:{parts[1]}"
    return parts[-1]


def _name_doubt(name: str, qualified: str, family: str) -> str:
    """Why an element is in doubt: one feedparser or feedparser-rs may read into what casewatch
    keeps, not known to be read alike ('' when it is not in doubt)."""
    prefix = name.partition(":")[0] if ":" in name else ""
    if not prefix or prefix in KNOWN_PREFIXES:
        return "" if name in SAFE_NAMES[family] else f"element <{name}>"
    uri = qualified.split(" ")[0].lower()
    known = _feedparser_namespaces()
    if uri not in INERT_NAMESPACES and (known is None or uri in known):
        return f"element <{name}> (a namespace feedparser reads)"
    return ""


@cache
def _feedparser_namespaces() -> frozenset[str] | None:
    """The namespace URIs feedparser knows (lower-case): their elements reach its results.
    None when this feedparser keeps them elsewhere (then every other prefix is a doubt)."""
    try:
        from feedparser.mixin import _FeedParserMixin

        return frozenset(uri.lower() for uri in _FeedParserMixin.namespaces)
    except (ImportError, AttributeError):
        return None
