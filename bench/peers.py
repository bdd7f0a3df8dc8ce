"""casewatch against rss2email on the same local feeds: CPU and wall, first run and unchanged.

    python bench/peers.py                          # 200 feeds × 50 items, 4 rounds
    python bench/peers.py --feeds 50 --rounds 1    # a quick look
    python bench/peers.py --fast-feeds             # casewatch with settings.fast_feeds on

Generates ``--feeds`` RSS feeds of ``--items`` items (60 % Russian, 40 % English feeds, items of
about 1.7 KB, 2 % of them about a shipped case) and serves them from a separate process on
127.0.0.1 with ``ETag`` and ``Last-Modified`` (a matching ``If-None-Match`` or
``If-Modified-Since`` gets 304). Then, each round, with fresh state for both:

* ``casewatch --config DIR run --once --all``: a temporary config folder with one ``feed`` row
  per feed (``full_text: never``: rss2email reads no article pages either), the shipped cases,
  no news searches, no channels (alerts go to the console), no download delay, SQLite;
* ``r2e run --no-send``: rss2email (from PyPI, installed by this script in a venv of its own
  under ``~/.cache/casewatch-bench/``), configured by ``r2e new`` and ``r2e opmlimport`` with
  the same feeds; ``--no-send`` still turns every new entry into its email;
* each of them again: the unchanged run, where the server answers 304 to every feed;
* the Scrapy floor (``bench/scrapy_floor.py``): the same fetches through Scrapy with every
  optional part off, and ``feedparser.parse`` of each body — the least casewatch could cost
  with Scrapy as its fetcher; and the spine floor, the same keeping its validators and entries
  in SQLite through SQLAlchemy's ORM — what the product card's parts cost before casewatch's
  own code runs;
* the floor: ``urllib`` + ``feedparser.parse`` of every feed in this process (and the
  conditional GETs alone for the unchanged run).

The programs take turns going first (casewatch, rss2email, the floors in round 1; the next
one first in each round after, so four rounds give each the first place once) and their runs interleave (first, first, first,
unchanged, …). CPU is user + system time of the
child (``os.wait4``); wall is its elapsed time. Medians over the rounds, and their ratios.
Targets (issue 14): casewatch's first-run CPU ≤ 0.8 × rss2email's, unchanged ≤ 1.5 ×.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
RSS2EMAIL = "rss2email==3.14"
LAST_MODIFIED = "Mon, 30 Nov 2026 08:00:00 GMT"

WORDS = {
    "ru": "суд заседание приговор полиция область город правительство закон депутат экономика "
    "бюджет школа больница дорога выборы министр решение рынок цены банк кредит погода спорт "
    "фестиваль театр выставка налог пенсия строительство жильё транспорт жители район акимат "
    "проект программа развитие предприятие завод компания рабочие зарплата урожай фермеры "
    "вода отопление ремонт улица автобус мост аэропорт вокзал университет студенты учителя "
    "в на и по с для не что это как его к от из за 2026 года 15 ноября 300 тысяч тенге 12 %".split(),
    "en": "court hearing verdict police region city government law deputy economy budget school "
    "hospital road election minister decision market prices bank credit weather sport festival "
    "theatre exhibition tax pension construction housing transport residents district project "
    "programme development company workers salary harvest farmers water heating repair street "
    "bus bridge airport station university students teachers the of and in to for on a is "
    "that with by from at as 2026 15 November 300 thousand tenge 12 %".split(),
}
RELEVANT = {
    "ru": "В Талдыкоргане суд вынес приговор полицейским по делу о пытках задержанных",
    "en": "Taldykorgan court sentences police officers for torturing detainees",
}


# ---------------------------------------------------------------- feeds and their server


def feed_language(number: int) -> str:
    return "ru" if number % 5 < 3 else "en"


def feed_body(number: int, items: int, rng: random.Random) -> bytes:
    """One RSS 2.0 feed; items of about 1.7 KB (a title, a link, a date, a description)."""
    lang = feed_language(number)
    words = WORDS[lang]
    target = 1700 if lang == "en" else 1000  # characters: Cyrillic takes two bytes each
    start = 1_796_000_000 - number * 3600
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>Bench feed {number}</title><link>https://site{number}.example/</link>",
        f"<language>{lang}</language>",
    ]
    for i in range(items):
        relevant = rng.random() < 0.02
        title = RELEVANT[lang] if relevant else " ".join(rng.choices(words, k=9)).capitalize()
        text: list[str] = [RELEVANT[lang] + "."] if relevant else []
        while sum(map(len, text)) + len(text) < target - 300:
            text.append(" ".join(rng.choices(words, k=rng.randint(8, 16))).capitalize() + ".")
        url = f"https://site{number}.example/news/{i}-item.html"
        when = format_datetime(datetime.fromtimestamp(start - i * 600, tz=UTC))
        out.append(
            f"<item><title>{escape(title)}</title><link>{url}</link><guid>{url}</guid>"
            f"<pubDate>{when}</pubDate>"
            f"<description>{escape('<p>' + ' '.join(text) + '</p>')}</description></item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode()


def make_feeds(n_feeds: int, items: int, seed: int = 14) -> dict[str, bytes]:
    rng = random.Random(seed)
    return {f"/feed/{n}.xml": feed_body(n, items, rng) for n in range(n_feeds)}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _serve(feeds: dict[str, bytes], ready: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """The feed server (its own process: its CPU is nobody's)."""
    etags = {path: etag_of(body) for path, body in feeds.items()}
    counts: Counter[int] = Counter()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as feed servers do; a client may close

        def do_GET(self) -> None:
            if self.path == "/_stats":
                return self._answer(200, json.dumps(counts).encode(), {})
            if self.path == "/_reset":
                counts.clear()
                return self._answer(200, b"{}", {})
            body = feeds.get(self.path)
            if body is None:
                return self._answer(404, b"", {})
            headers = {
                "Content-Type": "application/rss+xml; charset=utf-8",
                "ETag": etags[self.path],
                "Last-Modified": LAST_MODIFIED,
            }
            if self._unchanged(etags[self.path]):
                return self._answer(304, b"", headers)
            return self._answer(200, body, headers)

        def _unchanged(self, etag: str) -> bool:
            match = self.headers.get("If-None-Match")
            if match is not None:
                return etag in [m.strip().removeprefix("W/") for m in match.split(",")]
            since = self.headers.get("If-Modified-Since")
            try:
                return since is not None and parsedate_to_datetime(since) >= parsedate_to_datetime(
                    LAST_MODIFIED
                )
            except (TypeError, ValueError):
                return False

        def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            """The status line, headers and body in one write (no small packets to delay)."""
            if not self.path.startswith("/_"):
                counts[status] += 1
            lines = [
                f"HTTP/1.1 {status} {self.responses[status][0]}",
                f"Date: {self.date_time_string()}",
                *(f"{name}: {value}" for name, value in headers.items()),
                f"Content-Length: {len(body)}",
            ]
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 511  # a web server's backlog (socketserver's is 5)

        def get_request(self) -> tuple[socket.socket, Any]:
            conn, address = super().get_request()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as web servers do
            return conn, address

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ready.put(server.server_address[1])
    server.serve_forever()


class FeedServer:
    def __init__(self, feeds: dict[str, bytes]) -> None:
        ctx = multiprocessing.get_context("fork")
        ready = ctx.Queue()
        self.process = ctx.Process(target=_serve, args=(feeds, ready), daemon=True)
        self.process.start()
        self.port = int(ready.get(timeout=30))
        self.paths = sorted(feeds, key=lambda p: int(p.split("/")[-1].split(".")[0]))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stats(self, reset: bool = True) -> dict[int, int]:
        with urllib.request.urlopen(self.url("/_stats")) as response:
            counts = {int(k): v for k, v in json.loads(response.read()).items()}
        if reset:
            urllib.request.urlopen(self.url("/_reset")).close()
        return counts

    def close(self) -> None:
        self.process.terminate()
        self.process.join()


# ---------------------------------------------------------------- the programs


@dataclass(frozen=True, slots=True)
class Timing:
    cpu: float
    wall: float


def child_env() -> dict[str, str]:
    """The programs' environment: none of the caller's ``CASEWATCH_*``, and bytecode written
    and read (no ``PYTHONDONTWRITEBYTECODE``), as an installed program runs (pip compiles it)."""
    return {
        k: v
        for k, v in os.environ.items()
        if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("CASEWATCH_")
    }


def run_child(command: list[str], cwd: Path, log: Path) -> Timing:
    """Run ``command`` to its end: its CPU (user + system, ``os.wait4``) and wall time."""
    with log.open("ab") as out:
        t0 = time.monotonic()
        child = subprocess.Popen(command, cwd=cwd, env=child_env(), stdout=out, stderr=out)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{command[0]} exited {child.returncode}; see {log}")
    return Timing(usage.ru_utime + usage.ru_stime, wall)


def rss2email_venv() -> Path:
    """rss2email's own venv (made once, under the user's cache folder); its ``r2e``."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = cache / "casewatch-bench" / RSS2EMAIL.replace("==", "-")
    r2e = venv / "bin" / "r2e"
    if not r2e.exists():
        print(f"installing {RSS2EMAIL} in {venv} …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", RSS2EMAIL]
        subprocess.run(pip, check=True)
    return r2e


class Rss2Email:
    name = "rss2email"

    def __init__(self, r2e: Path, server: FeedServer, work: Path) -> None:
        self.r2e, self.work = r2e, work
        self.template = work / "r2e-template"
        self.template.mkdir()
        opml = self.template / "feeds.opml"
        outlines = "".join(
            f"<outline text={quoteattr(f'feed-{i}')} xmlUrl={quoteattr(server.url(p))}/>"
            for i, p in enumerate(server.paths)
        )
        opml.write_text(f'<?xml version="1.0"?><opml version="1.0"><body>{outlines}</body></opml>')
        log = work / "r2e-setup.log"
        self._r2e(self.template, log, "new", "bench@example.org")
        self._r2e(self.template, log, "opmlimport", str(opml))

    def _r2e(self, folder: Path, log: Path, *args: str) -> Timing:
        command = [str(self.r2e), "-c", str(folder / "r2e.cfg"), "-d", str(folder / "r2e.json")]
        return run_child([*command, *args], folder, log)

    def fresh(self, round_no: int) -> Path:
        folder = self.work / f"r2e-{round_no}"
        shutil.copytree(self.template, folder)
        return folder

    def run(self, folder: Path) -> Timing:
        return self._r2e(folder, folder / "run.log", "run", "--no-send")


class Casewatch:
    name = "casewatch"

    def __init__(self, server: FeedServer, work: Path, fast_feeds: bool | None = None) -> None:
        self.work, self.fast_feeds = work, fast_feeds
        self.template = work / "cw-template"
        self.template.mkdir()
        rows = [
            {"id": f"feed-{i}", "kind": "feed", "url": server.url(p), "every": "30m",
             "language": feed_language(i), "full_text": "never"}
            for i, p in enumerate(server.paths)
        ]  # fmt: skip
        (self.template / "sources.yaml").write_text(json.dumps({"sources": rows}, indent=1))
        shutil.copy(ROOT / "config" / "cases.yaml", self.template / "cases.yaml")
        script = Path(sys.executable).parent / "casewatch"
        compileall = [sys.executable, "-m", "compileall", "-q", "pipeline", "spiders"]
        subprocess.run(compileall, cwd=ROOT, check=True, env=child_env())
        self.command = [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]

    def fresh(self, round_no: int) -> Path:
        folder = self.work / f"cw-{round_no}"
        shutil.copytree(self.template, folder)
        settings: dict[str, Any] = {
            "data_dir": str(folder / "data"),
            "download_delay": "0s",
            "news_search": {"enabled": False},
        }
        if self.fast_feeds is not None:
            settings["fast_feeds"] = self.fast_feeds
        (folder / "settings.yaml").write_text(json.dumps(settings))
        return folder

    def run(self, folder: Path) -> Timing:
        command = [*self.command, "--config", str(folder), "run", "--once", "--all"]
        return run_child(command, folder, folder / "run.log")


class ScrapyFloor:
    """``bench/scrapy_floor.py``: Scrapy with every optional part off, ``feedparser.parse`` of
    each body, the validators in a JSON file — or, ``store``, the validators and entries in
    SQLite through SQLAlchemy's ORM (the "spine floor": the product card's parts alone)."""

    def __init__(self, server: FeedServer, work: Path, store: bool = False) -> None:
        self.work, self.store = work, store
        self.name = "spine floor" if store else "scrapy floor"
        self.urls = [server.url(p) for p in server.paths]

    def fresh(self, round_no: int) -> Path:
        folder = self.work / f"{self.name.replace(' ', '-')}-{round_no}"
        folder.mkdir()
        (folder / "feeds.json").write_text(json.dumps(self.urls))
        return folder

    def run(self, folder: Path) -> Timing:
        command = [sys.executable, str(ROOT / "bench" / "scrapy_floor.py"), str(folder)]
        if self.store:
            command.append("--store")
        return run_child(command, folder, folder / "run.log")


def floor(server: FeedServer, etags: dict[str, str] | None) -> Timing:
    """urllib + feedparser.parse of every feed in this process (the validators of ``etags``:
    the conditional GETs alone, nothing to parse)."""
    import feedparser

    c0, t0 = time.process_time(), time.monotonic()
    for path in server.paths:
        headers = {"If-None-Match": etags[path]} if etags else {}
        try:
            with urllib.request.urlopen(
                urllib.request.Request(server.url(path), headers=headers)
            ) as r:
                body, content_type = r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            if exc.code != 304:
                raise
            continue
        feedparser.parse(body, response_headers={"content-type": content_type})
    return Timing(time.process_time() - c0, time.monotonic() - t0)


# ---------------------------------------------------------------- rounds and figures

Tool = Casewatch | Rss2Email | ScrapyFloor


def one_round(
    round_no: int, tools: list[Tool], server: FeedServer, feeds: dict[str, bytes]
) -> dict[tuple[str, str], Timing]:
    turn = (round_no - 1) % len(tools)
    order = tools[turn:] + tools[:turn]
    folders = {tool.name: tool.fresh(round_no) for tool in order}
    out: dict[tuple[str, str], Timing] = {}
    server.stats()
    for phase, expected in (("first", 200), ("unchanged", 304)):
        for tool in order:
            out[tool.name, phase] = tool.run(folders[tool.name])
            statuses = server.stats()
            if statuses != {expected: len(server.paths)}:
                print(f"  warning: {tool.name} {phase} run: server answered {statuses}")
    out["floor", "first"] = floor(server, None)
    out["floor", "unchanged"] = floor(server, {p: etag_of(b) for p, b in feeds.items()})
    server.stats()
    line = "  ".join(
        f"{name} {phase} {t.cpu:.2f}s cpu/{t.wall:.2f}s wall" for (name, phase), t in out.items()
    )
    print(f"round {round_no} ({order[0].name} first): {line}", flush=True)
    return out


def report(rounds: list[dict[tuple[str, str], Timing]]) -> None:
    def med(name: str, phase: str, what: str) -> float:
        return statistics.median(getattr(r[name, phase], what) for r in rounds)

    print(f"\nmedians of {len(rounds)} round(s)      CPU s    wall s")
    for phase in ("first", "unchanged"):
        for name in ("casewatch", "rss2email", "spine floor", "scrapy floor", "floor"):
            print(
                f"  {phase:9s} {name:12s}  {med(name, phase, 'cpu'):8.2f}  {med(name, phase, 'wall'):8.2f}"
            )
    targets = {"first": 0.8, "unchanged": 1.5}
    print("\nratios casewatch / rss2email      CPU     wall   (target: CPU ≤)")
    for phase, target in targets.items():
        cpu = med("casewatch", phase, "cpu") / med("rss2email", phase, "cpu")
        wall = med("casewatch", phase, "wall") / med("rss2email", phase, "wall")
        verdict = "met" if cpu <= target else "MISSED"
        print(f"  {phase:9s}                     {cpu:6.2f}×  {wall:6.2f}×   {target}× {verdict}")
    print("\nratios of CPU        casewatch /        spine floor /   scrapy floor /")
    print("                      spine floor        rss2email       rss2email")
    for phase in targets:
        cw, spine, scrapy = (
            med(name, phase, "cpu") for name in ("casewatch", "spine floor", "scrapy floor")
        )
        r2e = med("rss2email", phase, "cpu")
        print(
            f"  {phase:9s}            {cw / spine:6.2f}×           {spine / r2e:6.2f}×         {scrapy / r2e:6.2f}×"
        )
    print("(the floors: bench/scrapy_floor.py; urllib + feedparser alone: the floor above)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50, help="items per feed")
    parser.add_argument(
        "--rounds", type=int, default=4, help="a multiple of 4 lets each program go first as often"
    )
    fast = parser.add_mutually_exclusive_group()
    fast.add_argument(
        "--fast-feeds",
        dest="fast_feeds",
        action="store_true",
        default=None,
        help="casewatch with settings.fast_feeds on (default: the shipped default)",
    )
    fast.add_argument("--no-fast-feeds", dest="fast_feeds", action="store_false")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (printed)")
    args = parser.parse_args()
    r2e = rss2email_venv()
    feeds = make_feeds(args.feeds, args.items)
    size = sum(map(len, feeds.values()))
    print(
        f"{args.feeds} feeds × {args.items} items, {size / 1e6:.1f} MB "
        f"({size / args.feeds / args.items:.0f} bytes an item); load {os.getloadavg()[0]:.1f}; "
        f"fast_feeds {'default' if args.fast_feeds is None else args.fast_feeds}",
        flush=True,
    )
    server = FeedServer(feeds)
    work = Path(tempfile.mkdtemp(prefix="casewatch-peers-"))
    try:
        tools: list[Tool] = [
            Casewatch(server, work, args.fast_feeds),
            Rss2Email(r2e, server, work),
            ScrapyFloor(server, work),
            ScrapyFloor(server, work, store=True),
        ]
        rounds = [one_round(n, tools, server, feeds) for n in range(1, args.rounds + 1)]
        report(rounds)
        print(f"load after: {os.getloadavg()[0]:.1f}")
    finally:
        server.close()
        if args.keep:
            print(f"work folder: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
