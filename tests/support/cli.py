"""Running casewatch's CLI in tests, and writing the config folder it reads.

In process through click's ``CliRunner`` (:class:`Cli`), or as the real installed
``casewatch`` command in a subprocess (:func:`run_casewatch`, :func:`start_casewatch`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from click.testing import CliRunner, Result

from pipeline.cli.main import main

CASEWATCH = Path(sys.executable).with_name("casewatch")
"""The console script installed beside this Python."""


def write_config(folder: Path, **files: str) -> Path:
    """``folder/<name>.yaml`` for each keyword (its text dedented); creates ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Cli:
    """``casewatch [--config DIR] [--database URL] …`` in this process.

    ``CASEWATCH_CONFIG`` is unset for the run unless ``env`` sets it, so the developer's own
    setting never leaks in.
    """

    config_dir: Path | None = None
    database: str | None = None
    catch_exceptions: bool = True

    def invoke(self, *args: str, env: Mapping[str, str | None] | None = None) -> Result:
        base = [] if self.config_dir is None else ["--config", str(self.config_dir)]
        base += [] if self.database is None else ["--database", self.database]
        return CliRunner().invoke(
            main,
            [*base, *args],
            env={"CASEWATCH_CONFIG": None, **(env or {})},
            catch_exceptions=self.catch_exceptions,
        )

    def run(self, *args: str, env: Mapping[str, str | None] | None = None) -> tuple[int, str]:
        """(exit code, stdout and stderr as the user would see them)."""
        result = self.invoke(*args, env=env)
        return result.exit_code, result.output

    def json(self, *args: str) -> list[dict[str, Any]]:
        """The rows a listing prints with ``--format json`` (on stdout: warnings and counts
        go to stderr); the command must succeed."""
        result = self.invoke(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)
        assert isinstance(rows, list)
        return rows

    def csv(self, *args: str) -> tuple[str, list[dict[str, str]]]:
        """The raw text (``\\r\\n`` kept) a listing prints with ``--format csv``, and its rows."""
        result = self.invoke(*args, "--format", "csv")
        assert result.exit_code == 0, result.output
        raw = result.stdout_bytes.decode("utf-8")
        return raw, list(csv.DictReader(io.StringIO(raw, newline="")))


def casewatch_env(database: str, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment for the real command: ``CASEWATCH_DATABASE_URL`` set,
    ``CASEWATCH_CONFIG`` unset (the folder is passed with ``--config``), plus ``env``."""
    out = {**os.environ, "CASEWATCH_DATABASE_URL": database, **(env or {})}
    out.pop("CASEWATCH_CONFIG", None)
    return out


def run_casewatch(
    config: Path,
    database: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """``casewatch --config CONFIG ARGS…`` to its end; stdout and stderr captured as text."""
    return subprocess.run(
        [str(CASEWATCH), "--config", str(config), *args],
        capture_output=True, text=True, env=casewatch_env(database, env),
        stdin=subprocess.DEVNULL, timeout=timeout, check=False, cwd=cwd,
    )  # fmt: skip


def start_casewatch(
    config: Path,
    database: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stdout: int | IO[Any] = subprocess.PIPE,
    stderr: int | IO[Any] = subprocess.PIPE,
    text: bool = False,
) -> subprocess.Popen[Any]:
    """``casewatch --config CONFIG ARGS…`` started, not waited for (to stop or kill it)."""
    return subprocess.Popen(
        [str(CASEWATCH), "--config", str(config), *args],
        stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, text=text,
        env=casewatch_env(database, env), cwd=cwd,
    )  # fmt: skip
