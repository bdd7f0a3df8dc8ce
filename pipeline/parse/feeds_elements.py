"""The elements of a feed, as the fast path's guard reads them: which ones feedparser and
feedparser-rs were seen to read alike, and an expat handler that finds any other.

Every element must be on ``SAFE_NAMES`` (by the root's family, as written with feedparser's
prefix) or in a namespace neither parser reads. Per entry, each field (title, link, summary,
content, author, dates, id, source) may appear once, as a child of the entry: of two, the
parsers keep different ones, and feedparser-rs reads some nested ones as the entry's. An RSS
element closed as ``<x/>`` must be one that carries no text (``SELF_CLOSED``): feedparser-rs
gives any other the next element's text. Dates are kept as printed (feedparser-rs drops one
it cannot read). No xml:lang outside Atom, no odd isPermaLink, no base64 or out-of-line Atom
text, no Atom link without an href, one feed language.

The lists come from where the two disagreed on feedparser's samples, real feeds and made-up
variants (``tests/test_feeds_fast.py``); anything not on them is a doubt.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from xml.parsers import expat

_BOOLS = ("true", "false")
LONGEST_ATTRIBUTE = 32 * 1024
"""feedparser-rs drops an attribute over 64 KB (a link's href and all) without a word."""
MOST_LINKS = 40
"""feedparser-rs keeps the first 50 links of an entry."""
_XML_LANG = "http://www.w3.org/XML/1998/namespace lang"
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


def scan_elements(body: bytes) -> BodyScan:
    """Every element of ``body`` through expat, the parser under feedparser's strict one: a
    body it cannot read (malformed, an undefined entity, an unbound prefix) is one feedparser
    flags as bozo. The doubt, or what the fast path checks once feedparser-rs has read it."""
    scanner = ElementScanner(body)
    try:
        scanner.parser.Parse(body, True)
    except Doubt as doubt:
        return BodyScan(str(doubt))
    except expat.ExpatError as exc:
        return BodyScan(f"malformed ({exc})")
    return scanner.result()


class Doubt(Exception):
    """Stops the scan: the body is in doubt, for the reason given."""


class ElementScanner:
    """expat's handlers: the doubt about each namespace and element, and counts per entry."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.namespace_prefixes = True
        self.parser.StartNamespaceDeclHandler = self.namespace
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.namespaces: dict[str, str] = {}
        self.family = ""
        self.verdicts: dict[str, str] = {}
        self.written: dict[str, str] = {}
        self.fields: dict[str, int] | None = None  # inside an entry: what it gave so far
        self.dates: list[dict[str, str]] = []  # per entry: published, updated as printed
        self.depth = self.entry_depth = 0
        self.date_at, self.date_name = -1, ""  # the date element being read, where it starts
        self.in_source = False
        self.authors = self.guids = self.not_permalinks = self.languages = 0

    def namespace(self, prefix: str | None, uri: str | None) -> None:
        prefix, uri = prefix or "", (uri or "").strip().lower()
        if self.namespaces.setdefault(prefix, uri) != uri:
            raise Doubt(f"prefix {prefix or '(default)'} bound to two namespaces")
        if not prefix and uri not in DEFAULT_NAMESPACES:
            raise Doubt(f"default namespace {uri}")
        if prefix in KNOWN_PREFIXES and uri not in KNOWN_PREFIXES[prefix]:
            raise Doubt(f"prefix {prefix} bound to {uri}")

    def start(self, qualified: str, attributes: dict[str, str]) -> None:
        if self.in_source:
            raise Doubt("an element inside <source>")
        name = self.written.get(qualified) or self.written.setdefault(
            qualified, _written(qualified)
        )
        if not self.family:
            self.family = ROOTS.get(name, "")
            if not self.family:
                raise Doubt(f"root element <{name}>")
        if attributes:
            self._attributes(attributes)
        doubt = self.verdicts.get(qualified)
        if doubt is None:
            doubt = self.verdicts[qualified] = _name_doubt(name, qualified, self.family)
        if doubt:
            raise Doubt(doubt)
        self.depth += 1
        if name in ("item", "entry"):
            if self.fields is not None:
                raise Doubt("an entry inside an entry")
            self.fields, self.entry_depth = {}, self.depth
            self.dates.append({})
        elif self.fields is not None:
            self._in_entry(name, attributes)
        elif name in ("language", "dc:language"):
            self.languages += 1
            if self.languages > 1:
                raise Doubt("two language elements")  # each parser keeps a different one

    def end(self, qualified: str) -> None:
        name = self.written[qualified]
        self.depth -= 1
        if self.family != "atom" and name not in SELF_CLOSED and self._self_closed(name):
            raise Doubt(f"self-closed <{name}/>")
        if name == self.date_name:
            self._date(FIELDS[name])
        elif name == "source":
            self.in_source = False
        elif name in ("item", "entry"):
            self.fields = None

    def _attributes(self, attributes: dict[str, str]) -> None:
        if self.family != "atom" and any(key.startswith(_XML_LANG) for key in attributes):
            raise Doubt("xml:lang in an RSS feed")  # feedparser-rs reads it in Atom only
        if max(map(len, attributes.values())) > LONGEST_ATTRIBUTE:
            raise Doubt("an attribute over 32 KB")

    def _self_closed(self, name: str) -> bool:
        """expat ends ``<x>…</x>`` where ``</x>`` starts, and ``<x/>`` just after it."""
        return not self.body.startswith(b"</" + name.encode(), self.parser.CurrentByteIndex)

    def _in_entry(self, name: str, attributes: dict[str, str]) -> None:
        if name in CHANNEL_ONLY:
            raise Doubt(f"<{name}> inside an entry")
        field = FIELDS.get(name)
        if field == "link" and attributes.get("rel", "alternate") != "alternate":
            field = None  # a related link, not the entry's
        if name == "atom:link" or (name == "link" and self.family == "atom"):
            if "href" not in attributes:
                raise Doubt(f"<{name}> with no href")
            links = self.fields["links"] = self.fields.get("links", 0) + 1  # type: ignore[index]
            if links > MOST_LINKS:
                raise Doubt(f"over {MOST_LINKS} links in an entry")
        if self.family == "atom" and field in ("title", "summary", "content"):
            _text_construct(name, attributes)
        if field is not None:
            count = self.fields[field] = self.fields.get(field, 0) + 1  # type: ignore[index]
            if count > 1:
                raise Doubt(f"two {field} elements in an entry")
            if self.depth != self.entry_depth + 1:
                raise Doubt(f"<{name}> inside another element of an entry")
            if field in ("published", "updated"):
                if attributes:
                    raise Doubt(f"<{name}> with attributes")
                self.date_at, self.date_name = self.parser.CurrentByteIndex, name
        self.authors += name == "author"
        self.in_source = name == "source"
        if name == "guid":
            self._guid(attributes)

    def _date(self, field: str) -> None:
        """The date as printed (feedparser keeps it so; feedparser-rs drops what it cannot
        read, and repeats ``published`` as ``updated``)."""
        start, end = self.date_at, self.parser.CurrentByteIndex
        self.date_at, self.date_name = -1, ""
        tag_end = self.body.index(b">", start) + 1
        printed = self.body[tag_end:end] if end >= tag_end else b""
        if b"<" in printed or b"&" in printed or b"\r" in printed:
            raise Doubt("a date with markup, a reference or a CR")
        self.dates[-1][field] = printed.decode("utf-8").strip()

    def _guid(self, attributes: dict[str, str]) -> None:
        for key, value in attributes.items():
            if key.lower() == "ispermalink" and (key != "isPermaLink" or value not in _BOOLS):
                raise Doubt(f"guid {key}={value!r}")
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
        raise Doubt(f"<{name}> with mode or src")
    if attributes.get("type", "text") not in _TEXT_TYPES:
        raise Doubt(f"<{name} type={attributes['type']!r}>")


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
