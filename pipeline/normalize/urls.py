"""URL identity: one canonical form per article, and Google News links decoded offline.

Two links to the same article must compare equal after :func:`canonical_url`: tracking
parameters, fragments, default ports, letter case of scheme and host, query order and clear AMP
variants do not make a different article.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "ysclid",
        "_openstat", "ref", "ref_src", "ref_url", "referrer", "oc", "from", "igshid", "mc_cid",
        "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "spm", "cmpid", "rss", "feed",
        "share", "smid", "sr_share", "ocid", "xtor", "__twitter_impression", "amp", "outputtype",
    }
)  # fmt: skip
"""Query parameters that say how a reader arrived, not which article it is."""

TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hmb_", "ga_")
GOOGLE_NEWS_HOSTS = frozenset({"news.google.com"})
_GOOGLE_LOCALE_PARAMS = frozenset({"hl", "gl", "ceid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_GOOGLE_ARTICLE_RE = re.compile(r"/(?:__i/rss/rd/)?(?:rss/)?(?:articles|read)/([A-Za-z0-9_-]+)")
_AMP_SUFFIX_RE = re.compile(r"(?:/amp/?|\.amp)$")
_SAFE = r"[A-Za-z0-9._~-]"
_CANONICAL_RE = re.compile(
    rf"https?://[a-z0-9.-]+(?::\d+)?(?:/(?!\.){_SAFE}*)+(?:\?{_SAFE}+={_SAFE}*(?:&{_SAFE}+={_SAFE}*)*)?"
)
"""A URL of plain characters only (no escapes, no dot segments, a sorted plain query):
``canonicalize_url`` returns it as it is (``tests/test_normalize.py`` checks it)."""


def canonical_url(url: str) -> str:
    """The comparable form of an http(s) URL; anything unparsable comes back stripped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme, hostname = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not hostname:
        return url
    host = hostname.lower().rstrip(".")
    host = f"[{host}]" if ":" in host else host
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = _clean_query(parts.query, google=host in GOOGLE_NEWS_HOSTS)
    path = _drop_amp(parts.path) or "/"
    joined = urlunsplit((scheme, netloc, path, query, ""))
    if _CANONICAL_RE.fullmatch(joined):  # w3lib would give it back unchanged: skip its pass
        return joined
    try:
        return canonicalize_url(joined)
    except (ValueError, UnicodeError):
        return joined


def _clean_query(query: str, *, google: bool) -> str:
    if not query:
        return ""
    kept = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not _is_tracking(key) and not (google and key in _GOOGLE_LOCALE_PARAMS)
    ]
    return urlencode(sorted(kept))


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _drop_amp(path: str) -> str:
    """``/news/123/amp/`` and ``/amp/news/123`` and ``/a/123.amp`` → ``/news/123`` etc."""
    if path.startswith("/amp/"):
        path = path[4:]
    return _AMP_SUFFIX_RE.sub("", path) if path not in ("/amp", "/amp/") else path


def is_google_news(url: str) -> bool:
    if "news.google.com" not in url.lower():  # its host name, lower-cased, is in the URL
        return False
    try:
        return (urlsplit(url.strip()).hostname or "").lower() in GOOGLE_NEWS_HOSTS
    except ValueError:
        return False


def decode_google_news(url: str) -> str | None:
    """The publisher URL inside an old-style Google News article link, decoded offline.

    Old links (``news.google.com/rss/articles/CBMi…``) carry a base64url protobuf whose field 4
    is the publisher URL (field 26 may hold its AMP twin). Newer links carry an encrypted token
    (``AU_yqL…``) that only Google can resolve: for those, and for anything that is not a Google
    News article link, this returns None.
    """
    if not is_google_news(url):
        return None
    match = _GOOGLE_ARTICLE_RE.search(urlsplit(url.strip()).path)
    if not match:
        return None
    token = match.group(1)
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    found = _protobuf_strings(data).get(4)
    if found and re.match(r"^https?://[^\s/]+", found):
        return found
    return None


def _protobuf_strings(data: bytes) -> dict[int, str]:
    """Length-delimited fields of a flat protobuf message, decoded as UTF-8 where possible."""
    out: dict[int, str] = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            chunk = data[pos : pos + length]
            pos += length
            try:
                out.setdefault(field, chunk.decode("utf-8"))
            except UnicodeDecodeError:
                continue
        else:
            break
    return out


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    return value, len(data) + 1


def http_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, else None (never a link): the
    rule of every link a person is shown (pages, reports)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()
