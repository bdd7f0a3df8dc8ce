"""``/cases/SLUG/report``: the case chronology ``casewatch report`` writes, as printable HTML."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from pipeline.report.collect import case_report, stored_case_info
from pipeline.report.labels import LANGUAGES, report_language
from pipeline.report.model import Period
from pipeline.report.render import render_report
from pipeline.web.deps import deps_of
from pipeline.web.i18n import pick_language

router = APIRouter(include_in_schema=False)


@router.get("/cases/{slug}/report", response_class=HTMLResponse)
def report_page(
    request: Request,
    slug: str,
    start: str = Query("", alias="from", max_length=40),
    end: str = Query("", alias="to", max_length=40),
    lang: str = Query("", max_length=10),
) -> Response:
    """The report over ``from``/``to`` (days in the case's zone; empty: open), in ``?lang=``,
    else the case's language, else the browser's."""
    period = Period(_day(start, "from"), _day(end, "to"))
    if period.start and period.end and period.start > period.end:
        raise HTTPException(422, f"from {period.start} is after to {period.end}")
    deps = deps_of(request)
    with deps.session() as session:
        case = stored_case_info(session, slug, deps.timezone)
        if case is None:
            raise HTTPException(404, f"no case {slug!r}")
        if lang not in LANGUAGES and case.language not in LANGUAGES:
            lang = pick_language(None, request.headers.get("accept-language"))
        language = report_language(lang or None, case.language)
        report = case_report(session, case, now=deps.clock(), period=period, lang=language)
    headers = {
        "Content-Language": language,
        "Content-Disposition": f'inline; filename="{slug}-report.html"',
    }
    return HTMLResponse(render_report(report, "html"), headers=headers)


def _day(value: str, name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(422, f"{name}: expected a date YYYY-MM-DD, got {value!r}") from None
