"""Responses a source could not read, kept under the data folder for the developers.

When a spider's report carries the response that lacked what it expected
(:attr:`FetchReport.response`), the response is written as a spider fixture would be —
``<data_dir>/responses/<source>/<UTC time>-step<N>.<html|xml>`` with ``.headers.json`` and
``.request.json`` beside it — so it can be sent as it is and replayed by the fixture harness
(``tests/fixtures/spiders/<spider>/<callback>--<label>.<ext>``). The report's error then ends
with ``; raw response kept at <path>``, which is how ``casewatch sources`` finds it again
(:func:`kept_path`): no column of the database holds it.

Bounded: the last :data:`KEEP` per source, a body cut at :data:`MAX_BODY`. Never a secret:
cookies and credentials are dropped from the headers, a ``;jsessionid=`` in the body or URL
is hidden, and so are the source URL's own secrets.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.items import FetchReport, RawResponse
from pipeline.logs import HIDDEN, redact, url_secrets, without_secret_headers

KEEP = 5
"""Responses kept per source; older ones are removed with their side files."""
MAX_BODY = 2 * 1024 * 1024
"""A longer body is cut here (``"truncated": true`` in ``.request.json``)."""
FOLDER = "responses"
MARKER = "; raw response kept at "
SIDE_FILES = (".headers.json", ".request.json")
_SESSION_ID = re.compile(rb"(;\s*jsessionid=)[^?#\"'&<>\s;]*", re.IGNORECASE)
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def responses_dir(data_dir: Path, source_id: str) -> Path:
    """Where a source's kept responses go."""
    return data_dir / FOLDER / (_SAFE.sub("_", source_id).strip("._") or "source")


def keep_response(
    data_dir: Path, source_id: str, raw: RawResponse, at: datetime, secrets: Iterable[str] = ()
) -> Path:
    """Write ``raw`` (without secrets) as a fixture-shaped trio; returns the body's path."""
    folder = responses_dir(data_dir, source_id)
    folder.mkdir(parents=True, exist_ok=True)
    secrets = (*url_secrets(raw.url), *secrets)
    stem = _free_stem(folder, f"{at.astimezone(UTC):%Y-%m-%dT%H-%M-%SZ}-step{raw.step}")
    body = _scrubbed(raw.body[:MAX_BODY], secrets)
    path = folder / f"{stem}.{_extension(raw)}"
    path.write_bytes(body)
    headers = dict(without_secret_headers(raw.headers, secrets))
    _write_json(folder / f"{stem}.headers.json", headers, secrets)
    _write_json(folder / f"{stem}.request.json", _request_doc(raw), secrets)
    prune(folder, KEEP)
    return path


def kept_report(
    report: FetchReport, data_dir: Path, at: datetime, secrets: Iterable[str] = ()
) -> FetchReport:
    """``report`` with its response kept and named at the end of its error (or why it could
    not be kept); the response itself no longer travels with it."""
    if report.response is None:
        return report
    try:
        path = keep_response(data_dir, report.source_id, report.response, at, secrets)
    except OSError as exc:
        note = f"; raw response not kept ({type(exc).__name__}: {exc.strerror or exc})"
    else:
        note = f"{MARKER}{path}"
    return dataclasses.replace(report, error=report.error + note, response=None)


def kept_path(error: str | None) -> str | None:
    """The kept response an error names (:func:`kept_report`), if it names one."""
    if not error or MARKER not in error:
        return None
    return error.rsplit(MARKER, 1)[1].strip() or None


def prune(folder: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` responses of a folder (their side files too)."""
    bodies = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.endswith(SIDE_FILES))
    for old in bodies[: max(len(bodies) - keep, 0)]:
        for path in (old, *(old.with_name(old.stem + side) for side in SIDE_FILES)):
            path.unlink(missing_ok=True)


def _free_stem(folder: Path, stem: str) -> str:
    """``stem``, or ``stem-2``, ``stem-3``… when one second saw several."""
    taken = {p.name.split(".", 1)[0] for p in folder.iterdir()}
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


def _extension(raw: RawResponse) -> str:
    head = raw.body[:300].lstrip()
    if head.startswith(b"<?xml") or b"<partial-response" in head:
        return "xml"
    if head.startswith((b"{", b"[")):
        return "json"
    return "html"


def _scrubbed(body: bytes, secrets: Iterable[str]) -> bytes:
    body = _SESSION_ID.sub(rb"\1" + HIDDEN.encode(), body)
    for secret in secrets:
        if secret and len(secret) >= 4:
            body = body.replace(secret.encode("utf-8"), HIDDEN.encode())
    return body


def _request_doc(raw: RawResponse) -> dict[str, Any]:
    doc: dict[str, Any] = {"url": raw.url, "status": raw.status, "meta": raw.meta}
    doc |= {"step": raw.step, "title": raw.title, "request": raw.request,
            "callback": raw.callback}  # fmt: skip
    if len(raw.body) > MAX_BODY:
        doc |= {"truncated": True, "size": len(raw.body)}
    return doc


def _write_json(path: Path, doc: Any, secrets: Iterable[str]) -> None:
    """``doc`` as JSON, every URL in it redacted and any session id hidden."""
    text = redact(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True, default=str),
                  secrets)  # fmt: skip
    path.write_bytes(_scrubbed(text.encode("utf-8"), ()) + b"\n")
