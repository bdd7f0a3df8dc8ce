"""Dashboard and search page response times at 100k articles (target p95 ≤ 200 ms).

    python bench/dashboard.py                      # 100,000 articles, 300 hearings, 50 requests
    python bench/dashboard.py --articles 20000 --requests 20

Fills a SQLite file through the store's own functions (``upsert_articles`` — which also
indexes for search — ``save_matches``, ``scan_hearings``, ``save_hearing_matches``), then
serves the app with a real uvicorn on 127.0.0.1 and times full HTTP requests with httpx:
the case dashboard, the overview, the search page and the case calendar. Only the requests
are timed, after one warm-up request each.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config.load import load_config
from pipeline.items import RawHearing
from pipeline.normalize.text import content_hash, title_key
from pipeline.records import Article, Change, Hit, Match
from pipeline.store.articles import upsert_articles
from pipeline.store.engine import open_store
from pipeline.store.hearing_matches import save_hearing_matches
from pipeline.store.hearings import scan_hearings
from pipeline.store.matches import save_matches, sync_cases
from pipeline.store.models import SourceRow
from pipeline.web import WebDeps, create_app

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
CASE = "taldykorgan-torture"
TARGET_MS = 200.0
WORDS = {
    "ru": "суд пытки полицейский Талдыкорган заседание приговор адвокат потерпевший задержанный "
    "прокурор дело свидетель показания январь события изолятор следствие жалоба".split(),
    "kk": "сот азаптау полиция Талдықорған отырыс үкім адвокат жәбірленуші ұсталған "
    "прокурор іс куә айғақ қаңтар оқиғасы тергеу шағым".split(),
    "en": "court torture police Taldykorgan hearing verdict lawyer victim detained prosecutor "
    "case witness testimony January unrest detention investigation appeal".split(),
}


def sentence(rng: random.Random, lang: str, n: int) -> str:
    return " ".join(rng.choice(WORDS[lang]) for _ in range(n)).capitalize() + "."


def articles(rng: random.Random, start: int, count: int) -> list[Article]:
    out = []
    for i in range(start, start + count):
        lang = rng.choice(("ru", "ru", "kk", "en"))
        title = f"{sentence(rng, lang, 8)} #{i}"
        text = " ".join(sentence(rng, lang, 12) for _ in range(6))
        published = NOW - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        url = f"https://news.example/{lang}/{i}"
        out.append(
            Article(
                source_id="bench-feed", url=url, canonical_url=url, title=title, summary="",
                text=text, language=lang, published_at=published, author="",
                content_hash=content_hash(title, "", text), title_key=title_key(title),
            )
        )  # fmt: skip
    return out


def fill_articles(sessions: sessionmaker[Session], total: int, share: float) -> None:
    rng = random.Random(7)
    hit = (Hit("пытки", "keyword", "title", "пытки"),)
    for start in range(0, total, 2000):
        with sessions.begin() as session:
            upserted = upsert_articles(session, articles(rng, start, min(2000, total - start)), NOW)
            for item in upserted:
                if item.change is Change.NEW and rng.random() < share:
                    save_matches(session, item.article_id, [Match(CASE, 0.8, hit)], NOW,
                                      check_existing=False)  # fmt: skip


def fill_hearings(sessions: sessionmaker[Session], count: int) -> None:
    rng = random.Random(11)
    raws = [
        RawHearing(
            source_id="bench-court",
            url="https://court.example/schedule",
            court="Талдыкорганский городской суд",
            date=(NOW + timedelta(days=rng.randrange(-300, 60))).strftime("%d.%m.%Y"),
            time=f"{rng.randrange(9, 18):02d}:{rng.choice(('00', '30'))}",
            case_number=f"1917-22-00-1/{200 + i}",
            judge="Дуйсенбеков Б.",
            courtroom=f"зал {rng.randrange(1, 9)}",
            row=i + 1,
        )
        for i in range(count)
    ]
    with sessions.begin() as session:
        changes, _skipped, _same = scan_hearings(
            session, raws, source_id="bench-court", seen_at=NOW, window=None
        )
        for change in changes:
            save_hearing_matches(session, change.hearing_id, [Match(CASE, 1.0, ())], NOW,
                                 check_existing=False)  # fmt: skip


def build(path: Path, total: int, hearings: int, share: float) -> sessionmaker[Session]:
    sessions = open_store(f"sqlite:///{path}")
    config = load_config(None)
    with sessions.begin() as session:
        sync_cases(session, config.cases, NOW)
        session.add_all(
            [
                SourceRow(id="bench-feed", kind="feed", url="https://news.example/rss",
                               consecutive_failures=0),
                SourceRow(id="bench-court", kind="court_table",
                               url="https://court.example/schedule", consecutive_failures=0),
            ]
        )  # fmt: skip
    started = time.perf_counter()
    fill_articles(sessions, total, share)
    fill_hearings(sessions, hearings)
    print(f"filled {total} articles ({share:.0%} of them in {CASE}) and {hearings} hearings "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    return sessions


def serve(sessions: sessionmaker[Session]) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    app = create_app(WebDeps(sessions=sessions, clock=lambda: NOW))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


def timings(client: httpx.Client, path: str, n: int) -> list[float]:
    assert client.get(path).status_code == 200, path
    out = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return out


def report(name: str, values: Sequence[float]) -> None:
    ordered = sorted(values)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{name:<34} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   p95/target {p95 / TARGET_MS:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--hearings", type=int, default=300)
    parser.add_argument("--share", type=float, default=0.3, help="share of articles in the case")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--db", type=Path, help="keep the database here; reuse it if it exists")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "bench.db"
        if path.exists():
            sessions = open_store(f"sqlite:///{path}")
        else:
            sessions = build(path, args.articles, args.hearings, args.share)
        server, thread, base = serve(sessions)
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                for name, path in (
                    ("case dashboard", f"/cases/{CASE}"),
                    ("overview (/)", "/"),
                    ("search page (пытками)", "/search?q=пытками"),
                    ("search page + case filter", f"/search?q=Талдыкорган&case={CASE}"),
                    ("case calendar (.ics)", f"/cases/{CASE}/hearings.ics"),
                ):
                    report(name, timings(client, path, args.requests))
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sessions.kw["bind"].dispose()
    print(f"target: p95 ≤ {TARGET_MS:.0f} ms (ratio ≤ 1.00 meets it)")


if __name__ == "__main__":
    main()
