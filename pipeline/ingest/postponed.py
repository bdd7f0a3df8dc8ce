"""A matched article says a case's hearing was postponed with no new date («отложено на
неопределённый срок», "adjourned indefinitely", «белгісіз мерзімге қалдырылды»).

Which hearing: the one on the day the article names, else the case's first on or after the
article's publication day (the case's zone) that is on the schedule — it becomes
``postponed``, keeping its date, with its line of history, and alerts once as
``hearing.cancelled`` naming the article. When casewatch knows no such hearing, the case gets
one notice all the same (``events.postponed``): a monitor would rather hear that the trial
stopped than have it dropped because the court page does not list the hearing.

Never twice: a hearing already postponed, a case whose latest hearing is, or a case postponed
within :data:`RECENT` with no hearing listed since makes nothing, so the same article read
again or the next outlet repeating it (the next day, when the postponed date is past and the
next hearing would be "the next") adds no alert. When the court
then lists a new date, the schedule's own flow (scheduled / moved) takes over. An article
published over :data:`RECENT` before the run reports history, not news, and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pipeline.events.postponed import case_postponed_events, postponed_events
from pipeline.normalize.dates import zone
from pipeline.parse.news_hearings import Postponement
from pipeline.records import Event
from pipeline.store.articles import Upserted
from pipeline.store.hearing_matches import matched_cases
from pipeline.store.hearing_postponed import (
    POSTPONED,
    last_postponed_at,
    latest_hearing,
    next_hearing,
    postpone,
)

log = logging.getLogger(__name__)

RECENT = timedelta(days=7)
"""How old an article may be (by its publication day) for its postponement to count."""


def postponed(
    session: Session,
    item: Upserted,
    postponement: Postponement,
    case_titles: Mapping[str, str],
    now: datetime,
) -> list[Event]:
    """Mark the case's hearing postponed (or note the case) for what ``item`` reports."""
    p = postponement
    if p.published < now.astimezone(zone(p.timezone)).date() - RECENT:
        log.info("%s: postponement reported %s, too old to act on", p.case, p.published)
        return []
    known = _known_since(session, p)
    row = next_hearing(session, p.case, since=p.published, day=p.day)
    if row is not None:
        if row.status == POSTPONED or (known and row.first_seen_at <= known):
            return []  # the same news again, or the court said so already
        change = postpone(session, row, now)
        cases = matched_cases(session, [row.id]).get(row.id) or [p.case]
        log.info(
            "%s: hearing %s postponed (no date), per %s", p.case, row.local_time, item.article.url
        )
        return postponed_events(
            change, cases, case_titles, now=now, article_id=item.article_id,
            article=item.article, postponement=p,
        )  # fmt: skip
    latest = latest_hearing(session, p.case)
    if latest is not None and (
        latest.status == POSTPONED or (known and latest.first_seen_at <= known)
    ):
        return []
    return case_postponed_events(
        p,
        case_titles.get(p.case, p.case),
        article_id=item.article_id,
        article=item.article,
        latest=latest.identity if latest is not None else "",
    )


def _known_since(session: Session, p: Postponement) -> datetime | None:
    """When the case was last postponed, if that was within :data:`RECENT` of the article: a
    hearing listed before then is the one that postponement was about, so an article about
    the case's postponement is that same news (outlets repeat it for days); a date listed since
    is a new state of the case, which the article may be about."""
    at = last_postponed_at(session, p.case)
    if at is None or at.astimezone(zone(p.timezone)).date() < p.published - RECENT:
        return None
    return at
