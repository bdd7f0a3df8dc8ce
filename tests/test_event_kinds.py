"""The event-kind registry (``pipeline.events.kinds``) is complete and the only home of a kind:
every kind the builders emit is registered, every registered kind renders in English and
Russian and has its place in a digest, and no module outside ``pipeline/events`` spells one."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.config.load import load_config
from pipeline.events.articles import (
    article_changed_events,
    article_events,
    article_removed_events,
)
from pipeline.events.candidates import CandidateFacts, candidate_new_event
from pipeline.events.health import channel_health_event, source_health_events
from pipeline.events.hearings import hearing_events, reminder_events
from pipeline.events.kinds import ALERTS_TEST, BY_NAME, KINDS, EventKind, digest_rank
from pipeline.events.volume import fold_flood
from pipeline.notify.digest import group_events, render_digest
from pipeline.notify.render import TEMPLATES, EventView, render
from pipeline.notify.routing import route_matches
from pipeline.records import (
    Article,
    Change,
    Event,
    FieldChange,
    Hearing,
    HearingChange,
    Hit,
    Match,
)

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
LANGUAGES = ("en", "ru")
KIND_SHAPE = re.compile(r"^(hearing|article|source|channel|candidate)\.[a-z_]+$")
# What an event kind's second part says happened. Other strings of the same shape are no
# kinds: foreign keys ("source.id"), web labels ("hearing.when"), meta names
# ("article.published"), template files ("article.html").
HAPPENED = frozenset(
    "scheduled rescheduled cancelled removed reinstated reminder new changed failing recovered".split()
)

HEARING = Hearing(
    source_id="court",
    court="City court",
    case_number="1-2/3",
    case_key="123",
    scheduled_at=NOW + timedelta(days=3),
    local_time="2026-12-01T11:00",
    timezone="Asia/Almaty",
    courtroom="room 3",
    judge="Judge A.",
    parties="A v B",
    category="civil",
    stage="",
    status="scheduled",
    source_url="https://court.example/schedule",
    article_url="",
    identity="court|123|2026-12-01",
)
MOVED = HearingChange(
    Change.CHANGED,
    1,
    HEARING,
    (FieldChange("local_time", "2026-11-30T11:00", HEARING.local_time),),
)
ARTICLE = Article(
    source_id="news",
    url="https://news.example/a",
    canonical_url="https://news.example/a",
    title="A court story",
    summary="What happened.",
    text="What happened, at length.",
    language="en",
    published_at=NOW,
    author="",
    content_hash="h",
    title_key="a court story",
)
MATCH = Match("tt", 1.0, (Hit("court", "keyword", "title", "court"),))
TITLES = {"tt": "Test case"}
FACTS = {  # what ingest.pages puts in article.changed / article.removed
    "title": ARTICLE.title,
    "url": ARTICLE.canonical_url,
    "source": ARTICLE.source_id,
    "publisher": "News",
    "published_at": NOW.isoformat(),
    "first_captured_at": NOW.isoformat(),
    "previous_sha256": "a" * 64,
    "sha256": "b" * 64,
    "fetched_at": NOW.isoformat(),
    "diff": "-old\n+new",
    "old_title": "Old",
    "new_title": ARTICLE.title,
    "reason": "gone",
    "status": 404,
    "final_url": ARTICLE.canonical_url,
}


def emitted() -> list[Event]:
    """One event of each kind every builder makes."""
    gone = HearingChange(Change.CHANGED, 1, HEARING, removed=True)
    off = HearingChange(  # the court prints it cancelled
        Change.CHANGED,
        1,
        replace(HEARING, status="cancelled"),
        (FieldChange("status", "scheduled", "cancelled"),),
    )
    back = HearingChange(
        Change.CHANGED, 1, HEARING, (FieldChange("status", "removed", "scheduled"),)
    )
    return [
        *article_events(Change.NEW, 1, ARTICLE, [MATCH], TITLES),
        *article_changed_events(1, ["tt"], TITLES, FACTS, "k1"),
        *article_removed_events(1, ["tt"], TITLES, FACTS, "k2"),
        *hearing_events(HearingChange(Change.NEW, 1, HEARING), ["tt"], TITLES, now=NOW),
        *hearing_events(MOVED, ["tt"], TITLES, now=NOW),
        *hearing_events(off, ["tt"], TITLES, now=NOW),
        *hearing_events(gone, ["tt"], TITLES, now=NOW),
        *hearing_events(back, ["tt"], TITLES, now=NOW),
        *reminder_events([(1, HEARING, "tt")], timedelta(hours=24), case_titles=TITLES),
        *_source_health(failures_before=0, failures_after=3),
        *_source_health(failures_before=3, failures_after=0),
        *(
            channel_health_event("mail", recovered=r, failures=3, error="down", at=NOW)
            for r in (False, True)
        ),
        candidate_new_event(  # a watch found a prosecution no case follows
            CandidateFacts(
                7,
                "torture-kz",
                "Torture prosecutions",
                "City court: A., B.",
                ARTICLE.url,
                "article '146' in category",
                ("City court",),
                ("1917-22-00-1/215",),
                ("A. B.",),
                ("146",),
                NOW,
            ),
            "candidate.new:7",
        ),
        *(  # a fetch over the per-run cap: the rest folded into one alert
            e
            for e in fold_flood(
                article_events(Change.NEW, 1, ARTICLE, [MATCH], TITLES) * 2, "news", 1
            )
            if e.kind == "articles.folded"
        ),
    ]


def _source_health(*, failures_before: int, failures_after: int) -> list[Event]:
    return source_health_events(
        "news",
        failures_before=failures_before,
        failures_after=failures_after,
        failing_after=3,
        error="HTTP 500",
        at=NOW,
    )


def samples() -> dict[str, EventView]:
    """A sample event per kind: the builders', and the test alert of ``casewatch alerts test``."""
    views = {e.kind: EventView(e.kind, e.case, e.payload) for e in emitted()}
    views[ALERTS_TEST.name] = EventView(ALERTS_TEST.name, None, {"channel": "mail", "sent_at": ""})
    return views


def test_every_emitted_kind_is_registered_and_every_registered_kind_is_emitted() -> None:
    assert sorted(samples()) == sorted(BY_NAME)
    assert len(BY_NAME) == len(KINDS)


def test_ops_kinds_have_no_case_and_are_what_the_shipped_ops_route_sends() -> None:
    (ops,) = [r for r in load_config(ROOT / "config", environ={}).routes if r.id == "ops"]
    views = samples()
    for kind in KINDS:
        assert route_matches(ops, kind.name, None) is kind.ops, kind.name
        assert views[kind.name].case_slug is None or not kind.ops, kind.name


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_has_its_templates_and_renders(kind: EventKind, language: str) -> None:
    name, _english = kind.templates(language)
    assert (TEMPLATES / name).is_file(), name
    message = render(samples()[kind.name], language=language, timezone="UTC")
    assert message.title and message.body_text and message.body_markdown and message.body_html


def test_every_kind_template_belongs_to_a_registered_kind() -> None:
    stems = {kind.template or kind.name for kind in KINDS}
    shared = {"generic", "digest"}
    for path in TEMPLATES.glob("*.j2"):
        stem = path.name.rsplit(".", 2)[0]
        assert path.name.startswith("_") or stem in stems | shared, path.name


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_digest_orders_and_titles_every_kind(language: str) -> None:
    assert sorted(KINDS, key=lambda k: digest_rank(k.name)) == list(KINDS)
    assert digest_rank("unregistered.kind")[0] == len(KINDS)
    events = [(view, "UTC") for view in reversed(samples().values())]
    shown = [k for group in group_events(events, language=language) for k in group["kinds"]]
    by_case = {view.case_slug for view, _ in events}
    assert len(shown) == len(KINDS) and len(by_case) == 2
    for kind in KINDS:
        assert set(kind.titles) in (set(), set(LANGUAGES)), kind.name
        assert kind.title(language) == kind.titles.get(language, kind.name)
    assert render_digest(events, language=language).body_text


def test_no_kind_literal_outside_pipeline_events() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for path in sorted((ROOT / "pipeline").rglob("*.py"))
        if "events" not in path.relative_to(ROOT / "pipeline").parts[:1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _is_kind(node.value)
    ]
    assert found == []


def _is_kind(text: str) -> bool:
    """A registered kind, or a string shaped like one that names a development."""
    shaped = KIND_SHAPE.match(text) is not None and text.split(".")[1] in HAPPENED
    return shaped or text in BY_NAME
