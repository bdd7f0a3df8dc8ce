"""The real ``casewatch`` command with some parses made slow, for the hostile-parsing tests and
``bench/slow_parse.py``.

The command runs as ``python -c SLOW_MAIN SPIN --config … ARGS…``: before the CLI starts, two
parse functions are wrapped so that a document of a "slow" source spins ``SPIN`` seconds of
pure-Python CPU before it is read (the GIL is held the whole time, like a slow parser's):

- the court table spider's page reader, for sources whose id starts with ``slow``;
- the article-page reader of the item pipeline, for pages whose URL holds ``/slow``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from .cli import casewatch_env

REPO = Path(__file__).resolve().parents[2]

SLOW_MAIN = """
import sys, time
import pipeline.fetch.pipeline as item_pipeline
import pipeline.ingest.pages as pages
import spiders.court_table as court

spin_for = float(sys.argv.pop(1))

def spin():
    end = time.monotonic() + spin_for
    while time.monotonic() < end:
        pass

def slowed(real, is_slow):
    def parse(*args, **kwargs):
        if is_slow(*args):
            spin()
        return real(*args, **kwargs)
    return parse

court.read_page = slowed(court.read_page, lambda spec, *_: spec.source_id.startswith("slow"))
slow_page = lambda page: "/slow" in page.final_url
for module, name in ((item_pipeline, "read_text"), (pages, "_extract")):  # (before: _extract)
    if hasattr(module, name):
        setattr(module, name, slowed(getattr(module, name), slow_page))

from pipeline.cli.main import main
sys.argv[0] = "casewatch"
main()
"""


def slow_command(config: Path, *args: str, spin: float) -> list[str]:
    """``casewatch --config CONFIG ARGS…`` with the slow parses spinning ``spin`` seconds."""
    return [sys.executable, "-c", SLOW_MAIN, str(spin), "--config", str(config), *args]


def run_slow(
    config: Path, database: str, *args: str, spin: float, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """:func:`slow_command` run to its end; stdout and stderr captured as text."""
    return subprocess.run(
        slow_command(config, *args, spin=spin), capture_output=True, text=True, cwd=REPO,
        env=casewatch_env(database), stdin=subprocess.DEVNULL, timeout=timeout, check=False,
    )  # fmt: skip


def start_slow(
    config: Path, database: str, *args: str, spin: float, **popen: Any
) -> subprocess.Popen[Any]:
    """:func:`slow_command` started, not waited for (to stop it)."""
    return subprocess.Popen(
        slow_command(config, *args, spin=spin), cwd=REPO, env=casewatch_env(database),
        stdin=subprocess.DEVNULL, **popen,
    )  # fmt: skip
