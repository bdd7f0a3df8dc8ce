"""Email channels (``mailto://``, ``mailtos://``) over one SMTP session per channel.

Apprise's email plugin opens a new SMTP connection, and builds a new TLS context, for every
message (≈ 70 ms even to a local server: most of it loading CA certificates), and sends an
HTML alternative it derives from the HTML itself. Here Apprise still reads the channel URL
(host, port, TLS mode, login, from, to/cc/bcc, the provider presets), and this module keeps
the connection open across the messages of a delivery run and sends each alert as
``multipart/alternative``: the plain text *and* the HTML that casewatch rendered.

One alert is one SMTP transaction to all its recipients, so a message is either accepted as a
whole or not at all. The ``Message-ID`` is derived from the delivery (``ref``), so the one
duplicate a crash can cause carries the same id as the original.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.charset import BASE64, Charset
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any
from urllib.parse import urlsplit

from pipeline.clock import utc_now
from pipeline.notify.render import Message

log = logging.getLogger(__name__)

EMAIL_SCHEMES = ("mailto", "mailtos")
_ERRORS = (OSError, smtplib.SMTPException)
_UTF8 = Charset("utf-8")
_UTF8.header_encoding = BASE64  # the default tries quoted-printable too: slow on Cyrillic
_UTF8.body_encoding = BASE64
IDLE_CHECK = 5.0
"""Seconds after which a kept connection is checked with NOOP before reuse."""


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    mode: str
    """``insecure`` | ``starttls`` | ``ssl`` (Apprise's names)."""
    user: str
    password: str
    from_name: str
    from_addr: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    verify: bool
    timeout: float

    def __repr__(self) -> str:  # never show the login
        return f"SmtpTarget({self.host}:{self.port}, {self.mode})"

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.to, *self.cc, *self.bcc)))


def smtp_target(url: str, timeout: float = 30.0) -> SmtpTarget | None:
    """The SMTP settings of an Apprise email URL; None for any other URL (Apprise sends)."""
    url = url.strip()
    if urlsplit(url).scheme.lower() not in EMAIL_SCHEMES or "pgp" in url.lower():
        return None
    import apprise  # only for an email channel

    plugin: Any = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None or not getattr(plugin, "smtp_host", None):
        return None
    from_name, from_addr = plugin.from_addr[0], plugin.from_addr[1]
    return SmtpTarget(
        host=str(plugin.smtp_host),
        port=int(plugin.port),
        mode=str(getattr(plugin, "secure_mode", "insecure")).lower(),
        user=str(plugin.user or ""),
        password=str(plugin.password or ""),
        from_name=str(from_name or "casewatch"),
        from_addr=str(from_addr),
        to=tuple(str(address) for _name, address in plugin.targets),
        cc=tuple(sorted(plugin.cc or ())),
        bcc=tuple(sorted(plugin.bcc or ())),
        verify=bool(getattr(plugin, "verify_certificate", True)),
        timeout=timeout,
    )


def build_email(message: Message, target: SmtpTarget, now: datetime | None = None) -> MIMEBase:
    """The alert as ``multipart/alternative`` (text, then HTML), headers set for threading.

    Built with the ``compat32`` MIME classes and ``Header``: the default policy's folding
    loses the spaces between encoded words in a long Cyrillic subject.
    """
    email: MIMEBase = MIMEMultipart("alternative") if message.body_html else _text(message)
    if message.body_html:
        email.attach(_text(message))
        email.attach(MIMEText(message.body_html, "html", _UTF8))  # type: ignore[arg-type]
    email["Subject"] = Header(message.title, _UTF8)
    email["From"] = formataddr((target.from_name, target.from_addr), charset="utf-8")
    email["To"] = ", ".join(target.to)
    if target.cc:
        email["Cc"] = ", ".join(target.cc)
    email["Date"] = format_datetime(now or utc_now())
    domain = target.from_addr.rpartition("@")[2] or "casewatch.invalid"
    local = ".".join(part for part in (message.ref, message.origin) if part)
    email["Message-ID"] = f"<{local}@{domain}>" if message.ref else make_msgid(domain=domain)
    email["X-Application"] = "casewatch"
    if message.ref:
        email["X-Casewatch-Ref"] = message.ref
    return email


def _text(message: Message) -> MIMEText:
    return MIMEText(message.body_text or message.title, "plain", _UTF8)  # type: ignore[arg-type]


class SmtpSession:
    """One SMTP connection to one channel's server, opened on first use and kept open.

    A kept connection is checked with ``NOOP`` before reuse; any error closes it, so the next
    message starts clean. Not thread-safe: one session per channel per delivery run.
    """

    def __init__(self, target: SmtpTarget) -> None:
        self.target = target
        self._smtp: smtplib.SMTP | None = None
        self._context: ssl.SSLContext | None = None
        self._used = 0.0

    def send(self, message: Message) -> tuple[bool, str]:
        """(accepted, error): accepted means the server took it for every recipient."""
        target = self.target
        if not target.recipients:
            return False, "the email URL names no recipient (add ?to=…)"
        try:
            smtp = self._connection()
            refused = smtp.send_message(
                build_email(message, target), target.from_addr, list(target.recipients)
            )
        except _ERRORS as exc:
            self.close()
            return False, f"SMTP {target.host}: {_reason(exc)}"
        if refused:
            return False, f"SMTP {target.host}: refused " + ", ".join(refused)
        return True, ""

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except _ERRORS:
                smtp.close()

    def _connection(self) -> smtplib.SMTP:
        """The kept connection; one idle for a while is checked with NOOP first (a server
        may have dropped it), so a message never goes into a dead session."""
        now = time.monotonic()
        if self._smtp is not None and now - self._used > IDLE_CHECK:
            try:
                alive = self._smtp.noop()[0] == 250
            except _ERRORS:
                alive = False
            if not alive:
                self.close()
        if self._smtp is None:
            self._smtp = self._connect()
        self._used = now
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        smtp: smtplib.SMTP
        if target.mode == "ssl":
            smtp = smtplib.SMTP_SSL(
                target.host, target.port, timeout=target.timeout, context=self._tls()
            )
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=target.timeout)
        try:
            if target.mode == "starttls":
                smtp.starttls(context=self._tls())
            if target.user and target.password:
                smtp.login(target.user, target.password)
        except _ERRORS:
            smtp.close()
            raise
        return smtp

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:
            context = ssl.create_default_context()
            if not self.target.verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            self._context = context
        return self._context


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
