"""Extraction quality over real-style pages of the outlets monitors read (ru, kk, en).

``tests/fixtures/extract/expected.json`` names, per page, its URL and Content-Type as served
(and ``tz`` where a source entry would give the zone), and the title, publication time (UTC), language and the start of the first paragraph. The
layouts follow the outlets' real markup (SOURCES.md §2): JSON-LD objects, lists and @graph;
meta tags only; a date only in ``<time>``; a date only as text; cp1251 with and without a
declaration. One test walks every page and fails once, naming every page and field that is wrong.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.parse.page import ExtractedPage, extract_page

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (FIXTURES / "expected.json").read_text(encoding="utf-8")
)


def extract_fixture(name: str) -> ExtractedPage:
    case = EXPECTED[name]
    body = (FIXTURES / f"{name}.html").read_bytes()
    return extract_page(body, case["url"], content_type=case.get("content_type"), tz=case.get("tz"))


def problems_of(name: str, page: ExtractedPage) -> list[str]:
    case = EXPECTED[name]
    found = {
        "title": page.title,
        "published": page.published.isoformat() if page.published else None,
        "language": page.language,
    }
    wrong = [
        f"{name}: {key} {found[key]!r} != expected {case[key]!r} (via {page.sources.get(key)})"
        for key in ("title", "published", "language")
        if found[key] != case[key]
    ]
    lead = page.first_paragraph or ""
    if not lead.startswith(case["first_paragraph"]):
        wrong.append(
            f"{name}: first paragraph {lead[:60]!r} does not start {case['first_paragraph']!r}"
        )
    return wrong


def test_fixture_set_covers_layouts_and_languages() -> None:
    assert len(EXPECTED) >= 30
    languages = Counter(case["language"] for case in EXPECTED.values())
    assert min(languages[code] for code in ("ru", "kk", "en")) >= 5, languages
    for name in EXPECTED:
        assert (FIXTURES / f"{name}.html").is_file(), name


def test_title_date_and_first_paragraph_of_every_page() -> None:
    problems: list[str] = []
    for name in sorted(EXPECTED):
        try:
            page = extract_fixture(name)
        except Exception as exc:  # one broken page must not hide the others
            problems.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        problems += problems_of(name, page)
    assert not problems, f"{len(problems)} wrong field(s):\n" + "\n".join(problems)


def test_every_page_gives_aware_utc_dates_and_paragraph_text() -> None:
    for name in sorted(EXPECTED):
        page = extract_fixture(name)
        for value in (page.published, page.modified):
            assert value is None or (isinstance(value, datetime) and value.utcoffset() is not None)
            assert value is None or value.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        assert page.text.count("\n\n") >= 1, name
        assert page.sources["title"] and page.sources["published"], name


def test_undeclared_cp1251_page_is_decoded() -> None:
    page = extract_fixture("court-cp1251-undeclared")
    assert EXPECTED["court-cp1251-undeclared"]["content_type"] == "text/html"
    assert page.title is not None and "Талдыкорган" in page.title
    assert "Ã" not in page.text and "Р°" not in page.text
