"""Malformed and hostile court tables: spans that would build a grid 120,000 columns wide.

They must parse in linear time into a bounded grid, or be refused with a named error — never
hold the process (the parse once took 44 s for 8 KB and blocked every fetch)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import parsel
import pytest

from pipeline.parse.tables import MAX_WIDTH, TableTooLarge, extract_tables

from support.cli import run_casewatch
from support.e2e import REPO
from support.http_server import LocalHTTPServer

HEADER = "<tr><th>Дата</th><th>Время</th><th>Номер дела</th><th>Судья</th></tr>"


def hostile_table(rows: int) -> str:
    body = "".join(
        f"<tr><td colspan=200 rowspan=200>{n}</td><td rowspan=99999 colspan=99999>x</td></tr>"
        for n in range(rows)
    )
    return f"<html><body><table>{HEADER}{body}</table></body></html>"


@pytest.mark.parametrize("rows", [30, 300, 1000])
def test_a_table_of_huge_spans_parses_quickly_into_a_bounded_grid(rows: int) -> None:
    page = hostile_table(rows)
    assert len(page) > 60 * rows
    started = time.process_time()
    [table] = extract_tables(parsel.Selector(text=page))
    assert time.process_time() - started < 1.0
    assert len(table.headers) == MAX_WIDTH
    assert len(table.rows) == rows
    assert {len(row) for row in table.rows} == {MAX_WIDTH}


def test_a_table_past_the_cell_budget_is_refused_with_a_named_error() -> None:
    rows = "<tr><td colspan=100>12.03.2027</td></tr>" * 2500  # 250,000 cells
    started = time.process_time()
    with pytest.raises(TableTooLarge, match="table over 200000 cells"):
        extract_tables(parsel.Selector(text=f"<table>{HEADER}{rows}</table>"))
    assert time.process_time() - started < 1.0


def test_wide_spans_are_cut_at_the_width_cap() -> None:
    wide = "<tr><td>12.03.2027</td><td colspan=5000>все</td></tr>" * 3
    started = time.process_time()
    [table] = extract_tables(parsel.Selector(text=f"<table>{HEADER}{wide}</table>"))
    assert time.process_time() - started < 1.0
    assert len(table.headers) == MAX_WIDTH
    assert all(len(row) == MAX_WIDTH for row in table.rows)
    assert table.rows[0][:2] == ("12.03.2027", "все")


def test_ordinary_spans_still_expand_like_read_html() -> None:
    html = (
        f"<table>{HEADER}"
        "<tr><td rowspan=2>12.03.2027</td><td>10:00</td><td>1-1</td><td>А.</td></tr>"
        "<tr><td>11:00</td><td>1-2</td><td>Б.</td></tr>"
        "<tr><td colspan=4>Перерыв</td></tr>"
        "<tr><td>13.03.2027</td><td rowspan=0>12:00</td><td>1-3</td><td>В.</td></tr>"
        "<tr><td>14.03.2027</td><td>1-4</td><td>Г.</td></tr></table>"
    )
    [table] = extract_tables(parsel.Selector(text=html))
    assert table.rows == (
        ("12.03.2027", "10:00", "1-1", "А."),
        ("12.03.2027", "11:00", "1-2", "Б."),
        ("Перерыв",) * 4,
        ("13.03.2027", "12:00", "1-3", "В."),
        ("14.03.2027", "12:00", "1-4", "Г."),
    )


def court_page(rows: list[tuple[str, str, str, str]]) -> str:
    body = "".join(
        f"<tr><td>{day}</td><td>10:00</td><td>{number}</td><td>{parties}</td><td>{what}</td></tr>"
        for day, number, parties, what in rows
    )
    return (
        "<html><body><table><thead><tr><th>Дата</th><th>Время</th><th>Номер дела</th>"
        f"<th>Стороны</th><th>Категория</th></tr></thead><tbody>{body}</tbody></table></body></html>"
    )


def test_unreadable_court_rows_are_counted_and_a_tracked_cases_row_warns(
    tmp_path: Path, http_server: LocalHTTPServer
) -> None:
    """Rows dated 31.02.2027 or 00.00.0000 once vanished: the run said ok, status said ok."""
    http_server.route(
        "/schedule.html",
        body=court_page(
            [
                ("14.03.2027", "3310-27-00-2/101", "Иванов И.И. к ТОО «Береке»", "взыскание"),
                (
                    "31.02.2027",
                    "3310-27-00-1/215",
                    "Токташ Е., Буханов А.",
                    "ст. 146 УК РК (пытки)",
                ),
                ("00.00.0000", "3310-27-00-2/102", "Ахметова А. к Ахметову Б.", "развод"),
            ]
        ),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    folder = tmp_path / "config"
    folder.mkdir()
    shutil.copy(REPO / "config" / "cases.yaml", folder / "cases.yaml")
    (folder / "settings.yaml").write_text(
        f"data_dir: {tmp_path / 'data'}\ndownload_delay: 0s\nnews_search: {{enabled: false}}\n",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        f"sources:\n  - {{id: court, kind: court_table, url: '{http_server.url('/schedule.html')}',"
        " court: 'Талдыкорганский городской суд', timezone: Asia/Almaty}\n",
        encoding="utf-8",
    )
    database = f"sqlite:///{tmp_path / 'casewatch.db'}"

    run = run_casewatch(folder, database, "run", "--once", "--all")

    assert run.returncode == 0, run.stdout + run.stderr
    [line] = [x for x in run.stdout.splitlines() if x.startswith("ok") and " court " in x]
    assert "unreadable row of a tracked case: row 2" in line, line
    assert "31.02.2027" in line and "taldykorgan-torture" in line
    [listed] = json.loads(run_casewatch(folder, database, "sources", "--format", "json").stdout)
    assert "31.02.2027" in listed["last_warning"]
    status = run_casewatch(folder, database, "status", "--format", "json")
    document = json.loads(status.stdout)
    [court] = [s for s in document["sources"] if s["id"] == "court"]
    assert court["result"] == "warning"
    assert "unreadable rows of tracked cases: court" in document["health"]["problems"]
    with sqlite3.connect(tmp_path / "casewatch.db") as db:
        unreadable, warning = db.execute(
            "SELECT items_unreadable, warning FROM source_run WHERE source_id = 'court'"
        ).fetchone()
    assert unreadable == 2
    assert "31.02.2027" in warning
