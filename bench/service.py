"""The service's two budgets: delivery throughput and resident memory over many crawl cycles.

    python bench/service.py                      # 500 messages; 1,000 crawl cycles
    python bench/service.py --messages 1000 --cycles 2000 --feeds 6

1. Delivery: N pending ``article.new`` events routed to an email channel on a local aiosmtpd
   server; one ``deliver_pending`` call sends them all. Prints messages/s (target ≥ 50).
2. Memory: the real ``casewatch run`` process against local feeds whose items keep changing,
   every source on a sub-second interval, until it has made ``--cycles`` fetches; its resident
   memory (VmRSS from /proc) is sampled along the way. Prints the growth after warm-up (target
   < 10 %) and the peak (target ≤ 200 MB, issue 14), then stops it with SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.config.load import load_config  # noqa: E402
from pipeline.notify.deliver import deliver_pending  # noqa: E402
from pipeline.records import Event  # noqa: E402
from pipeline.store.engine import open_store  # noqa: E402
from pipeline.store.events import add_events  # noqa: E402
from tests.support.http_server import LocalHTTPServer  # noqa: E402
from tests.support.smtp import LocalSMTPServer  # noqa: E402

CASEWATCH = Path(sys.executable).parent / "casewatch"
DELIVERY_TARGET = 50.0
GROWTH_TARGET = 0.10
RSS_TARGET_MB = 200.0


# ---------------------------------------------------------------- delivery


def delivery_config(folder: Path, smtp_port: int) -> None:
    folder.mkdir()
    (folder / "settings.yaml").write_text(
        f"data_dir: {folder.parent}\nnews_search: {{enabled: false}}\n"
        "delivery: {min_interval: 0s, timeout: 10s, max_per_hour: 0}\n",
        encoding="utf-8",
    )
    (folder / "alerts.yaml").write_text(
        "channels:\n  - id: mail\n"
        f"    url: 'mailto://127.0.0.1:{smtp_port}?from=cw@example.org&to=team@example.org'\n"
        "routes:\n  - {events: ['*'], channels: [mail]}\n",
        encoding="utf-8",
    )


def article_event(i: int) -> Event:
    url = f"https://example.kz/news/{i}"
    return Event(
        kind="article.new",
        case="taldykorgan-torture",
        dedupe_key=f"article.new:taldykorgan-torture:{url}",
        payload={
            "title": f"Суд в Талдыкоргане: заседание по делу о пытках №{i}",
            "url": url, "source": "bench", "publisher": "example.kz",
            "published_at": "2026-11-27T09:00:00+05:00", "language": "ru",
            "case_title": "Taldykorgan police torture trials",
            "why": [["keyword", "пытки", "title", "пытках"]], "score": 1.0,
            "summary": "Подсудимые обвиняются в пытках задержанных по статье 146 УК. " * 3,
        },
    )  # fmt: skip


def bench_delivery(messages: int, work: Path) -> float:
    smtp = LocalSMTPServer()
    smtp.start()
    try:
        folder = work / "delivery-config"
        delivery_config(folder, smtp.port)
        config = load_config(folder, environ={})
        sessions = open_store(f"sqlite:///{work / 'delivery.db'}")
        now = datetime.now(UTC)
        with sessions.begin() as session:
            add_events(session, [article_event(i) for i in range(messages)],
                            lambda kind, case: ("mail",), now)  # fmt: skip
        started = time.perf_counter()
        report = deliver_pending(sessions, config, clock=lambda: datetime.now(UTC))
        elapsed = time.perf_counter() - started
        received = len(smtp.wait_for(messages, timeout=60))
    finally:
        smtp.stop()
    rate = report.sent / elapsed
    print(f"delivery: {report.sent} sent, {received} received in {elapsed:.2f} s")
    print(f"  throughput {rate:8.1f} msg/s   (target ≥ {DELIVERY_TARGET:g}: "
          f"{rate / DELIVERY_TARGET:.2f}× the target)")  # fmt: skip
    return rate


# ---------------------------------------------------------------- memory


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def feed_body(feed: int, round_: int) -> str:
    """20 items; each round drops the oldest item and adds a new one."""
    items = "".join(
        f"<item><title>Новости {feed}: событие {n} в регионе</title>"
        f"<link>https://example.kz/{feed}/{n}</link><guid>https://example.kz/{feed}/{n}</guid>"
        f"<pubDate>Fri, 27 Nov 2026 09:00:00 +0500</pubDate>"
        f"<description>Текст новости {n} о жизни области, решения акимата.</description></item>"
        for n in range(round_, round_ + 20)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'


def rotate(http: LocalHTTPServer, feeds: int, stop: threading.Event) -> None:
    round_ = 0
    while not stop.wait(1.0):
        round_ += 1
        for f in range(feeds):
            http.route(f"/f{f}.xml", body=feed_body(f, round_),
                       headers={"Content-Type": "application/rss+xml"})  # fmt: skip


def service_config(folder: Path, http: LocalHTTPServer, feeds: int, every: float) -> None:
    folder.mkdir()
    shutil.copy(ROOT / "config" / "cases.yaml", folder / "cases.yaml")
    (folder / "settings.yaml").write_text(
        f"data_dir: {folder.parent}\ndownload_delay: 0s\nnews_search: {{enabled: false}}\n"
        "service: {startup_spread: 0.5s, deliver_every: 1s, shutdown_grace: 5s}\n",
        encoding="utf-8",
    )
    rows = "".join(f"  - {{id: f{f}, kind: feed, url: '{http.url(f'/f{f}.xml')}', every: {every}}}\n"
                   for f in range(feeds))  # fmt: skip
    (folder / "sources.yaml").write_text("sources:\n" + rows, encoding="utf-8")


def bench_memory(cycles: int, feeds: int, every: float, work: Path) -> tuple[float, float]:
    http = LocalHTTPServer()
    http.start()
    stop = threading.Event()
    for f in range(feeds):
        http.route(
            f"/f{f}.xml", body=feed_body(f, 0), headers={"Content-Type": "application/rss+xml"}
        )
    threading.Thread(target=rotate, args=(http, feeds, stop), daemon=True).start()
    folder = work / "service-config"
    service_config(folder, http, feeds, every)
    env = {**os.environ, "CASEWATCH_DATABASE_URL": f"sqlite:///{work / 'service.db'}"}
    env.pop("CASEWATCH_CONFIG", None)
    process = subprocess.Popen(
        [str(CASEWATCH), "--config", str(folder), "run"], env=env,
        stdout=subprocess.DEVNULL, stderr=(work / "service.log").open("wb"),
    )  # fmt: skip
    warm_at, samples = max(cycles // 5, 50), []
    started = time.perf_counter()
    try:
        for mark in range(50, cycles + 1, 50):
            http.wait_for_requests(mark, timeout=600)
            samples.append((mark, rss_mb(process.pid)))
        elapsed = time.perf_counter() - started
    finally:
        sent = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
        stop.set()
        http.close()
    return report_memory(samples, warm_at, cycles, elapsed, code, time.perf_counter() - sent)


def report_memory(
    samples: list[tuple[int, float]], warm_at: int, cycles: int, elapsed: float,
    code: int, stop_s: float,
) -> tuple[float, float]:  # fmt: skip
    warm = next(rss for mark, rss in samples if mark >= warm_at)
    final, peak = samples[-1][1], max(rss for _, rss in samples)
    growth = (final - warm) / warm
    print(f"memory: {cycles} crawl cycles in {elapsed:.0f} s ({cycles / elapsed:.1f} cycles/s)")
    print(
        "  rss by cycle: "
        + ", ".join(f"{m}: {r:.0f}" for m, r in samples[:: max(len(samples) // 10, 1)])
    )
    print(f"  after warm-up (cycle {warm_at}) {warm:.1f} MB → {final:.1f} MB at cycle {cycles}")
    print(f"  growth {growth * 100:+.1f} %   (target < {GROWTH_TARGET * 100:g} %: "
          f"{abs(growth) / GROWTH_TARGET:.2f}× the limit)")  # fmt: skip
    print(f"  peak   {peak:.1f} MB   (target ≤ {RSS_TARGET_MB:g} MB: "
          f"{peak / RSS_TARGET_MB:.2f}× the limit)")  # fmt: skip
    print(f"  SIGTERM → exit status {code} in {stop_s:.2f} s")
    return growth, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--feeds", type=int, default=4)
    parser.add_argument("--every", type=float, default=0.25, help="seconds between fetches")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="casewatch-bench-") as tmp:
        bench_delivery(args.messages, Path(tmp))
        bench_memory(args.cycles, args.feeds, args.every, Path(tmp))


if __name__ == "__main__":
    main()
