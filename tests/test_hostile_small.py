"""Careless input that once gave a traceback: a config saved in cp1251, a database URL that is
not one, several processes opening one fresh database at once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from support.cli import CASEWATCH, casewatch_env, run_casewatch, write_config
from support.http_server import LocalHTTPServer

CASES = "cases:\n  - slug: taldykorgan-torture\n    title: Пытки в Талдыкоргане\n"


def test_a_config_file_saved_as_cp1251_is_named_not_a_traceback(tmp_path: Path) -> None:
    folder = write_config(tmp_path / "config")
    (folder / "cases.yaml").write_bytes(CASES.encode("cp1251"))

    done = run_casewatch(folder, f"sqlite:///{tmp_path / 'x.db'}", "check-config")

    assert done.returncode == 1
    assert f"{folder / 'cases.yaml'}: not UTF-8" in done.stdout + done.stderr
    assert "save it as UTF-8" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("garbage", "the database URL is not a SQLAlchemy URL"),
        ("mysql://user:s3cret-pw@db.example/casewatch", "database 'mysql' is not supported"),
    ],
)
def test_a_bad_database_url_is_one_line_without_the_password(
    tmp_path: Path, url: str, said: str
) -> None:
    folder = write_config(tmp_path / "config", cases=CASES)

    done = run_casewatch(folder, url, "articles")

    assert done.returncode != 0
    assert said in done.stderr
    assert "Traceback" not in done.stderr and "s3cret-pw" not in done.stderr


def test_processes_opening_one_fresh_database_together_take_turns(tmp_path: Path) -> None:
    """Eight at once: several once failed with 'table case already exists' (each ran the migrations)."""
    folder = write_config(tmp_path / "config", cases=CASES)
    database = f"sqlite:///{tmp_path / 'fresh.db'}"
    started = [
        subprocess.Popen(
            [str(CASEWATCH), "--config", str(folder), "articles"],
            env=casewatch_env(database),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in started]

    assert [code for code, _, _ in results] == [0] * 8, results
    assert all("0 rows" in out and not err.strip() for _, out, err in results), results


def test_overlapping_runs_never_fail_a_source_on_each_others_rows(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    """Cron and a hand-run at once: two runs stored the same articles and one recorded the
    source as failed with an IntegrityError. One run at a time works; the others say so."""
    items = "".join(
        f"<item><title>Суд по делу о пытках {n}</title><link>https://vlast.kz/n/{n}.html</link>"
        f"<guid>https://vlast.kz/n/{n}.html</guid></item>"
        for n in range(150)
    )
    http_server.route("/feed.xml", body=f'<rss version="2.0"><channel>{items}</channel></rss>')
    folder = write_config(
        tmp_path / "config",
        cases="cases:\n  - slug: t\n    title: T\n    keywords: {ru: [пытки]}\n",
        sources=f"sources:\n  - {{id: f1, kind: feed, url: '{http_server.url('/feed.xml')}'}}\n"
        f"  - {{id: f2, kind: feed, url: '{http_server.url('/feed.xml')}?copy=1'}}\n",
        settings=f"data_dir: {tmp_path / 'data'}\nnews_search: {{enabled: false}}\n"
        "download_delay: 0s\nevidence: {max_per_source: 0, recheck_per_run: 0}\n",
    )
    database = f"sqlite:///{tmp_path / 'runs.db'}"
    run_casewatch(folder, database, "check-config")  # the schema exists before the race
    started = [
        subprocess.Popen(
            [str(CASEWATCH), "--config", str(folder), "run", "--once", "--all"],
            env=casewatch_env(database),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(p.wait(timeout=180), *p.communicate()) for p in started]

    assert [code for code, _, _ in results] == [0, 0, 0], results
    outputs = "\n".join(out + err for _, out, err in results)
    assert "IntegrityError" not in outputs and "\nerror " not in f"\n{outputs}", outputs
    worked = [out for _, out, _ in results if "sources      2 fetched, 0 failed" in out]
    skipped = [out for _, out, _ in results if "another casewatch run --once" in out]
    assert worked and len(worked) + len(skipped) == 3
