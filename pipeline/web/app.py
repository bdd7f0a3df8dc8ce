"""The read-only web app: pages, JSON API, calendar and Atom feeds over one store.

``create_app(deps)`` builds it; nothing is global, so tests serve any database they fill.
Every response carries a strict Content-Security-Policy (no script at all); with a token set,
every request must present it. HEAD is answered wherever GET is.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.report.render import CSS as REPORT_CSS
from pipeline.web import api, candidates, feeds, pages, reports
from pipeline.web.deps import WebDeps
from pipeline.web.render import CSS
from pipeline.web.security import (
    SECURITY_HEADERS,
    TOKEN_COOKIE,
    content_security_policy,
    presented_token,
    token_ok,
)

log = logging.getLogger(__name__)


def create_app(deps: WebDeps) -> FastAPI:
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
    app.add_middleware(HeadAsGet)
    app.include_router(api.router)
    app.include_router(candidates.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.include_router(reports.router)
    app.add_exception_handler(StarletteHTTPException, pages.http_error)  # type: ignore[arg-type]
    app.add_exception_handler(SQLAlchemyError, _store_error)  # type: ignore[arg-type]
    return app


def _install_middleware(app: FastAPI, deps: WebDeps) -> None:
    policy = content_security_policy(CSS, REPORT_CSS)

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


class HeadAsGet:
    """HEAD is answered as GET without the body (RFC 9110: every GET resource takes HEAD), so
    monitors and link checkers see the status and headers a GET would get; FastAPI routes
    declared with ``get`` answer only GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


async def _store_error(request: Request, exc: SQLAlchemyError) -> Response:
    log.error("%s %s: store error: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse({"detail": "the database could not answer"}, status_code=503)
