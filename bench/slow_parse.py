"""A slow parse next to healthy sources: how long `run --once --all` takes, and what it records.

    python bench/slow_parse.py                 # the slow page spins 60 s of CPU; default budget
    python bench/slow_parse.py --spin 60 --budget 3

Three sources on a local server: ``slow`` (a court table whose parse is made to spin ``--spin``
seconds of pure-Python CPU, patched into the real command), ``two`` (a healthy court table of
two pages, the first answered after 0.5 s) and ``feed`` (a healthy RSS feed). Prints the wall
time of the run, each source's line, and when page 2 of ``two`` was asked for, counted from the
slow page's request: while the fetching loop is blocked, no request can go out.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.feeds import rss  # noqa: E402
from tests.support.http_server import LocalHTTPServer, RecordedRequest  # noqa: E402
from tests.support.slowparse import slow_command  # noqa: E402

HTML = {"Content-Type": "text/html; charset=utf-8"}


class TimedServer(LocalHTTPServer):
    """Also notes when each path was first asked for (monotonic seconds)."""

    def __init__(self) -> None:
        super().__init__()
        self.first: dict[str, float] = {}

    def record(self, request: RecordedRequest) -> None:
        self.first.setdefault(request.path, time.monotonic())
        super().record(request)


def court_page(day: str, number: str, next_href: str = "") -> str:
    link = f'<link rel="next" href="{next_href}">' if next_href else ""
    return (
        f"<html><head>{link}</head><body><table><tr><th>Дата</th><th>Время</th>"
        "<th>Номер дела</th><th>Судья</th></tr>"
        f"<tr><td>{day}</td><td>10:00</td><td>{number}</td><td>Иванова А.</td></tr>"
        "</table></body></html>"
    )


def serve(http: LocalHTTPServer) -> None:
    http.route("/slow.html", body=court_page("12.03.2027", "1-1"), headers=HTML)
    http.route("/two-1.html", body=court_page("12.03.2027", "2-1", "/two-2.html"),
               headers=HTML, delay=0.5)  # fmt: skip
    http.route("/two-2.html", body=court_page("13.03.2027", "2-2"), headers=HTML)
    items = [(f"Новость {i}", http.url(f"/n/{i}.html"), "Текст.") for i in range(3)]
    for i in range(3):
        text = "".join(f"<p>Абзац {j} новости {i}: текст статьи.</p>" for j in range(8))
        http.route(f"/n/{i}.html", body=f"<html><body><article>{text}</article></body></html>",
                   headers=HTML)  # fmt: skip
    http.route("/feed.xml", body=rss(items),
               headers={"Content-Type": "application/rss+xml; charset=utf-8"})  # fmt: skip


def write_config(folder: Path, http: LocalHTTPServer, budget: str | None) -> None:
    folder.mkdir()
    shutil.copy(ROOT / "config" / "cases.yaml", folder / "cases.yaml")
    extra = f"parse_budget: {budget}\n" if budget else ""
    (folder / "settings.yaml").write_text(
        f"data_dir: {folder.parent / 'data'}\ndownload_delay: 0s\n"
        f"news_search: {{enabled: false}}\n{extra}",
        encoding="utf-8",
    )
    court = "court: 'Талдыкорганский городской суд', timezone: Asia/Almaty"
    (folder / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: slow, kind: court_table, url: '{http.url('/slow.html')}', {court}}}\n"
        f"  - {{id: two, kind: court_table, url: '{http.url('/two-1.html')}', {court}}}\n"
        f"  - {{id: feed, kind: feed, url: '{http.url('/feed.xml')}'}}\n",
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spin", type=float, default=60.0, help="seconds of CPU the parse spins")
    parser.add_argument("--budget", help="settings.yaml parse_budget (e.g. 3s); default: unset")
    args = parser.parse_args()
    http = TimedServer()
    http.start()
    serve(http)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "config"
        write_config(folder, http, args.budget)
        database = f"sqlite:///{tmp}/casewatch.db"
        command = slow_command(folder, "--database", database, "run", "--once", "--all",
                               spin=args.spin)  # fmt: skip
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
        took = time.monotonic() - started
    http.close()
    print(f"spin {args.spin:g}s, parse_budget {args.budget or 'default'}: "
          f"run --once --all took {took:.1f}s (exit {done.returncode})")  # fmt: skip
    for line in done.stdout.splitlines():
        if line.startswith(("articles", "page error")) or any(
            f" {sid} " in line for sid in ("slow", "two", "feed")
        ):
            print("  " + line.strip())
    first = http.first
    if "/slow.html" in first and "/two-2.html" in first:
        print(f"  page 2 of 'two' asked for {first['/two-2.html'] - first['/slow.html']:.1f}s "
              "after the slow page")  # fmt: skip
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:])


if __name__ == "__main__":
    main()
