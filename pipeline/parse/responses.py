"""What every spider reads the same way in a response or a failed download: whether a body is a
usable HTML page, a readable problem for a download that produced no response, the failed
:class:`~pipeline.items.FetchReport` naming the source, and a page as received (evidence).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import HtmlResponse, Response

from pipeline.items import ArticlePage, ArticleTarget, FetchReport, FetchSpec, Pairs

if TYPE_CHECKING:
    from twisted.python.failure import Failure


def failed_report(spec: FetchSpec, problem: str, status: int | None = None) -> FetchReport:
    """The source's report of a fetch that failed; the error names the source."""
    return FetchReport(
        source_id=spec.source_id,
        url=spec.url,
        status=status,
        ok=False,
        error=f"{spec.source_id}: {problem}",
    )


def describe_failure(failure: Failure, meta: Mapping[str, Any], max_body: int) -> str:
    """A readable problem for a download that produced no response the callback could see.

    A cancelled download counts as an oversized body: Scrapy cancels one in flight only when
    the body streaming in outgrows ``download_maxsize`` (without a Content-Length to refuse
    it up front)."""
    exc = failure.value
    name = type(exc).__name__
    text = str(exc)
    response = getattr(exc, "response", None)
    if response is not None:
        return status_problem(response)
    if "max size" in text or "DOWNLOAD_MAXSIZE" in text or "Cancelled" in name:
        return f"body over {human_size(meta.get('download_maxsize', max_body))} cap"
    if "Timeout" in name or "TimedOut" in name:
        return f"timed out after {meta.get('download_timeout', 0):g}s"
    if "Refused" in name:
        return "connection refused"
    if "DNS" in name or "Resolve" in name:
        return "cannot resolve host"
    if name == "IgnoreRequest":
        return f"request ignored: {text or 'no reason given'}"
    return f"{name}: {text}" if text else name


def status_problem(response: Response) -> str:
    """``HTTP 404`` for a response that is not a success. A redirect Scrapy would not follow
    because it leads off http(s) (``file:``, ``ftp:``, ``javascript:``…) says so: reporting
    it as ``HTTP 302`` sent people looking for a server problem."""
    location = header(response, "Location")
    if 300 <= response.status < 400 and location:
        try:
            scheme = urlsplit(urljoin(response.url, location)).scheme.lower()
        except ValueError:
            scheme = "?"
        if scheme not in ("http", "https"):
            return f"redirect to a non-http(s) URL refused ({scheme or '?'}:)"
    return f"HTTP {response.status}"


def failure_status(failure: Failure) -> int | None:
    """The HTTP status of the response a failure carries (an HTTP error), else None."""
    return getattr(getattr(failure.value, "response", None), "status", None)


def human_size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"


def html_problem(response: Response) -> str:
    """Why the response is not an HTML page to read (an HTTP error, an empty body, another
    content type); "" when it is one."""
    if not 200 <= response.status < 300:
        return status_problem(response)
    if not response.body.strip():
        return "empty body"
    if not isinstance(response, HtmlResponse):
        kind = (response.headers.get("Content-Type") or b"").decode("latin-1") or "no Content-Type"
        return f"not an HTML page ({kind})"
    return ""


def header(response: Response, name: str) -> str:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else ""


def snapshot(response: Response, target: ArticleTarget) -> ArticlePage:
    """The response as received (body, headers in order, the request's headers)."""
    return ArticlePage(
        target=target,
        status=response.status,
        final_url=response.url,
        body=response.body,
        headers=header_pairs(response.headers),
        request_headers=header_pairs(response.request.headers) if response.request else (),
    )


def header_pairs(headers: Any) -> Pairs:
    """Scrapy's header multi-dict as (name, value) text pairs, in order, repeats kept."""
    out: list[tuple[str, str]] = []
    for name, values in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values:
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            out.append((key, text))
    return tuple(out)
