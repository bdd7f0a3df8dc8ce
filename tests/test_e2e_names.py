"""A hearing without a case number, found by a defendant's name as the court prints it.

A court page on 127.0.0.1 lists parties surname first with initials and no case number; the
case names its defendant once, "Нуржан Абенов". The real `casewatch run --once` must match the
row «Абенов Н.С., Буханов А. (подсудимые)», alert once to a local SMTP server with a "why"
that quotes the name as printed, and leave the row «Абенов К., …» (someone else) alone.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from support.e2e import casewatch
from support.http_server import LocalHTTPServer
from support.smtp import LocalSMTPServer, bodies

pytestmark = pytest.mark.e2e

COURT = "Талдыкорганский городской суд области Жетісу"
DAY = date.today() + timedelta(days=9)
OURS = "Абенов Н.С., Буханов А. (подсудимые)"
NAMESAKE = "Абенов К., Сапаров Е. (подсудимые)"


def schedule() -> str:
    """A court schedule as Kazakh courts print one: parties but no case number column."""
    rows = [
        ("10:00", "Дуйсенбеков Б.", OURS, "ст. 146 ч. 2 УК РК"),
        ("15:00", "Сеитова С.", NAMESAKE, "ст. 188 ч. 2 УК РК"),
    ]
    body = "".join(
        f"<tr><td>{DAY:%d.%m.%Y}</td><td>{at}</td><td>{judge}</td><td>{parties}</td>"
        f"<td>{category}</td><td>Зал № 3</td></tr>"
        for at, judge, parties, category in rows
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>График</title></head><body>"
        "<table><thead><tr><th>Дата</th><th>Время</th><th>Судья</th><th>Стороны</th>"
        f"<th>Категория</th><th>Зал</th></tr></thead><tbody>{body}</tbody></table></body></html>"
    )


@pytest.fixture
def names_world(tmp_path: Path, http_server: LocalHTTPServer) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "cases.yaml").write_text(
        "cases:\n"
        "  - slug: abenov-trial\n"
        "    title: Trial of police officer Nurzhan Abenov\n"
        "    people:\n"
        "      - {name: Нуржан Абенов, role: defendant}\n",
        encoding="utf-8",
    )
    (folder / "settings.yaml").write_text(
        f"data_dir: {tmp_path / 'data'}\ndownload_delay: 0s\nnews_search: {{enabled: false}}\n"
        "delivery: {backoff: 0s}\n",
        encoding="utf-8",
    )
    (folder / "sources.yaml").write_text(
        "sources:\n"
        f"  - {{id: court, kind: court_table, url: '{http_server.url('/schedule.html')}',"
        f" court: '{COURT}', timezone: Asia/Almaty, every: 6h}}\n",
        encoding="utf-8",
    )
    (folder / "alerts.yaml").write_text(
        "channels:\n  - id: team-email\n    url: ${E2E_SMTP_URL}\n"
        "routes:\n  - cases: ['*']\n    events: ['hearing.*']\n    channels: [team-email]\n",
        encoding="utf-8",
    )
    http_server.route(
        "/schedule.html", body=schedule(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    return folder


def test_a_defendant_printed_surname_first_with_initials_finds_the_hearing(
    names_world: Path, db_url: str, http_server: LocalHTTPServer, smtp_server: LocalSMTPServer
) -> None:
    done = casewatch(names_world, db_url, smtp_server, "run", "--once", "--all")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "ok", done.stdout

    [mail] = bodies(smtp_server.wait_for(1))
    assert "Абенов Н.С." in mail and f"{DAY:%Y-%m-%d} 10:00" in mail
    assert "Why it matched:" in mail
    assert "person 'Нуржан Абенов' (as 'Абенов Н.С.', surname and initials) in parties" in mail
    assert "Абенов К." not in mail and "15:00" not in mail

    listed = casewatch(names_world, db_url, smtp_server, "hearings", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    cases = {h["local_time"][-5:]: h["cases"] for h in json.loads(listed.stdout)}
    assert cases.get("10:00") == ["abenov-trial"]
    assert not cases.get("15:00")  # «Абенов К.» is someone else (or not listed at all)

    again = casewatch(names_world, db_url, smtp_server, "run", "--once", "--all")
    assert again.returncode == 0, again.stderr
    assert len(smtp_server.messages) == 1
