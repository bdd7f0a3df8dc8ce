"""The read-only web app: pages, JSON API, calendar and Atom feeds over one store.

``create_app(deps)`` builds it; nothing is global, so tests serve any database they fill.
Every response carries a strict Content-Security-Policy (no script at all); with a token set,
every request must present it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline.clock import utc_now
from pipeline.config.load import Config, Source
from pipeline.web.render import CSS, Renderer
from pipeline.web.security import (
    SECURITY_HEADERS,
    TOKEN_COOKIE,
    content_security_policy,
    presented_token,
    token_ok,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WebDeps:
    """What the app reads: the store, the configured sources, the clock, the token."""

    sessions: sessionmaker[Session]
    sources: Sequence[Source] = ()
    token: str | None = None
    clock: Callable[[], datetime] = utc_now
    domain: str = "casewatch.local"
    """Names the calendar UIDs and Atom ids; keep it once subscribers exist."""
    renderer: Renderer = field(default_factory=Renderer)
    config: Config | None = None
    """With it, ``/healthz`` reports sources and deliveries too (:func:`pipeline.service.status.health`)."""

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-only unit of work: rolled back, never committed."""
        with self.sessions() as session:
            try:
                yield session
            finally:
                session.rollback()


def create_app(deps: WebDeps) -> FastAPI:
    from pipeline.web import api, feeds, pages

    app = FastAPI(
        title="casewatch",
        summary="Read-only API over what casewatch collected: cases, hearings, articles, events.",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.deps = deps
    app.state.calendar_cache = {}
    app.state.coverage_cache = {}
    app.state.counts_cache = {}
    _install_middleware(app, deps)
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.add_exception_handler(StarletteHTTPException, pages.http_error)  # type: ignore[arg-type]
    app.add_exception_handler(SQLAlchemyError, _store_error)  # type: ignore[arg-type]
    return app


def _install_middleware(app: FastAPI, deps: WebDeps) -> None:
    policy = content_security_policy(CSS)

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response: Response
        if deps.token is not None and not token_ok(deps.token, presented_token(request)):
            response = JSONResponse(
                {"detail": "a valid access token is required"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="casewatch"'},
            )
        else:
            response = await call_next(request)
            if deps.token is not None and request.query_params.get("token"):
                response.set_cookie(
                    TOKEN_COOKIE, deps.token, httponly=True, samesite="strict", path="/"
                )
        response.headers["Content-Security-Policy"] = policy
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


async def _store_error(request: Request, exc: SQLAlchemyError) -> Response:
    log.error("%s %s: store error: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse({"detail": "the database could not answer"}, status_code=503)
