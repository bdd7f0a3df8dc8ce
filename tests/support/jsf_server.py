"""A fake office.sud.kz hearing schedule (JSF/RichFaces) on 127.0.0.1, for the spider's tests.

It plays what SOURCES.md §1.2 documents — a reconstruction, not a capture: one filter form
whose ``j_idtNN`` prefixes differ per instance, a JSESSIONID per session, a new ViewState with
every answer, partial-ajax POSTs that must carry the right headers and the current ViewState
(else the ViewExpired partial response), court options re-rendered after a region change, and
result tables per (court, date) from the data a test sets: Russian or Kazakh headers by the
session's language, a datascroller when there are more than ``page_size`` rows, a reordered
table with an extra column for a court whose layout says so, the empty-result message for a
day with none. Faults on demand: expire the view, drop the connection or redirect at a step
(``times`` or always), answer the page GET with something that is not the form.

:class:`FakeSite` is the site without sockets (``handle``); :class:`JsfServer` serves it.
What it prints, and the courts and rows a test gives it, are in :mod:`support.jsf_page`.
"""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from .jsf_page import (
    LANGUAGE_TRIGGERS,
    PAGE_PATH,
    STEP_SUFFIXES,
    Answer,
    Court,
    Row,
    SchedulePage,
    Session,
    expired,
    partial_response,
)

__all__ = ["BREAKAGES", "PAGE_PATH", "Court", "FakeSite", "JsfServer", "Row", "Seen"]

BREAKAGES = {
    "form-id": "the filter form's id no longer ends in schedule-of-case-filter-form",
    "court-select": "choosing the region no longer re-renders the court <select>",
    "results-table": "the search answers a notice instead of the table or the empty message",
    "pager": "a result page reached through the pager comes without the pager",
    "pager-markup": "the pager is printed in another library's markup, its links without ids",
}
"""What a test can make the site stop printing (:meth:`FakeSite.break_`), as if it changed."""

_BASES = iter(random.Random().sample(range(20, 900), 880))
"""First ``j_idtNN`` numbers, distinct for every site made in one process."""


@dataclass(frozen=True, slots=True)
class Seen:
    """One request as the site saw it."""

    method: str
    path: str
    headers: dict[str, str]
    pairs: tuple[tuple[str, str], ...]
    session: str
    step: str
    answer: str
    """ok | expired | dropped | redirected | page | not-form | …"""

    def form(self) -> dict[str, str]:
        return dict(self.pairs)


class FakeSite(SchedulePage):
    """The schedule page and its partial-ajax answers. ``seed`` fixes tokens and ids, ``base`` the
    first ``j_idtNN`` number (random by default, so ids differ per instance)."""

    def __init__(
        self, seed: int | None = None, page_size: int = 3, base: int | None = None
    ) -> None:
        self.rng = random.Random(seed)
        self.page_size = page_size
        base = base or next(_BASES)
        form = f"j_idt{base}:schedule-of-case-filter-form"
        n = iter(range(base + 2, base + 40))
        self.ids = {"form": form, "group": f"{form}:j_idt{next(n)}"}
        self.ids |= {"region_box": f"{self.ids['group']}:j_idt{next(n)}", "court_box": f"{self.ids['group']}:j_idt{next(n)}",
                     "type_box": f"{form}:j_idt{next(n)}", "date_box": f"{form}:j_idt{next(n)}",
                     "buttons": f"{form}:j_idt{next(n)}", "results": f"{form}:j_idt{next(n)}"}  # fmt: skip
        self.ids |= {"region": f"{self.ids['region_box']}:district-field", "court": f"{self.ids['court_box']}:court-field",
                     "case_type": f"{self.ids['type_box']}:caseType-field", "date": f"{self.ids['date_box']}:date-field",
                     "search": f"{self.ids['buttons']}:search", "final": f"{self.ids['buttons']}:j_idt{next(n)}",
                     "table": f"{self.ids['results']}:schedule-table", "ds": f"{self.ids['results']}:ds"}  # fmt: skip
        self.courts: dict[str, Court] = {}
        self.rows: dict[tuple[str, str], list[Row]] = {}
        self.sessions: dict[str, Session] = {}
        self.faults: dict[tuple[str, str], int] = {}
        self.not_a_form = False
        self.broken: set[str] = set()
        """What the site no longer prints, as if it had changed (:data:`BREAKAGES`)."""
        self.seen: list[Seen] = []
        self.violations: list[str] = []
        self.lock = threading.Lock()

    # -- what a test sets

    def add_court(self, court: Court) -> None:
        self.courts[court.id] = court

    def set_rows(self, court_id: str, day: str, rows: Iterable[Row]) -> None:
        """Rows for a court on a day (``dd.mm.yyyy``, as typed in the date field)."""
        self.rows[(court_id, day)] = list(rows)

    def break_(self, *what: str) -> FakeSite:
        """Stop printing ``what`` (:data:`BREAKAGES`); returns the site."""
        assert set(what) <= set(BREAKAGES), what
        self.broken |= set(what)
        return self

    def fault(self, kind: str, step: str, times: int = 1) -> None:
        """``kind``: expire | drop | redirect, at ``step`` (region, court, case_type, date,
        search, page, language); ``times=-1`` for always."""
        self.faults[(kind, step)] = times

    # -- serving

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        with self.lock:
            return self._handle(method, path, {k.lower(): v for k, v in headers.items()}, body)

    def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        pairs = tuple(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        session = self.sessions.get(_cookie(headers.get("cookie", ""), "JSESSIONID"))
        if path.split("?")[0] != PAGE_PATH:
            return self._log(
                method,
                path,
                headers,
                pairs,
                session,
                "",
                "not-found",
                Answer(404, body=b"not found"),
            )
        if method == "GET":
            return self._get(path, headers, session)
        step = _step(dict(pairs).get("javax.faces.source", ""))
        for kind in ("drop", "redirect", "expire"):
            if self._take(kind, step):
                answer = {"drop": Answer(drop=True), "expire": expired(),
                          "redirect": Answer(302, {"Location": "/new/auth/login.xhtml"})}[kind]  # fmt: skip
                return self._log(method, path, headers, pairs, session, step, kind, answer)
        problems = self._check(headers, dict(pairs), session, step)
        if problems or session is None:
            self.violations.extend(f"{step}: {p}" for p in problems)
            return self._log(method, path, headers, pairs, session, step, "expired", expired())
        answer = self._post(session, dict(pairs), step)
        return self._log(method, path, headers, pairs, session, step, "ok", answer)

    def _take(self, kind: str, step: str) -> bool:
        left = self.faults.get((kind, step), 0)
        if left:
            self.faults[(kind, step)] = left - 1 if left > 0 else left
        return bool(left)

    def _log(self, method: str, path: str, headers: dict[str, str], pairs: tuple[tuple[str, str], ...],
             session: Session | None, step: str, outcome: str, answer: Answer) -> Answer:  # fmt: skip
        self.seen.append(
            Seen(method, path, headers, pairs, session.id if session else "", step, outcome)
        )
        return answer

    def _get(self, path: str, headers: dict[str, str], session: Session | None) -> Answer:
        cookie = {}
        if session is None:
            session = Session(f"{self.rng.getrandbits(128):032X}", self._token())
            self.sessions[session.id] = session
            cookie = {"Set-Cookie": f"JSESSIONID={session.id}; Path=/; HttpOnly"}
        if self.not_a_form:
            page = "<!DOCTYPE html><html lang='ru'><body><h1>Технические работы</h1><p>Сервис временно недоступен.</p></body></html>"
            self._log("GET", path, headers, (), session, "page", "not-form", Answer())
            return Answer(200, {"Content-Type": "text/html;charset=UTF-8", **cookie}, page.encode())
        session.view_state = self._token()
        session.region = session.court = session.case_type = session.date = ""
        self._log("GET", path, headers, (), session, "page", "page", Answer())
        page = self.page(session)
        if "form-id" in self.broken:
            page = page.replace(
                f'<form id="{self.ids["form"]}"', f'<form id="{self.ids["form"]}-v2"'
            )
        return Answer(200, {"Content-Type": "text/html;charset=UTF-8", **cookie}, page.encode())

    def _token(self) -> str:
        return f"{self.rng.getrandbits(62)}:{-self.rng.getrandbits(62)}"

    # -- checks

    def _check(
        self, headers: dict[str, str], form: dict[str, str], session: Session | None, step: str
    ) -> list[str]:
        problems = [f"header {name}: {headers.get(name.lower())!r}" for name, ok in (
            ("Faces-Request", headers.get("faces-request") == "partial/ajax"),
            ("Content-Type", headers.get("content-type", "").startswith("application/x-www-form-urlencoded;charset=UTF-8")),
            ("X-Requested-With", headers.get("x-requested-with") == "XMLHttpRequest"),
            ("Origin", headers.get("origin") in _with_schemes(headers.get("host", ""))),
            ("Referer", headers.get("referer") in _with_schemes(f"{headers.get('host')}{PAGE_PATH}")),
        ) if not ok]  # fmt: skip
        if session is None:
            return [*problems, "no session cookie"]
        if form.get("javax.faces.ViewState") != session.view_state:
            problems.append("stale or missing ViewState")
        source = form.get("javax.faces.source", "")
        wanted = {"javax.faces.partial.execute": f"{source} @component", "javax.faces.partial.render": "@component",
                  "org.richfaces.ajax.component": source, "rfExt": "null", "AJAX:EVENTS_COUNT": "1",
                  "javax.faces.partial.ajax": "true"}  # fmt: skip
        if step in ("region", "court", "case_type", "date"):
            wanted |= {"javax.faces.partial.event": "change", "javax.faces.behavior.event": "change",
                       self.ids["form"]: self.ids["form"]}  # fmt: skip
        elif step in ("search", "page"):
            wanted |= {
                "javax.faces.partial.event": "click",
                source: source,
                self.ids["form"]: self.ids["form"],
            }
        else:
            wanted |= {"f_l_temp": "f_l_temp", source: source}
        return problems + [
            f"{k}={form.get(k)!r}, expected {v!r}" for k, v in wanted.items() if form.get(k) != v
        ]

    def _cascade(self, session: Session, form: dict[str, str], step: str) -> list[str]:
        """The fields the step depends on must hold what the session already chose."""
        before = {"court": ("region",), "case_type": ("region", "court"), "date": ("region", "court"),
                  "search": ("region", "court", "date"), "page": ("region", "court", "date")}.get(step, ())  # fmt: skip
        return [f"{name} sent {form.get(self.ids[name])!r}, session has {getattr(session, name)!r}"
                for name in before if not getattr(session, name) or form.get(self.ids[name]) != getattr(session, name)]  # fmt: skip

    # -- answers

    def _post(self, session: Session, form: dict[str, str], step: str) -> Answer:
        self.violations.extend(f"{step}: {p}" for p in self._cascade(session, form, step))
        updates: list[tuple[str, str]] = []
        if step == "language":
            session.language = LANGUAGE_TRIGGERS.get(form["javax.faces.source"], session.language)
        elif step == "region":
            session.region, session.court, session.case_type = (
                form.get(self.ids["region"], ""),
                "",
                "",
            )
            updates = [
                (self.ids["court_box"], self._court_box(session)),
                (self.ids["type_box"], self._type_box(session)),
            ][1 if "court-select" in self.broken else 0 :]
        elif step == "court":
            session.court, session.case_type = form.get(self.ids["court"], ""), ""
            updates = [(self.ids["type_box"], self._type_box(session))]
        elif step == "case_type":
            session.case_type = form.get(self.ids["case_type"], "")
            updates = [(self.ids["type_box"], self._type_box(session))]
        elif step == "date":
            session.date = form.get(self.ids["date"], "")
            updates = [(self.ids["date_box"], self._date_box(session))]
        elif step in ("search", "page"):
            session.case_type = form.get(self.ids["case_type"], "")
            session.page = (
                1 if step == "search" else self._page_of(form["javax.faces.source"], session.page)
            )
            updates = [(self.ids["results"], self._results(session))]
        session.view_state = self._token()
        return partial_response([*updates, ("j_id1:javax.faces.ViewState:0", session.view_state)])

    def _page_of(self, source: str, current: int) -> int:
        tail = source.rsplit("_ds_", 1)[-1]
        return current + 1 if tail == "next" else int(tail)


def _with_schemes(rest: str) -> tuple[str, str]:
    return f"http://{rest}", f"https://{rest}"


def _step(source: str) -> str:
    return next((step for suffix, step in STEP_SUFFIXES if suffix in source), "unknown")


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


# ---------------------------------------------------------------- over HTTP


class JsfServer:
    """:class:`FakeSite` over HTTP on 127.0.0.1 (a thread per connection)."""

    def __init__(self, site: FakeSite | None = None) -> None:
        self.site = site or FakeSite()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.site))
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> JsfServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PAGE_PATH}"


def _handler(site: FakeSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            answer = site.handle(self.command, self.path, dict(self.headers.items()), body)
            if answer.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
