"""Alert delivery throughput: pending deliveries in the outbox → deliver_pending → local SMTP.

    python bench/delivery.py                  # 1,000 pending alerts, SQLite
    python bench/delivery.py --events 5000 --repeat 3

An aiosmtpd server runs in its own process on 127.0.0.1 (as a real mail relay would) and counts
the messages and distinct Message-IDs it accepts. The outbox is filled with ``article.new``
events routed to one ``mailto://`` channel; only ``deliver_pending`` is timed: claim, render
(Jinja2, text + HTML), send over the kept SMTP session, commit, one alert after another.
Target: ≥ 50 messages/s.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.config.alerts import Channel, Route
from pipeline.config.cases import Case
from pipeline.config.load import Config
from pipeline.config.settings import DeliverySettings, Settings
from pipeline.notify import deliver_pending
from pipeline.records import Event
from pipeline.store.engine import open_store
from pipeline.store.events import add_events

TARGET = 50.0
HOST = "127.0.0.1"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
CASE = "taldykorgan-torture"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def serve(port: int, ready: Any, stop: Any, results: Any) -> None:
    """The SMTP server process: accept everything, count messages and Message-IDs."""
    from aiosmtpd.controller import Controller

    ids: list[str] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            for line in envelope.content.split(b"\r\n"):
                if line.lower().startswith(b"message-id:"):
                    ids.append(line.split(b":", 1)[1].strip().decode())
                    break
                if not line:
                    break
            return "250 OK"

    controller = Controller(Handler(), hostname=HOST, port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    results.send((len(ids), len(set(ids))))


def config_for(port: int) -> Config:
    url = f"mailto://{HOST}:{port}?from=casewatch@example.org&to=monitor@example.org"
    settings = Settings(delivery=DeliverySettings(min_interval=timedelta(0), max_per_hour=0))
    case = Case(slug=CASE, title="Taldykorgan police torture trials")
    channel = Channel(id="team-email", url=url)
    route = Route(channels=("team-email",), language="ru")
    return Config(Path("."), settings, (), (case,), (channel,), (route,))


def fill(sessions: Any, count: int) -> None:
    events = [
        Event(
            kind="article.new",
            case=CASE,
            dedupe_key=f"bench:{n}",
            payload={
                "title": f"Суд над полицейскими в Талдыкоргане, день {n}",
                "url": f"https://rus.azattyq.org/a/taldykorgan-{n}.html",
                "publisher": "Азаттык",
                "source": "azattyq-ru",
                "published_at": "2026-11-28T04:30:00+00:00",
                "case_title": "Taldykorgan police torture trials",
                "why": "keyword 'пытки' in title; context 'Талдыкорган' in summary",
                "summary": "Подсудимые обвиняются в применении пыток к задержанным. " * 8,
            },
        )
        for n in range(count)
    ]
    with sessions.begin() as session:
        add_events(session, events, lambda kind, case: ("team-email",), NOW)


def one_run(count: int) -> tuple[float, int, int, int]:
    """(seconds, sent, received, distinct received) for ``count`` pending alerts."""
    port = free_port()
    ready, stop = mp.Event(), mp.Event()
    receive, send = mp.Pipe(duplex=False)
    server = mp.Process(target=serve, args=(port, ready, stop, send), daemon=True)
    server.start()
    ready.wait(30)
    with tempfile.TemporaryDirectory() as tmp:
        sessions = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        fill(sessions, count)
        config = config_for(port)
        started = time.perf_counter()
        report = deliver_pending(sessions, config, clock=lambda: NOW)
        elapsed = time.perf_counter() - started
        sessions.kw["bind"].dispose()
    stop.set()
    received, distinct = receive.recv()
    server.join(30)
    return elapsed, report.sent, received, distinct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    best = None
    for _ in range(args.repeat):
        elapsed, sent, received, distinct = one_run(args.events)
        rate = sent / elapsed
        print(
            f"deliver_pending → aiosmtpd: {rate:7.1f} messages/s  ({sent} sent in {elapsed:.2f} s;"
            f" server received {received}, {distinct} distinct Message-IDs)"
        )
        best = max(best or 0.0, rate)
    assert best is not None
    print(f"best: {best:.1f} messages/s; ratio to target {TARGET:.0f}/s: {best / TARGET:.2f}×")


if __name__ == "__main__":
    main()
