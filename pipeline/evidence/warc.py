"""Captures → a WARC file (warcio) and a manifest an investigator can hand over.

Per capture: a ``response`` record with the stored bytes, status and headers, dated with the
fetch time and named by the capture's ``record_id`` (the same in every export), then a
``request`` record (``WARC-Concurrent-To`` it) with the headers that were sent.

The stored body is what the HTTP client handed over: transfer and content encodings already
undone. So that WARC readers do not try to undo them again, ``Transfer-Encoding`` and
``Content-Encoding`` are written as ``X-Casewatch-Original-…`` and ``Content-Length`` is the
stored body's length. The manifest's sha256 is of that body — the payload of the response record.
"""

from __future__ import annotations

import csv
import http
import io
import json
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.store.models import ArticleRow, CaptureRow

RENAMED = ("transfer-encoding", "content-encoding")
MANIFEST_FIELDS = (
    "url", "final_url", "fetched_at", "status", "kind", "sha256", "body_size",
    "warc_record_id", "title", "article_url",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    url: str
    final_url: str
    fetched_at: str
    status: int | None
    kind: str
    sha256: str
    body_size: int
    warc_record_id: str
    title: str
    article_url: str


@dataclass(frozen=True, slots=True)
class Export:
    warc: Path
    manifest_json: Path
    manifest_csv: Path
    entries: tuple[ManifestEntry, ...]


def export_evidence(
    rows: Sequence[tuple[CaptureRow, ArticleRow]], out_dir: Path, case: str, now: datetime
) -> Export:
    """Write ``<case>.warc.gz``, ``manifest.json`` and ``manifest.csv`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    warc_path = out_dir / f"{case}.warc.gz"
    entries = []
    with warc_path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(_warcinfo(writer, case, now, len(rows)))
        for capture, article in rows:
            writer.write_record(_response(writer, capture))
            writer.write_record(_request(writer, capture))
            entries.append(_entry(capture, article))
    manifest = {
        "case": case,
        "exported_at": now.isoformat(),
        "warc": warc_path.name,
        "captures": [asdict(e) for e in entries],
    }
    json_path = out_dir / "manifest.json"
    json_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    csv_path = out_dir / "manifest.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        table = csv.DictWriter(fh, fieldnames=MANIFEST_FIELDS)
        table.writeheader()
        table.writerows(asdict(e) for e in entries)
    return Export(warc_path, json_path, csv_path, tuple(entries))


def _warcinfo(writer: WARCWriter, case: str, now: datetime, count: int) -> Any:
    info = {
        "software": "casewatch",
        "format": "WARC File Format 1.1",
        "description": f"casewatch evidence for case {case}: {count} capture(s)",
        "exported-at": now.isoformat(),
    }
    return writer.create_warcinfo_record(f"{case}.warc.gz", info)


def _response(writer: WARCWriter, capture: CaptureRow) -> Any:
    body = zlib.decompress(capture.body) if capture.body else b""
    status = capture.status or 0
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    headers = _stored_headers(capture.headers, len(body))
    return writer.create_warc_record(
        capture.final_url,
        "response",
        payload=io.BytesIO(body),
        length=None,
        http_headers=StatusAndHeaders(f"{status} {phrase}", headers, protocol="HTTP/1.1"),
        warc_headers_dict={
            "WARC-Record-ID": capture.record_id,
            "WARC-Date": _warc_date(capture.fetched_at),
        },
    )


def _request(writer: WARCWriter, capture: CaptureRow) -> Any:
    split = capture.final_url.split("/", 3)
    path = "/" + (split[3] if len(split) > 3 else "")
    host = split[2] if len(split) > 2 else ""
    headers = [("Host", host)] + [
        (str(k), str(v)) for k, v in capture.request_headers if str(k).lower() != "host"
    ]
    return writer.create_warc_record(
        capture.final_url,
        "request",
        payload=io.BytesIO(b""),
        http_headers=StatusAndHeaders(f"GET {path} HTTP/1.1", headers, is_http_request=True),
        warc_headers_dict={
            "WARC-Date": _warc_date(capture.fetched_at),
            "WARC-Concurrent-To": capture.record_id,
        },
    )


def _stored_headers(pairs: Sequence[Sequence[str]], length: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, value in pairs:
        lower = str(name).lower()
        if lower == "content-length":
            continue
        if lower in RENAMED:
            name = f"X-Casewatch-Original-{name}"
        out.append((str(name), str(value)))
    return [*out, ("Content-Length", str(length))]


def _warc_date(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(capture: CaptureRow, article: ArticleRow) -> ManifestEntry:
    return ManifestEntry(
        url=capture.url,
        final_url=capture.final_url,
        fetched_at=capture.fetched_at.isoformat(),
        status=capture.status,
        kind=capture.kind,
        sha256=capture.sha256,
        body_size=capture.body_size,
        warc_record_id=capture.record_id,
        title=capture.title or article.title,
        article_url=article.canonical_url,
    )
