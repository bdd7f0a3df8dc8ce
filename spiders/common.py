"""Helpers every spider shares: the request's FetchSpec, failure reports, readable failures.

Not a spider itself (the spider loader finds none here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twisted.python.failure import Failure

from pipeline.items import FetchReport, FetchSpec


def spec_of(meta: Mapping[str, Any]) -> FetchSpec:
    """The request's FetchSpec (a mapping is accepted too: meta may come from JSON)."""
    spec = meta["spec"]
    return spec if isinstance(spec, FetchSpec) else FetchSpec(**spec)


def failed(spec: FetchSpec, problem: str, status: int | None = None) -> FetchReport:
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
        return f"HTTP {response.status}"
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


def human_size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} bytes"
