"""Source health beyond errors: a source that suddenly returns nothing is failing too.

A feed or schedule that always listed items and now lists none has most likely changed its
address or layout (or serves an error page with status 200). Such a fetch is recorded as a
failure, so it counts towards ``source.failing`` like an error, and the items the source
stored are not treated as gone (a court schedule that comes back empty cancels nothing).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy.orm import Session

from pipeline.items import FetchReport
from pipeline.store.health import recent_item_counts


def empty_fetch_problem(report: FetchReport, seen: int, history: Sequence[int], after: int) -> str:
    """Why this fetch counts as failed ("" when it does not): it succeeded with no items while
    each of the source's last ``after`` successful fetches (``history``, newest first) had some.
    ``after`` 0 turns the check off."""
    if after <= 0 or not report.ok or report.not_modified or max(seen, report.items) > 0:
        return ""
    recent = list(history[:after])
    if len(recent) < after or min(recent) == 0:
        return ""
    return (
        f"{report.source_id}: returned no items; each of its last {after} fetches had "
        f"{min(recent)} or more"
    )


def judge_fetch(session: Session, report: FetchReport, seen: int, after: int) -> FetchReport:
    """``report``, or a failed copy of it when it is an unexpectedly empty fetch."""
    if after <= 0 or not report.ok or report.not_modified or max(seen, report.items) > 0:
        return report
    history = recent_item_counts(session, report.source_id, after)
    problem = empty_fetch_problem(report, seen, history, after)
    if not problem:
        return report
    return dataclasses.replace(report, ok=False, error=problem, etag="", last_modified="")
