"""casewatch at another commit against the working tree: CPU of a first and an unchanged run.

    python bench/before_after.py --base main              # 200 feeds × 50 items, 4 rounds
    python bench/before_after.py --base f75888c --rounds 2 --feeds 50

The feeds, their server and the config folder are ``bench/peers.py``'s. Each round runs, for
the base commit (unpacked by ``git archive`` into a temporary folder and put first on
``PYTHONPATH``) and for the working tree, alternating which goes first: ``run --once --all``
on a fresh data folder (every feed 200), then again (every feed 304). CPU is the child's user +
system time (``os.wait4``), so a shared machine's load hits both alike; medians and ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers

ROOT = Path(__file__).resolve().parent.parent


def unpack(rev: str, into: Path) -> Path:
    """The code of ``rev`` (its ``pipeline`` and ``spiders``), compiled, under ``into``."""
    archive = into / "base.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", rev], cwd=ROOT, stdout=out, check=True)
    base = into / "base"
    with tarfile.open(archive) as tar:
        tar.extractall(base, filter="data")
    compileall = [sys.executable, "-m", "compileall", "-q", "pipeline", "spiders"]
    subprocess.run(compileall, cwd=base, check=True, env=peers.child_env())
    return base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare with")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="casewatch-ab-"))
    server = peers.FeedServer(peers.make_feeds(args.feeds, args.items))
    try:
        base = unpack(args.base, work)
        tool = peers.Casewatch(server, work)
        cpu: dict[tuple[str, str], list[float]] = {}
        for n in range(args.rounds):
            for who in ("base", "new") if n % 2 == 0 else ("new", "base"):
                folder = tool.fresh(n * 2 + (who == "new"))
                command = [*tool.command, "--config", str(folder), "run", "--once", "--all"]
                env = {**peers.child_env(), **({"PYTHONPATH": str(base)} if who == "base" else {})}
                for phase in ("first", "unchanged"):
                    cpu.setdefault((who, phase), []).append(run(command, folder, env))
            line = "  ".join(f"{w} {p} {v[-1]:.2f}s" for (w, p), v in cpu.items())
            print(f"round {n + 1}: {line}", flush=True)
        print(f"\nmedians of {args.rounds} rounds, CPU s     base ({args.base})   new   new/base")
        for phase in ("first", "unchanged"):
            old, new = (statistics.median(cpu[who, phase]) for who in ("base", "new"))
            print(f"  {phase:9s}                    {old:8.2f}  {new:8.2f}   {new / old:.3f}")
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)


def run(command: list[str], folder: Path, env: dict[str, str]) -> float:
    with (folder / "run.log").open("ab") as log:
        child = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=log)
        _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command[0]} failed; see {folder / 'run.log'}")
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
