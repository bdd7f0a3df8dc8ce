"""`casewatch match "TEXT"` and `match --url URL` on the shipped cases: MATCH or no match per
case, each term and the form it was found as, what was missing; stdin; --case, --lang; a page
served on 127.0.0.1; exit 2 on bad input. No database is touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.main import main

from support.cli import Cli, write_config
from support.e2e import PARAGRAPHS, TITLE
from support.feeds import HTML, page
from support.http_server import LocalHTTPServer
from support.ports import free_port

TORTURE = "taldykorgan-torture"
SHIPPED = ["taldykorgan-torture", "kudebayev-trial", "koshmambet-case", "january-2022-torture"]
TRIAL = "В Талдыкоргане начался суд над полицейскими, обвиняемыми в пытках задержанных."
TOPIC_ONLY = "Правозащитники сообщают о пытках в колониях."


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The shipped config; a database URL that must never be created."""
    return Cli(None, f"sqlite:///{tmp_path / 'never.db'}")


def block(output: str, slug: str) -> str:
    """The lines ``match`` prints for one case."""
    start = output.index(f"\n{slug} — ")
    end = output.find("\n\n", start + 1)
    return output[start : end if end != -1 else None]


def test_a_matching_russian_text_shows_each_term_and_its_form(cli: Cli, tmp_path: Path) -> None:
    code, out = cli.run("match", TRIAL)
    assert code == 0, out
    assert out.startswith("language: ru (detected)\n")
    torture = block(out, TORTURE)
    assert "MATCH (score 0.5; topic and context both in the first 120 words" in torture
    assert "keyword     «пытки» as «пытках» in text" in torture
    assert "context     «Талдыкорган» as «Талдыкоргане» in text" in torture
    for slug in SHIPPED[1:]:
        assert "  no match\n" in block(out, slug) + "\n"
    assert "why not: nothing found: no person named alone (Serik Kudebayev)" in out
    assert not (tmp_path / "never.db").exists()  # the matcher needs no database


def test_topic_without_context_says_what_is_missing(cli: Cli) -> None:
    code, out = cli.run("match", TOPIC_ONLY, "--case", TORTURE)
    assert code == 0, out
    assert [line for line in out.splitlines() if " — " in line] == [
        f"{TORTURE} — Taldykorgan police torture trials"
    ]  # --case: that case alone
    assert "  no match\n  keyword     «пытки» as «пытках» in text\n" in out
    assert "  why not: topic found, no context term (require (ru): Талдыкорган," in out


def test_topic_and_context_too_far_apart(cli: Cli) -> None:
    filler = " ".join(["Новости экономики и погоды за неделю."] * 40)
    code, out = cli.run("match", f"{filler} Пытки. {filler} Талдыкорган.", "--case", TORTURE)
    assert code == 0, out
    assert "why not: topic found, no context within 40 words (nearest 241 words apart)" in out


def test_lang_overrides_detection(cli: Cli) -> None:
    code, out = cli.run("match", TOPIC_ONLY, "--case", "koshmambet-case", "--lang", "kk")
    assert code == 0, out
    assert out.startswith("language: kk (--lang)\n")
    assert "require (kk): Қошмамбет" in out


def test_an_announced_hearing_is_shown_for_a_match(cli: Cli) -> None:
    text = f"{TRIAL} Следующее заседание назначено на 4 декабря 2099 года в 10:00."
    code, out = cli.run("match", text, "--case", TORTURE)
    assert code == 0, out
    assert "announces a hearing: 2099-12-04 10:00 (Asia/Almaty) «Следующее заседание" in out


@pytest.mark.parametrize("args", [[], ["-"]])
def test_text_from_stdin(args: list[str]) -> None:
    result = CliRunner().invoke(
        main, ["match", *args, "--format", "json"], input=TRIAL, env={"CASEWATCH_CONFIG": None}
    )
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["language"] == "ru" and obj["language_detected"] is True
    assert [c["case"] for c in obj["cases"]] == SHIPPED
    [torture] = [c for c in obj["cases"] if c["matched"]]
    assert torture["case"] == TORTURE and torture["score"] == 0.5
    assert {"kind": "keyword", "term": "пытки", "found": "пытках", "field": "text"} in torture[
        "hits"
    ]
    assert torture["missing"] == [] and torture["enabled"] is True
    assert all(c["missing"] for c in obj["cases"] if not c["matched"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["match", "текст", "--case", "taldykorgan"], "unknown case 'taldykorgan'; the configured"
         " cases are: taldykorgan-torture, kudebayev-trial, koshmambet-case, january-2022-torture"),
        (["match", "   "], "nothing to match: the text is empty"),
        (["match", "--url", "ftp://127.0.0.1/x"], "is not an http(s) URL"),
        (["match", "--lang", "de", "текст"], "'de' is not one of 'ru', 'kk', 'en'"),
        (["match", "текст", "--url", "http://127.0.0.1:9/"], "give TEXT (and --title) or --url"),
    ],
)  # fmt: skip
def test_bad_input_exits_2(cli: Cli, args: list[str], message: str) -> None:
    code, out = cli.run(*args)
    assert code == 2, out
    assert message in out


def test_url_matches_the_title_and_main_text_of_a_fetched_page(
    cli: Cli, http_server: LocalHTTPServer
) -> None:
    url = http_server.route("/article.html", body=page(TITLE, PARAGRAPHS), headers=HTML)
    code, out = cli.run("match", "--url", url)
    assert code == 0, out
    assert f"page: {url}\ntitle: {TITLE}\n" in out
    torture = block(out, TORTURE)
    assert "MATCH (score" in torture and "person named alone" in torture
    assert "person      «Azamat Batyrbayev» as «Азамата Батырбаева» in text" in torture
    assert "context     «Талдыкорганский городской суд» as «Талдыкорганском городском суде»" in (
        torture
    )
    assert "announces a hearing: 2026-12-04 (Asia/Almaty)" in torture  # dated by the page
    [request] = http_server.requests_to("/article.html")
    assert request.headers["User-Agent"].startswith("casewatch")


def test_an_unreachable_url_exits_2_naming_it(cli: Cli) -> None:
    url = f"http://127.0.0.1:{free_port()}/article.html"
    code, out = cli.run("match", "--url", url)
    assert code == 2, out
    assert out.startswith(f"casewatch: error: cannot read {url}: ConnectError")
    assert "Traceback" not in out


def test_a_url_error_names_it_without_its_secrets(cli: Cli, http_server: LocalHTTPServer) -> None:
    http_server.route("/gone.html", status=404)
    url = (
        http_server.url("/gone.html").replace("://", "://monitor:s3cret-pass@") + "?token=abcd1234"
    )
    code, out = cli.run("match", "--url", url)
    assert code == 2, out
    assert "HTTP 404" in out and "/gone.html" in out
    assert "s3cret-pass" not in out and "abcd1234" not in out


def test_a_disabled_case_is_explained_and_said_to_be_skipped_by_ingest(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config",
        cases="""
        cases:
          - {slug: old-case, title: Old case, keywords: {ru: [пытки]}, enabled: false}
        """,
    )
    code, out = Cli(config, f"sqlite:///{tmp_path / 'never.db'}").run(
        "match", "Пытки", "--title", "Заголовок о пытках"
    )
    assert code == 0, out
    assert "MATCH (score 0.429; topic (the case needs no context); the case is disabled" in out
    assert "keyword     «пытки» as «пытках» in title" in out  # a title hit comes first
