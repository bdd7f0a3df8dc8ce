"""office.sud.kz: the steps of the walk, what each answer must hold, and what it showed.

The site has never been seen from here (SOURCES.md §1.2 is a reconstruction), so its first
live run must say what it met. Each answer is checked for what the spider needs from it — the
filter form (by the end of its id), the ViewState, the region, court and date controls, the
search button, the region and court options, the results table, the pager — and an answer
that lacks one fails the source's run with the step and the missing piece named
(:func:`page_problem`, :func:`court_choice`, :func:`results_problem`); the response itself
goes with the report (:func:`raw_of`) to be kept under the data folder. In check mode
(``casewatch crawl SOURCE --check``) the spider also says what each step found
(``*_found``, as :class:`~pipeline.items.CheckStep` items).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import parsel
from scrapy.http import Response

from pipeline.items import Pairs, RawResponse
from pipeline.logs import without_secret_headers
from pipeline.parse.jsf import VIEW_STATE, Form, PagerView, is_view_state, pick
from pipeline.parse.office_sud_kz import (
    FORM_SUFFIX,
    KIND,
    REQUIRED_ROLES,
    ROLE_SUFFIXES,
    Scan,
    is_empty_result,
    scan_of,
)
from pipeline.parse.responses import header, header_pairs, status_problem
from pipeline.parse.tables import Table, map_headers

STEPS: dict[str, tuple[int, str, str]] = {
    "page": (1, "open the schedule page", "parse"),
    "language": (2, "switch the interface language", "parse_language"),
    "region": (3, "choose the region", "parse_region"),
    "court": (4, "choose the court", "parse_court"),
    "case_type": (5, "choose the case type", "parse_case_type"),
    "date": (6, "set the date", "parse_date"),
    "search": (7, "search", "parse_results"),
    "next": (8, "open the next result page", "parse_results"),
}
"""A request's step (the role in its ``meta["step"]`` label) → (number, what it does, the
callback that reads its answer). The numbers are fixed, so a message names the same step
whichever steps a source skips (the language switch, the case type)."""
CONTROLS = {
    "region": "<select> for the region",
    "court": "<select> for the court",
    "case_type": "<select> for the case type",
    "date": "date field",
    "search": "search button",
}
LISTED = 12
"""Options named in an error message; a check prints them all."""


# ---------------------------------------------------------------- steps


def step_role(label: str) -> str:
    """``region=22`` → ``region``; ``page 2`` (a result page) → ``next``; ``page`` → ``page``."""
    return "next" if label.startswith("page ") else label.split("=", 1)[0]


def step_of(label: str) -> tuple[int, str]:
    """(number, what it does) of a request's step; (0, the label) when unknown."""
    number, title, _ = STEPS.get(step_role(label), (0, label, ""))
    return number, title


def step_name(label: str) -> str:
    """``step 4 (choose the court)`` for a request's label; the label itself when unknown."""
    number, title = step_of(label)
    return f"step {number} ({title})" if number else title or "answer"


def asked(response: Response) -> str:
    """What was asked, for people: ``GET`` or ``POST court=4301``."""
    method = response.request.method if response.request is not None else "GET"
    label = response.meta.get("step", "")
    return method if method == "GET" or not label else f"{method} {label}"


def raw_of(response: Response) -> RawResponse:
    """The response as received (cookies dropped), with the walk state that asked for it in
    the shape of a fixture's ``.request.json`` meta."""
    label = response.meta.get("step", "")
    number, title, callback = STEPS.get(step_role(label), (0, label, ""))
    meta: dict[str, Any] = {k: response.meta[k] for k in ("step", "cookiejar", "dont_redirect")
                            if k in response.meta}  # fmt: skip
    if KIND in response.meta:
        meta[KIND] = dataclasses.asdict(scan_of(response.meta))
    return RawResponse(
        url=response.url,
        status=response.status,
        body=response.body,
        headers=without_secret_headers(header_pairs(response.headers)),
        step=number,
        title=title,
        request=asked(response),
        callback=callback,
        meta=meta,
    )


# ---------------------------------------------------------------- what an answer must hold


def _control(role: str) -> str:
    return f"{CONTROLS[role]} (id ending in {ROLE_SUFFIXES[role][0]!r})"


def offered_text(options: Iterable[tuple[str, str]], limit: int | None = LISTED) -> str:
    """``22 область Жетісу; 2 город Астана`` (the placeholder left out), cut at ``limit``."""
    real = [f"{value} {text}".strip() for value, text in options if value]
    if not real:
        return "none"
    shown = real if limit is None else real[:limit]
    more = f"; … {len(real) - len(shown)} more" if len(real) > len(shown) else ""
    return "; ".join(shown) + more


def page_problem(response: Response, form: Form | None, regions: tuple[str, ...]) -> str:
    """Why the page (GET) is not the schedule form to fill in for ``regions`` (none:
    every region offered); "" when it is."""
    where = f"in the response from {response.url}"
    if response.status >= 300:
        location = header(response, "Location")
        return f"{status_problem(response)} from {response.url}" + (
            f" (to {location})" if location else ""
        )
    if not hasattr(response, "xpath"):
        kind = header(response, "Content-Type") or "no Content-Type"
        return f"not an HTML page ({kind}) {where}"
    if form is None:
        suffix = f'substring(@id, string-length(@id) - {len(FORM_SUFFIX) - 1}) = "{FORM_SUFFIX}"'
        if not response.xpath(f"//form[{suffix}]"):
            return f"no <form> whose id ends in {FORM_SUFFIX!r} {where}"
        return f"no {VIEW_STATE} {where}"
    for role in REQUIRED_ROLES:
        if role not in form.ids:
            return f"no {_control(role)} {where}"
    offered = form.options.get(form.ids["region"], ())
    values = {value for value, _ in offered if value}
    for region in regions or ("",):
        if region not in values and (region or not values):
            return f"no option {region!r} in the region <select> {where} (offered: {offered_text(offered)})"
    return ""


def rendered(updates: Mapping[str, str], form: Form) -> set[str]:
    """The roles whose control an answer's updates re-render."""
    found: set[str] = set()
    prefix = f"{form.form_id}:"
    for key, html in updates.items():
        if is_view_state(key):
            continue
        for node in parsel.Selector(text=f"<div>{html}</div>").xpath("//*[@id]"):
            ident = node.attrib["id"]
            found |= {role for role, suffixes in ROLE_SUFFIXES.items()
                      if ident.startswith(prefix) and ident.endswith(suffixes)}  # fmt: skip
    return found


def court_choice(
    scan: Scan, shown: set[str], url: str
) -> tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]:
    """``(problem, courts to visit, gaps)`` of the answer to the region: the court list must be
    re-rendered and offer the configured courts (any, when none are configured)."""
    where = f"in the answer from {url}"
    if "court" not in shown:
        return f"no {_control('court')} {where}", (), ()
    offered = scan.form.options.get(scan.form.ids.get("court", ""), ())
    courts, gaps = pick(offered, scan.plan.court_ids, "court")
    if courts:
        return "", courts, gaps
    if not scan.plan.court_ids:
        return f"the court <select> offers no court for region {scan.region} {where}", (), ()
    wanted = " or ".join(repr(c) for c in scan.plan.court_ids)
    return (
        f"no option {wanted} in the court <select> {where} (offered: {offered_text(offered)})",
        (),
        (),
    )


def results_problem(
    html: parsel.Selector, table: Table | None, pager: PagerView, page: int, url: str
) -> str:
    """What a result page lacks: the table (or the empty-result message), the pager a page
    click must bring back, a next-page control the pager promises; "" when nothing."""
    where = f"in the answer from {url}"
    if table is None and not is_empty_result(html):
        return (
            "no results table (one headed with a case number, parties or judge column) "
            f"nor the empty-result message {where}"
        )
    if page > 1 and not pager.present:
        return (
            f"no pager in the answer to the page-{page} click from {url}: "
            "cannot tell whether more pages follow"
        )
    if table is not None and pager.present and not pager.next and pager.last > page:
        return (
            f"the pager names {pager.last} pages but offers no control to page {page + 1} "
            f"(an id ending in 'ds_next' or ':next', or a link with an id reading {page + 1}) "
            f"{where}"
        )
    return ""


# ---------------------------------------------------------------- what a step found (--check)


def page_found(form: Form, plan_region: str, language: str, trigger: str | None) -> Pairs:
    ids = form.ids
    regions = form.options.get(ids["region"], ())
    name = dict(regions).get(plan_region, "")
    switch = "already" if trigger == "" else f"switch {trigger}" if trigger else "no switch found"
    return (
        ("form", form.form_id),
        (VIEW_STATE, f"{len(form.view_state)} characters"),
        ("interface language", f"{language}: {switch}"),
        ("regions offered", f"{sum(1 for v, _ in regions if v)}"),
        (f"region {plan_region}", f"found: {name}"),
        ("court field", ids.get("court", "not on the page (expected with the region)")),
        ("case type field", ids.get("case_type", "none (optional)")),
        ("date field", ids["date"]),
        ("search button", ids["search"]),
    )


def view_state_found(updates: Mapping[str, str]) -> Pairs:
    renewed = any(is_view_state(k) for k in updates)
    return ((VIEW_STATE, "renewed" if renewed else "not in the answer: the last one kept"),)


def courts_found(scan: Scan, courts: Sequence[tuple[str, str]], gaps: Sequence[str]) -> Pairs:
    offered = scan.form.options.get(scan.form.ids.get("court", ""), ())
    found: list[tuple[str, str]] = [
        ("courts offered", f"{sum(1 for v, _ in offered if v)}: {offered_text(offered, None)}")
    ]
    wanted = scan.plan.court_ids
    found += [(f"court {value}", f"found: {name}") for value, name in courts if value in wanted]
    found += [("missing", gap) for gap in gaps]
    if not wanted:
        found.append(("court_ids", "none configured: every court offered is read"))
    found.append(("checking court", f"{courts[0][0]} {courts[0][1]}"))
    return tuple(found)


def case_types_found(scan: Scan, chosen: Sequence[tuple[str, str]], gaps: Sequence[str]) -> Pairs:
    offered = scan.form.options.get(scan.form.ids.get("case_type", ""), ())
    if not scan.form.ids.get("case_type"):
        return (("case types", "no case-type field: searching without one"),)
    found: list[tuple[str, str]] = [
        ("case types offered", f"{sum(1 for v, _ in offered if v)}: {offered_text(offered, None)}")
    ]
    found += [("missing", gap) for gap in gaps]
    if chosen:
        found.append(("checking case type", f"{chosen[0][0]} {chosen[0][1]}"))
    return tuple(found)


def results_found(
    table: Table | None, pager: PagerView, hints: Mapping[str, str], day: str
) -> Pairs:
    if table is None:
        return (("results", f"no hearings on {day} (the empty-result message)"),)
    fields = map_headers(table.headers, hints)
    columns = "; ".join(
        f"{text} → {fields.get(i, 'kept as printed')}" for i, text in enumerate(table.headers)
    )
    rows = f"{len(table.rows)} row(s) on {day}"
    if not pager.present:
        shown = "none (one page)"
    else:
        later = f"next page control {pager.next}" if pager.next else "no further page"
        shown = f"yes, {pager.last or '?'} page(s) named; {later}"
    return (("results table", rows), ("columns", columns), ("pager", shown))
