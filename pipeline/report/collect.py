"""A case's chronology from the store: the read queries, then :func:`build_report`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from pipeline.normalize.dates import known_zone
from pipeline.report.build import build_report
from pipeline.report.model import CaseInfo, Period, Report
from pipeline.store.read.hearings import list_hearings
from pipeline.store.read.report import (
    announced_sentences,
    report_articles,
    report_captures,
    stored_case,
)


def case_report(
    session: Session, case: CaseInfo, *, now: datetime, period: Period, lang: str
) -> Report:
    """Everything the store holds on ``case``, as of ``now``, for the days of ``period``."""
    hearings = list_hearings(session, case=case.slug, history=True)
    articles = report_articles(session, case.slug)
    return build_report(
        case,
        hearings=hearings,
        announced=announced_sentences(session, [h.identity for h in hearings]),
        articles=articles,
        captures=report_captures(session, [a.id for a in articles]),
        now=now,
        period=period,
        lang=lang,
    )


def stored_case_info(session: Session, slug: str, default_zone: str) -> CaseInfo | None:
    """The case as the store last had it from the config (a case since removed from the
    config keeps what was collected for it), or None."""
    found = stored_case(session, slug)
    if found is None:
        return None
    language, zone = found.get("language"), found.get("timezone")
    return CaseInfo(
        slug=slug,
        title=str(found.get("title") or slug),
        timezone=zone if isinstance(zone, str) and known_zone(zone) else default_zone,
        language=language if isinstance(language, str) else None,
    )
