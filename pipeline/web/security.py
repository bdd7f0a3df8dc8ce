"""Access token, security headers and link hygiene for pages that show scraped text."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress

from starlette.requests import Request

from pipeline.normalize.urls import http_url as http_url  # the pages' link rule, shared

TOKEN_COOKIE = "casewatch_token"
MIN_TOKEN_LENGTH = 16


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` serves this machine only: ``localhost`` or a loopback IP
    literal (127.0.0.0/8, ::1, ::ffff:127.x). Any other name counts as public: it is not
    resolved, and ``127.evil.example`` is a name, not an address."""
    name = host.strip().removeprefix("[").removesuffix("]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def presented_token(request: Request) -> str | None:
    """The token from ``Authorization: Bearer``, ``?token=`` or the cookie a ``?token=``
    visit set (so links between pages keep working)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE)


def token_ok(expected: str, presented: str | None) -> bool:
    """Constant-time comparison (on bytes: ``compare_digest`` rejects non-ASCII str)."""
    if presented is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8"))


def style_hash(css: str) -> str:
    """The CSP source for one inline ``<style>`` block: the only inline content allowed."""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(*styles: str) -> str:
    """No script at all, no plug-ins, no framing; styles only from our own inline blocks
    (the pages' and the printable report's)."""
    return "; ".join(
        (
            "default-src 'none'",
            "style-src " + " ".join(style_hash(css) for css in styles),
            "img-src 'self' data:",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
