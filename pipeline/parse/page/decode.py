"""Bytes of a web page → text: the HTTP charset, then the page's own declaration, then detection.

A declared charset is believed only when the body decodes with it; a body whose declaration
is missing or wrong (cp1251 served as UTF-8, or with no charset at all) is detected with
charset-normalizer, whose guess among the Cyrillic single-byte codecs is settled on cp1251 —
what Kazakh and Russian sites without a declaration actually send.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, read_bom

from pipeline.errors import ExtractError

_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_WESTERN = frozenset({"latin_1", "iso8859-1", "cp1252", "iso8859-15", "ascii"})
"""Codecs servers name by default (Apache's ISO-8859-1): a page's own declaration overrides them."""
_CYRILLIC_GUESSES = frozenset({"cp1251", "mac-cyrillic", "cp1125", "cp866", "iso8859-5", "koi8-u"})
_HTML_MEDIA = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
_HTML_SNIFF_RE = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|title|article|div|p|h1)[\s>/]", re.IGNORECASE
)
_FEED_SNIFF_RE = re.compile(rb"<(?:\w+:)?(?:rss|feed|RDF)[\s>]")
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
SNIFF_BYTES = 4096


def codec_name(name: str | None) -> str:
    """Python's name for an encoding label (``'windows-1251'`` → ``'cp1251'``); '' if unknown."""
    if not name:
        return ""
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return ""


def http_charset(content_type: str | None) -> str:
    match = _CHARSET_RE.search(content_type or "")
    return codec_name(match.group(1)) if match else ""


def check_html(body: bytes, url: str, content_type: str | None) -> None:
    """Raise :class:`ExtractError` naming ``url`` when ``body`` is not an HTML page."""
    head = body[:SNIFF_BYTES].lstrip()
    media = (content_type or "").split(";")[0].strip().lower()
    if not head:
        raise ExtractError(f"{url}: empty body")
    if media and not media.startswith(_HTML_MEDIA) and not media.endswith("+xml"):
        raise ExtractError(f"{url}: not an HTML page (Content-Type {media})")
    if head.startswith(_BINARY_MAGIC) or (b"\x00" in head[:512] and not read_bom(head)[0]):
        raise ExtractError(f"{url}: not an HTML page (binary content)")
    if _FEED_SNIFF_RE.search(head) and not _HTML_SNIFF_RE.search(head):
        raise ExtractError(f"{url}: not an HTML page (a feed)")
    if not _HTML_SNIFF_RE.search(head) and not _HTML_SNIFF_RE.search(body[: SNIFF_BYTES * 16]):
        raise ExtractError(f"{url}: not an HTML page (no HTML markup)")


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, codec name): BOM, HTTP charset, ``<meta charset>``, UTF-8, then detection."""
    bom, _ = read_bom(body)
    if bom:
        return body.decode(bom, "replace").lstrip("\ufeff"), codec_name(bom)
    declared = http_charset(content_type)
    meta = codec_name(html_body_declared_encoding(body[: SNIFF_BYTES * 4]))
    if declared in _WESTERN and meta != declared and not body.isascii():
        declared = meta or _western_or_detected(body, declared)
    for candidate in dict.fromkeys(c for c in (declared, meta, "utf-8") if c):
        text = _strict(body, candidate)
        if text is not None:
            return text, candidate
    if "utf-8" in (declared, meta):
        text = _mostly_utf8(body)
        if text is not None:
            return text, "utf-8"
    guess = detect_codec(body)
    return body.decode(guess, "replace"), guess


def _western_or_detected(body: bytes, declared: str) -> str:
    """A server-default Western charset unconfirmed by the page: kept unless detection finds
    the body is in another script (a cp1251 page behind Apache's ISO-8859-1 default)."""
    guess = detect_codec(body)
    return guess if guess in ("cp1251", "koi8-r") else declared


def detect_codec(body: bytes) -> str:
    """charset-normalizer's best guess; a Cyrillic single-byte guess is taken as cp1251."""
    best = from_bytes(body[: 64 * 1024]).best()
    name = codec_name(best.encoding) if best is not None else ""
    if not name:
        return "cp1251" if _strict(body, "cp1251") is not None else "latin_1"
    return "cp1251" if name in _CYRILLIC_GUESSES else name


def _mostly_utf8(body: bytes) -> str | None:
    """A page declared UTF-8 with a few broken bytes (a truncated multi-byte character, one
    pasted cp1252 quote) is still UTF-8; a cp1251 page mislabelled UTF-8 breaks everywhere."""
    text = body.decode("utf-8", "replace")
    broken = text.count("\ufffd")
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    return text if broken <= max(2, 0.02 * non_ascii) else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
