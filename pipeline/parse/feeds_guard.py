"""The byte-level half of the fast path's guard: which bodies feedparser-rs may read at all.

:func:`feedparser_encoding` names the encoding only of a body feedparser would read as UTF-8
(or ASCII) without a complaint: the Content-Type and the XML declaration weighed as feedparser
weighs them (RFC 3023), no byte order mark, strict UTF-8. :func:`scan_body` rules out what
changes feedparser's reading (a Content-Language header, text before the XML declaration,
DOCTYPE entities, ``xml:base``, a printed U+FFFD, an entity reference in a link's URL
attribute), then reads the body with expat, the parser under feedparser's strict one: a body
expat cannot read is one feedparser flags as malformed, and every element goes through
:class:`~pipeline.parse.feeds_elements.ElementScanner`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

from pipeline.parse.feeds_elements import BodyScan, scan_elements

_XML_PI_ENCODING_RE = re.compile(rb"""^<\?.*encoding=['"](.*?)['"].*\?>""")
"""feedparser's own pattern for the XML declaration's encoding (``encodings.py``)."""
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE)
_APPLICATION_XML = (
    "application/xml",
    "application/xml-dtd",
    "application/xml-external-parsed-entity",
)
_TEXT_XML = ("text/xml", "text/xml-external-parsed-entity")

LARGEST_BODY = 8 << 20
_DOUBTS = (b"xml:base", b"<!DOCTYPE", b"\xef\xbf\xbd")
"""``xml:base`` and DTD entities change what feedparser reads; a U+FFFD printed in the body
cannot be told from one feedparser-rs made up."""
_RAW_URL_RE = re.compile(
    rb"""<(?:atom:)?(?:link|source)\b[^>]*?\b(?:href|url)\s*=\s*(?:"[^"]*[&\s][^"]*"|'[^']*[&\s][^']*')"""
)
"""A link or source URL with a reference or white space in its attribute: feedparser-rs keeps
such a value as printed (``&amp;`` and all), feedparser decodes it."""


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
    """The doubt about ``body`` (empty: none), and what the fast path checks after parsing."""
    if "content-language" in headers:
        return BodyScan("a Content-Language header")
    if len(body) > LARGEST_BODY:
        return BodyScan("a body over 8 MB")  # feedparser-rs cuts a text over 10 MB
    if body[:1] != b"<" and body.lstrip()[:5] == b"<?xml":
        return BodyScan("text before the XML declaration")
    for doubt in _DOUBTS:
        if doubt in body:
            return BodyScan(f"{doubt.decode('utf-8')} in the body")
    if _RAW_URL_RE.search(body):
        return BodyScan("a link URL with a reference or white space in its attribute")
    return scan_elements(body)
