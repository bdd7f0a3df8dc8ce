"""Header mapping and HTML table extraction (pipeline/parse/tables.py), table-driven."""

from __future__ import annotations

from typing import Any

import parsel
import pytest

from pipeline.parse.tables import (
    FIELDS,
    Table,
    best_table,
    cell_keys,
    extract_tables,
    map_headers,
    normalize_header,
    rows_to_hearings,
    score_headers,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Номер дела", "номер дела"),
        ("  НОМЕР\n  ДЕЛА: ", "номер дела"),
        ("№ дела", "no дела"),
        ("№дела", "no дела"),
        ("Case No.", "case no"),
        ("Case #", "case no"),
        ("Истец/Ответчик", "истец ответчик"),
        ("Судья-докладчик", "судья докладчик"),
        ("Дата, время", "дата время"),
        ("Актуальный статус (ёмко)", "актуальный статус емко"),
        ("Іс нөмірі", "іс нөмірі"),
        ("", ""),
    ],
)
def test_normalize_header(text: str, expected: str) -> None:
    assert normalize_header(text) == expected


@pytest.mark.parametrize(
    ("headers", "hints", "expected"),
    [
        pytest.param(
            ["№ п/п", "Дата и время", "Номер дела", "Судья", "Стороны", "Категория", "Зал", "Статус"],
            None,
            {1: "datetime", 2: "case_number", 3: "judge", 4: "parties", 5: "category",
             6: "courtroom", 7: "status"},
            id="ru-basic",
        ),
        pytest.param(
            ["Дата поступления", "Дата слушания", "№ дела", "ФИО судьи", "Участники процесса",
             "Суть дела", "Зал судебного заседания", "Результат", "Стадия"],
            None,
            {1: "date", 2: "case_number", 3: "judge", 4: "parties", 5: "category",
             6: "courtroom", 7: "status", 8: "stage"},
            id="ru-synonyms-filing-date-left-out",
        ),
        pytest.param(
            ["Время", "Истец/Ответчик", "Статья", "Кабинет", "Дата"],
            None,
            {0: "time", 1: "parties", 2: "category", 3: "courtroom", 4: "date"},
            id="ru-reordered",
        ),
        pytest.param(
            ["Подсудимый", "Дата"], None, {0: "parties", 1: "date"}, id="ru-defendant"
        ),
        pytest.param(
            ["Күні", "Уақыты", "Іс нөмірі", "Судья", "Тараптар", "Санаты", "Зал", "Мәртебесі"],
            None,
            {0: "date", 1: "time", 2: "case_number", 3: "judge", 4: "parties", 5: "category",
             6: "courtroom", 7: "status"},
            id="kk",
        ),
        pytest.param(
            ["Бабы", "Іс санаты", "Күні"], None, {0: "category", 2: "date"}, id="kk-one-category"
        ),
        pytest.param(
            ["Date", "Time", "Case No.", "Judge", "Defendant", "Charges", "Courtroom", "Stage"],
            None,
            {0: "date", 1: "time", 2: "case_number", 3: "judge", 4: "parties", 5: "category",
             6: "courtroom", 7: "stage"},
            id="en",
        ),
        pytest.param(
            ["Date & time", "Room", "Parties", "Status"],
            None,
            {0: "datetime", 1: "courtroom", 2: "parties", 3: "status"},
            id="en-combined",
        ),
        pytest.param(
            ["Listed at", "Before", "Ref.", "Title", "Room"],
            {"Listed at": "datetime", "before": "judge", "REF": "case_number"},
            {0: "datetime", 1: "judge", 2: "case_number", 3: "parties", 4: "courtroom"},
            id="hints-normalised",
        ),
        pytest.param(
            ["Судья", "Председательствующий"],
            {"Председательствующий": "judge"},
            {1: "judge"},
            id="hint-wins-over-synonym",
        ),
        pytest.param(
            ["Дата", "Дата заседания"],
            {"Дата": "ignore"},
            {1: "date"},
            id="hint-ignore",
        ),
        pytest.param(
            ["Дата", "Дата", "Номер дела", "Номер дела"],
            None,
            {0: "date", 2: "case_number"},
            id="duplicates-first-wins",
        ),
        pytest.param(
            ["Дата заседания (местное время)", "Дата"],
            None,
            {1: "date"},
            id="exact-beats-partial",
        ),
        pytest.param(
            ["Примечание", "Секретарь", "", "№"], None, {}, id="unknown-not-mapped"
        ),
    ],
)  # fmt: skip
def test_map_headers(
    headers: list[str], hints: dict[str, str] | None, expected: dict[int, str]
) -> None:
    mapping = map_headers(headers, hints)
    assert mapping == expected
    assert set(mapping.values()) <= set(FIELDS)


def test_map_headers_rejects_an_unknown_hint_field() -> None:
    with pytest.raises(ValueError, match=r"columns\['Судья'\]: unknown field 'judg'"):
        map_headers(["Судья"], {"Судья": "judg"})


@pytest.mark.parametrize(
    ("headers", "positive"),
    [
        (["Дата", "Номер дела"], True),
        (["Дата и время", "Стороны"], True),
        (["Номер дела", "Судья", "Стороны"], False),
        (["Дата", "Судья"], False),
        (["Меню", "Новости"], False),
    ],
)
def test_score_headers_needs_a_date_and_a_case_or_parties(
    headers: list[str], positive: bool
) -> None:
    assert (score_headers(headers) > 0) is positive


def test_score_headers_rises_with_mapped_columns() -> None:
    assert score_headers(["Дата", "Номер дела", "Судья"]) > score_headers(["Дата", "Номер дела"])


def tables(html: str) -> list[Table]:
    return extract_tables(parsel.Selector(text=html))


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            "<table><tr><td>Дата</td><td>Дело</td></tr><tr><td>1.1</td><td>A</td></tr></table>",
            [Table(("Дата", "Дело"), (("1.1", "A"),))],
            id="no-thead-first-row",
        ),
        pytest.param(
            "<table><tbody><tr><th>Дата</th><th>Дело</th></tr><tr><td>1.1</td><td>A</td></tr>"
            "</tbody></table>",
            [Table(("Дата", "Дело"), (("1.1", "A"),))],
            id="th-first-row",
        ),
        pytest.param(
            "<table><thead><tr><td>Дата</td><td>Дело</td></tr></thead>"
            "<tbody><tr><th>1.1</th><td>A</td></tr></tbody></table>",
            [Table(("Дата", "Дело"), (("1.1", "A"),))],
            id="thead-with-td-and-row-headers",
        ),
        pytest.param(
            "<table><thead><tr><th rowspan=2>Дата</th><th colspan=2>Стороны</th></tr>"
            "<tr><th>Истец</th><th>Ответчик</th></tr></thead>"
            "<tr><td>1.1</td><td>A</td><td>B</td></tr></table>",
            [Table(("Дата", "Стороны / Истец", "Стороны / Ответчик"), (("1.1", "A", "B"),))],
            id="grouped-header-colspan-rowspan",
        ),
        pytest.param(
            "<table><tr><th>Дата</th><th>Дело</th><th>Зал</th></tr>"
            "<tr><td rowspan=2>1.1</td><td>A</td><td colspan=1>3</td></tr>"
            "<tr><td>B</td><td>4</td></tr><tr><td colspan=3>Итого</td></tr></table>",
            [Table(("Дата", "Дело", "Зал"),
                   (("1.1", "A", "3"), ("1.1", "B", "4"), ("Итого", "Итого", "Итого")))],
            id="data-spans-repeat",
        ),
        pytest.param(
            "<table><tr><th>A</th><th>B</th><th>C</th></tr><tr><td>1</td></tr></table>",
            [Table(("A", "B", "C"), (("1", "", ""),))],
            id="short-row-padded",
        ),
        pytest.param(
            "<table><tr><th>Стороны</th></tr><tr><td> <b>Иванов</b>&nbsp;И.<br>Петров\n  П. "
            "<p>ТОО <i>Альфа</i></p><script>var x = 1;</script><!-- note --></td></tr></table>",
            [Table(("Стороны",), (("Иванов И.\nПетров П.\nТОО Альфа",),))],
            id="nested-markup-br-script-comment",
        ),
        pytest.param(
            "<table><tr><th>Дата\n и <br>время</th></tr><tr><td>1.1</td></tr></table>",
            [Table(("Дата и время",), (("1.1",),))],
            id="header-on-one-line",
        ),
        pytest.param("<table></table><p>no table</p>", [], id="empty-table-left-out"),
    ],
)  # fmt: skip
def test_extract_tables(html: str, expected: list[Table]) -> None:
    assert tables(html) == expected


def test_extract_tables_keeps_nested_tables_apart() -> None:
    html = (
        "<table id=outer><tr><td>Меню</td><td><table id=inner>"
        "<tr><th>Дата</th><th>Номер дела</th></tr><tr><td>01.02.2024</td><td>X-1</td></tr>"
        "</table></td></tr></table>"
    )
    outer, inner = tables(html)
    assert outer.rows == ()
    assert outer.headers[1] == "Дата Номер дела 01.02.2024 X-1"
    assert inner == Table(("Дата", "Номер дела"), (("01.02.2024", "X-1"),))


def test_extract_tables_from_a_selection() -> None:
    page = parsel.Selector(
        text="<table class=a><tr><td>x</td></tr></table><div id=d><table><tr><td>y</td></tr>"
        "</table></div>"
    )
    assert [t.headers for t in extract_tables(page.css("#d"))] == [("y",)]
    assert [t.headers for t in extract_tables(page.css("table"))] == [("x",), ("y",)]


def test_best_table_chooses_the_schedule_over_layout() -> None:
    layout = Table(("Меню", "Новости"), (("a", "b"),) * 10)
    schedule = Table(("Дата", "Номер дела", "Судья"), (("1.1", "X", "Y"),))
    assert best_table([layout, schedule]) is schedule


def test_best_table_prefers_better_headers_then_more_rows() -> None:
    thin = Table(("Дата", "Номер дела"), (("1", "2"),) * 5)
    rich = Table(("Дата", "Номер дела", "Судья", "Зал"), ())
    twin = Table(("Дата", "Номер дела"), (("1", "2"),) * 6)
    assert best_table([thin, rich]) is rich
    assert best_table([thin, twin]) is twin


def test_best_table_uses_hints_and_returns_none_without_a_schedule() -> None:
    foreign = Table(("Listed", "Ref", "Name"), (("a", "b", "c"),))
    assert best_table([foreign, Table(("Меню",), ())]) is None
    assert best_table([foreign], {"Listed": "date", "Ref": "case_number"}) is foreign


@pytest.mark.parametrize(
    ("headers", "width", "expected"),
    [
        (("Дата", "Дата", "Дата"), 3, ["Дата", "Дата (2)", "Дата (3)"]),
        (("Дата", ""), 3, ["Дата", "column 2", "column 3"]),
        ((" Зал\n № ",), 1, ["Зал №"]),
    ],
)
def test_cell_keys(headers: tuple[str, ...], width: int, expected: list[str]) -> None:
    assert cell_keys(headers, width) == expected


def hearings(table: Table, **kwargs: Any) -> list[dict[str, Any]]:
    found = rows_to_hearings(
        table, source_id="src", url="https://c.test/", court="Суд", timezone="Asia/Almaty",
        **kwargs,
    )  # fmt: skip
    return [
        {"row": h.row, "date": h.date, "time": h.time, "case": h.case_number, "cells": h.cells}
        for h in found
    ]


def test_rows_to_hearings_maps_pads_and_skips() -> None:
    table = Table(
        ("Дата и время", "Номер дела", "Примечание", "Примечание"),
        (
            ("01.02.2024 10:00", "X-1", "a", "b"),
            ("", " ", ""),
            ("14.02.2024", "14.02.2024", "14.02.2024", "14.02.2024"),
            ("02.02.2024 11:00", "X-2"),
            ("03.02.2024", "X-3", "c", "d", "extra"),
        ),
    )
    rows = hearings(table)
    assert [(r["row"], r["date"], r["time"], r["case"]) for r in rows] == [
        (1, "01.02.2024 10:00", "", "X-1"),
        (4, "02.02.2024 11:00", "", "X-2"),
        (5, "03.02.2024", "", "X-3"),
    ]
    assert rows[0]["cells"] == {
        "Дата и время": "01.02.2024 10:00", "Номер дела": "X-1",
        "Примечание": "a", "Примечание (2)": "b", "column 5": "",
    }  # fmt: skip
    assert rows[1]["cells"]["Примечание (2)"] == ""
    assert rows[2]["cells"]["column 5"] == "extra"


def test_rows_to_hearings_date_column_beats_combined_and_time_column_kept() -> None:
    table = Table(
        ("Дата и время", "Дата", "Время", "Дело"), (("01.02 10:00", "01.02", "10:00", "X"),)
    )
    assert [(r["date"], r["time"]) for r in hearings(table)] == [("01.02", "10:00")]


def test_rows_to_hearings_hints_and_start_row() -> None:
    table = Table(("When", "Ref"), (("12 Mar 2024", "T1"),))
    rows = rows_to_hearings(
        table, source_id="s", url="u", court="Crown Court", timezone="Europe/London",
        hints={"When": "date", "Ref": "case_number"}, start_row=21,
    )  # fmt: skip
    assert len(rows) == 1
    assert (rows[0].row, rows[0].date, rows[0].case_number) == (21, "12 Mar 2024", "T1")
    assert (rows[0].court, rows[0].timezone, rows[0].source_id) == (
        "Crown Court",
        "Europe/London",
        "s",
    )
