"""``casewatch follow``: a candidate → a case file in ``cases.d/``, and its evidence claimed.

The case is prefilled with what the candidate knows — case numbers, courts, people (in the
nominative: «Нуржана Абенова» → «Нуржан Абенов», the forms courts printed as variants) — and
the watch's topic terms and articles of the code. People a court listed as parties identify
the case alone; people only the news named count as context (they may be officials or
commentators: check the file). The watch's regions are not copied: with them, every torture
story in the country would match the new case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import yaml
from sqlalchemy.orm import Session

from pipeline.config.cases import Case
from pipeline.config.folder import CASES_DIR
from pipeline.config.watches import Watch
from pipeline.match.cases import compile_cases
from pipeline.match.people import nominative, people_in
from pipeline.normalize.hearing import hearing_fields
from pipeline.records import Hit, Match
from pipeline.store.candidate_models import CandidateRow
from pipeline.store.hearing_matches import record, save_hearing_matches
from pipeline.store.matches import save_matches, sync_cases
from pipeline.store.models import ArticleRow, HearingRow
from pipeline.store.read.candidates import CandidateListing

_LATIN_RE = re.compile(r"[A-Za-z]")


def case_entry(
    row: CandidateRow, listing: CandidateListing, watch: Watch | None, slug: str, title: str,
    timezone: str, now: datetime,
) -> dict[str, Any]:  # fmt: skip
    """The case as ``cases.yaml`` writes one (only the fields that say something)."""
    people = _people(row, listing)
    entry: dict[str, Any] = {
        "slug": slug,
        "title": title or default_title(listing, people),
        "description": f"Followed from candidate #{row.id} of watch {row.watch} on "
        f"{now:%Y-%m-%d}: {listing.title}",
        "keywords": {k: list(v) for k, v in watch.keywords.items()} if watch else {},
        "articles": list(watch.articles) if watch else list(listing.code_articles),
        "courts": list(listing.courts),
        "people": people,
        "case_numbers": list(listing.case_numbers),
        "exclude": [],
        "search": _searches(people),
        "timezone": next((h.timezone for h in listing.hearings if h.timezone), timezone),
    }
    return {k: v for k, v in entry.items() if v not in ({}, None) or k == "exclude"}


def default_title(listing: CandidateListing, people: list[dict[str, Any]]) -> str:
    """Trial of <the parties, else the people named> (<the first court>)."""
    chosen = [p for p in people if p["alone"]] or people
    names = ", ".join(p["name"] for p in chosen[:3])
    where = listing.courts[0] if listing.courts else ""
    if names:
        return f"Trial of {names}" + (f" ({where})" if where else "")
    return listing.title[:120] or f"Candidate #{listing.id}"


def _people(row: CandidateRow, listing: CandidateListing) -> list[dict[str, Any]]:
    printed: dict[str, list[str]] = {}
    for hearing in listing.hearings:
        for named in people_in(hearing.title):
            printed.setdefault(named.key, []).append(named.shown)
    out = []
    for key, shown, full in row.people:
        name = nominative(shown) if full else shown
        variants = [v for v in dict.fromkeys(printed.get(key, [])) if v != name]
        role = "party (court schedule)" if key in printed else "named in the news"
        person: dict[str, Any] = {"name": name, "role": role, "alone": key in printed}
        if variants:
            person["variants"] = variants
        out.append(person)
    return out


def _searches(people: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Google News queries: the full names of the parties (else of everyone named), by
    script; none when no full name is known (the case's keywords are searched then)."""
    full = [p for p in people if "." not in p["name"]]
    names = [p["name"] for p in full if p["alone"]] or [p["name"] for p in full]
    cyrillic = [n for n in names if not _LATIN_RE.search(n)]
    latin = [n for n in names if _LATIN_RE.search(n)]
    out = {"ru": cyrillic, "kk": list(cyrillic), "en": latin}
    return {k: v for k, v in out.items() if v}


def write_case_file(root: Path, entry: dict[str, Any], note: str) -> Path:
    """``cases.d/<slug>.yaml`` under the config folder; never overwrites a file."""
    folder = root / CASES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{entry['slug']}.yaml"
    text = yaml.safe_dump({"cases": [entry]}, allow_unicode=True, sort_keys=False, width=96)
    header = "".join(f"# {line}\n" if line else "#\n" for line in note.splitlines())
    with path.open("x", encoding="utf-8") as fh:
        fh.write(header + "\n" + text)
    return path


@dataclass(frozen=True, slots=True)
class Claimed:
    by_terms: int = 0
    as_evidence: int = 0


def claim_evidence(
    session: Session, case: Case, listing: CandidateListing, now: datetime
) -> Claimed:
    """Match the candidate's articles and hearings to the new case; what its terms do not
    match is claimed as the candidate's evidence (the monitor said it is this case). No
    alerts: the monitor has seen them."""
    sync_cases(session, [case], now)
    matcher = compile_cases([case])
    evidence = Hit(f"candidate #{listing.id}", "candidate", "follow", listing.watch)
    fallback = Match(case.slug, 0.5, (evidence,))
    by_terms = as_evidence = 0
    for item in listing.articles:
        article = session.get(ArticleRow, item.id)
        if article is None:
            continue
        fields = {"title": article.title, "summary": article.summary, "text": article.text}
        matches = [m for m in matcher.match(fields) if m.case == case.slug]
        by_terms += bool(matches)
        as_evidence += not matches
        save_matches(session, item.id, matches or [fallback], now)
    for item in listing.hearings:
        hearing = session.get(HearingRow, item.id)
        if hearing is None:
            continue
        matches = [m for m in matcher.match(hearing_fields(record(hearing))) if m.case == case.slug]
        by_terms += bool(matches)
        as_evidence += not matches
        save_hearing_matches(session, item.id, matches or [fallback], now)
    return Claimed(by_terms, as_evidence)


def candidate_id(text: str) -> int:
    """``12`` or ``#12``."""
    digits = text.strip().lstrip("#")
    if not digits.isdigit():
        raise click.BadParameter(f"a candidate's number, like 12, got {text!r}")
    return int(digits)
