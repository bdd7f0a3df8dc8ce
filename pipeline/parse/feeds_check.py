"""Does the fast path store what feedparser alone stores? The one comparison that the
regression test (``tests/test_feeds_fast.py``) and ``bench/ingest.py`` share.

What casewatch stores from a feed response is the report (the source run: status, error,
bozo, items seen, validators) and, for each entry, the article that
:func:`~pipeline.normalize.article.normalize_article` makes of it (or none: a skipped entry).
:func:`check_paths` reads one response both ways and compares exactly that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response

from pipeline.items import FetchReport, FetchSpec, RawArticle
from pipeline.normalize.article import normalize_article
from pipeline.parse.feeds import feedparser_headers, read_feed
from pipeline.parse.feeds_fast import fast_feed

FETCHED_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
"""A fixed fetch time: relative dates («вчера») and the date window read the same both ways."""


@dataclass(frozen=True, slots=True)
class PathCheck:
    """One response read by feedparser alone and by ``read_feed`` with its fast path."""

    fast: bool
    """The fast path was taken."""
    reason: str
    """Why it was not (empty when it was)."""
    same: bool
    """What casewatch stores is the same both ways."""
    raw_same: bool
    """The RawArticle items themselves are the same too (stricter than ``same``)."""
    differences: tuple[str, ...] = ()


def stored_view(
    items: Sequence[RawArticle], report: FetchReport, tz: str = "UTC"
) -> tuple[FetchReport, list[Any]]:
    """What casewatch stores from one fetch: the report (less the note naming the parser) and
    each entry's normalised article (None for an entry it skips)."""
    extra = {k: v for k, v in report.extra.items() if k != "parser"}
    articles = [normalize_article(r, fetched_at=FETCHED_AT, default_tz=tz) for r in items]
    return dataclasses.replace(report, extra=extra), articles


def check_paths(spec: FetchSpec, response: Response, max_body: int = 10 << 20) -> PathCheck:
    """Read ``response`` both ways and compare what would be stored."""
    ref_items, ref_report = read_feed(spec, response, max_body, fast=False)
    items, report = read_feed(spec, response, max_body)
    fast = "parser" in report.extra
    reason = "" if fast else _reason(response)
    ref_view, view = stored_view(ref_items, ref_report), stored_view(items, report)
    differences = tuple(_differences(ref_view, view))
    return PathCheck(fast, reason, not differences, ref_items == items, differences)


def _reason(response: Response) -> str:
    body = response.body
    if body.lstrip()[:1] == b"{":
        return "JSON Feed"
    found = fast_feed(body, feedparser_headers(response), response.url)
    return found if isinstance(found, str) else "not a feed response (status, size, body)"


def _differences(
    ref: tuple[FetchReport, list[Any]], got: tuple[FetchReport, list[Any]]
) -> list[str]:
    out = []
    for field in dataclasses.fields(ref[0]):
        x, y = getattr(ref[0], field.name), getattr(got[0], field.name)
        if x != y:
            out.append(f"report.{field.name}: {x!r} != {y!r}")
    if len(ref[1]) != len(got[1]):
        out.append(f"entries: {len(ref[1])} != {len(got[1])}")
    for i, (a, b) in enumerate(zip(ref[1], got[1], strict=False)):
        if a == b:
            continue
        if a is None or b is None:
            out.append(f"entry {i}: {a!r} != {b!r}")
            continue
        for field in dataclasses.fields(a):
            x, y = getattr(a, field.name), getattr(b, field.name)
            if x != y:
                out.append(f"entry {i}.{field.name}: {x!r} != {y!r}")
    return out
