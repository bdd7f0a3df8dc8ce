"""A real HTTP server on 127.0.0.1 for tests, answering what each path is set to answer."""

from __future__ import annotations

import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .ports import HOST


@dataclass(frozen=True, slots=True)
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (to trigger client timeouts)."""
    trickle: float = 0.0
    """Seconds between the body's bytes, sent one at a time (a server that never stalls long
    enough for a read timeout, yet takes forever)."""


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up mid-answer (a timeout, a size cap) is expected here, not news."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class LocalHTTPServer:
    """``route()`` sets what a path answers; every request is logged in ``requests``.

    A route whose headers carry ``ETag`` or ``Last-Modified`` answers 304 to a matching
    ``If-None-Match`` / ``If-Modified-Since``. Unknown paths answer 404.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self._changed = threading.Condition()
        self._closing = threading.Event()
        self._httpd = _QuietServer((HOST, 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def route(
        self,
        path: str,
        *,
        body: bytes | str = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        trickle: float = 0.0,
    ) -> str:
        """Serve ``body`` at ``path`` (query string included if given); returns the full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, status, dict(headers or {}), delay, trickle)
        return self.url(path)

    def trickle(self, payload: bytes, seconds: float, write: Any) -> None:
        """``payload`` one byte every ``seconds`` (until the server closes)."""
        for index in range(len(payload)):
            write(payload[index : index + 1])
            if self._closing.wait(seconds):
                return

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """Block until ``count`` requests arrived (condition wait); raises on timeout."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.requests) >= count, timeout):
                raise TimeoutError(f"expected {count} requests, got {len(self.requests)}")
            return list(self.requests)

    def record(self, request: RecordedRequest) -> None:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()

    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[Route, bool]:
        """The route for a request and whether it is ``304 Not Modified``."""
        route = self.routes.get(path) or self.routes.get(path.split("?", 1)[0])
        if route is None:
            return Route(b"not found", 404), False
        if route.delay:
            self._closing.wait(route.delay)
        return route, _not_modified(route, headers)


class TimedHTTPServer(LocalHTTPServer):
    """Also notes when each path was asked for (monotonic seconds), and waits for conditions."""

    def __init__(self) -> None:
        super().__init__()
        self.times: dict[str, list[float]] = defaultdict(list)

    def record(self, request: RecordedRequest) -> None:
        self.times[request.path].append(time.monotonic())
        super().record(request)

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> None:
        """Block until ``condition()`` holds after some request (condition wait, no sleep)."""
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                counts = {p: len(t) for p, t in self.times.items()}
                raise TimeoutError(f"condition not met in {timeout}s; requests: {counts}")

    def count(self, path: str) -> int:
        return len(self.times.get(path, ()))


def _not_modified(route: Route, request_headers: dict[str, str]) -> bool:
    theirs = {k.lower(): v for k, v in request_headers.items()}
    ours = {k.lower(): v for k, v in route.headers.items()}
    if route.status != 200:
        return False
    if "etag" in ours and "if-none-match" in theirs:
        return ours["etag"] in [t.strip() for t in theirs["if-none-match"].split(",")]
    if "last-modified" in ours and "if-modified-since" in theirs:
        return ours["last-modified"] == theirs["if-modified-since"]
    return False


def _make_handler(server: LocalHTTPServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = dict(self.headers.items())
            server.record(RecordedRequest(self.command, self.path, headers, body))
            route, not_modified = server.answer(self.command, self.path, headers)
            payload = b"" if not_modified or self.command == "HEAD" else route.body
            self.send_response(304 if not_modified else route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload and route.trickle:
                server.trickle(payload, route.trickle, self._write_now)
            elif payload:
                self.wfile.write(payload)

        def _write_now(self, data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        do_GET = do_POST = do_PUT = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
