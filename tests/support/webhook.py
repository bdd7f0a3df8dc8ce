"""JSON webhooks on 127.0.0.1: what a :class:`LocalHTTPServer` was posted, and a sink for
Apprise's ``json://`` that keeps every body posted to it."""

from __future__ import annotations

import json
from typing import Any

from .http_server import LocalHTTPServer
from .ports import HOST

HOOK = "/hook"


def posted(server: LocalHTTPServer, path: str) -> list[dict[str, Any]]:
    """The JSON bodies sent to ``path`` of ``server``, in order."""
    return [json.loads(r.body) for r in server.requests_to(path)]


class WebhookSink:
    """A :class:`LocalHTTPServer` answering 200 at ``/hook``; ``received`` holds the JSON
    body of every POST, in order."""

    def __init__(self) -> None:
        self.http = LocalHTTPServer()
        self.http.route(HOOK)
        self.port = self.http.port

    @property
    def received(self) -> list[dict[str, Any]]:
        return [json.loads(r.body or b"{}") for r in self.http.requests if r.method == "POST"]

    def url(self) -> str:
        """The Apprise URL of the hook."""
        return f"json://{HOST}:{self.port}{HOOK}"

    def start(self) -> None:
        self.http.start()

    def stop(self) -> None:
        self.http.close()
