"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), and helpers to read what it received.

One server for every test that sends mail: the ``smtp_server`` fixture in conftest.py, the
notify and alert tests, the end-to-end runs of the real ``casewatch`` and bench/service.py.
"""

from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from .ports import HOST, free_port


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        message = email.message_from_bytes(data, policy=email.policy.default)
        with self.changed:
            self.envelopes.append(envelope)
            self.messages.append(message)  # type: ignore[arg-type]
            self.changed.notify_all()
        return "250 Message accepted for delivery"


def _accept_any_login(*_args: Any) -> AuthResult:
    return AuthResult(success=True)


class LocalSMTPServer:
    """An aiosmtpd server on 127.0.0.1 that keeps every message; ``stop()``/``start()``
    reuse the same port to simulate an outage. Any AUTH login is accepted, TLS is not needed.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._collector = _Collector()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        """The messages received so far, in order (a copy: it does not grow)."""
        with self._collector.changed:
            return list(self._collector.messages)

    @property
    def envelopes(self) -> list[Envelope]:
        with self._collector.changed:
            return list(self._collector.envelopes)

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = Controller(
                self._collector,
                hostname=HOST,
                port=self.port,
                authenticator=_accept_any_login,
                auth_require_tls=False,
            )
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Block until ``count`` messages arrived (condition wait); raises on timeout."""
        changed = self._collector.changed
        with changed:
            received = self._collector.messages
            if not changed.wait_for(lambda: len(received) >= count, timeout):
                raise TimeoutError(f"expected {count} messages, got {len(received)}")
            return list(received)


def smtp_url(server: LocalSMTPServer, to: str = "monitor@example.org") -> str:
    """Apprise URL for plain SMTP (no TLS, no login) to ``server``."""
    return f"mailto://{HOST}:{server.port}?from=casewatch@example.org&to={to}"


def parts(message: EmailMessage) -> dict[str, str]:
    """content type → decoded text of each leaf part."""
    return {
        part.get_content_type(): str(part.get_content())
        for part in message.walk()
        if not part.is_multipart()
    }


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain", "html"))
    text = part.get_content() if part is not None else message.get_payload(decode=True).decode()
    return f"{message['Subject']}\n{text}"


def bodies(messages: list[EmailMessage]) -> list[str]:
    """The subject and text (the plain part, else the HTML part) of each message."""
    return [_text(m) for m in messages]


def mail_text(server: LocalSMTPServer, index: int) -> str:
    """The subject and text of the ``index``-th message ``server`` received."""
    return _text(server.messages[index])
