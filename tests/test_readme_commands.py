"""The README's main command works exactly as written in a fresh clone.

A new user copies ``… && .venv/bin/casewatch run --once`` and then the cron line
(``… >> data/cron.log``). Once, the default ``data_dir`` was not expanded and the database
landed in a folder literally named ``${CASEWATCH_DATA_DIR:-data}``: no test ran the README's
commands as written. This one clones the repository, runs the command's ``casewatch run --once``
there with the shipped config (the venv step is this test run's own venv), and checks what the
README promises: ``./data/casewatch.db`` and a writable cron log path.

Offline by construction: every HTTP(S) request goes through a proxy on a closed loopback port,
so the shipped sources fail fast with "connection refused" and nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced(lang: str, after: str) -> str:
    """The first ```lang block after the heading ``after``."""
    start = README.index(after)
    match = re.search(rf"```{lang}\n(.*?)```", README[start:], re.S)
    assert match, f"README: no ```{lang} block after {after!r}"
    return match.group(1).strip()


def main_command() -> str:
    return fenced("sh", "## The two commands")


def test_main_command_is_install_then_run_once() -> None:
    steps = [s.strip() for s in main_command().split("&&")]
    assert steps == [
        "python3 -m venv .venv",
        ".venv/bin/pip install -e .",
        ".venv/bin/casewatch run --once",
    ]


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the repository's .git to clone")
def test_run_once_in_a_fresh_clone_keeps_data_where_the_readme_says(tmp_path: Path) -> None:
    clone = tmp_path / "casewatch"
    git = shutil.which("git")
    assert git, "git is needed to clone the repository"
    subprocess.run([git, "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)

    casewatch = Path(sys.executable).parent / "casewatch"
    args = main_command().split("&&")[-1].split()
    assert args[0] == ".venv/bin/casewatch"
    proxy = f"http://127.0.0.1:{free_port()}"  # nothing listens: every fetch is refused
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWATCH_")}
    env.update(
        {k: proxy for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")},
        NO_PROXY="",
        no_proxy="",
    )
    done = subprocess.run(
        [str(casewatch), *args[1:]],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "deliveries" in done.stdout

    assert (clone / "data" / "casewatch.db").is_file()
    assert not any("$" in p.name for p in clone.iterdir()), "an unexpanded ${VAR} folder"

    cron = fenced("cron", "For cron")
    log = re.search(r">>\s*(\S+)", cron)
    assert log, f"README cron line has no log path: {cron}"
    assert "cd /srv/casewatch" in cron  # the log path is relative to the clone
    with (clone / log.group(1)).open("a", encoding="utf-8") as out:
        out.write("cron can write here\n")
