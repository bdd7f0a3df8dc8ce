"""Malformed and hostile court tables: spans that would build a grid 120,000 columns wide.

They must parse in linear time into a bounded grid, or be refused with a named error — never
hold the process (the parse once took 44 s for 8 KB and blocked every fetch)."""

from __future__ import annotations

import time

import parsel
import pytest

from pipeline.parse.tables import MAX_WIDTH, TableTooLarge, extract_tables

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
