"""Watches (``watches.yaml``) and extra case files (``cases.d/*.yaml``): loaded beside
``cases.yaml``, validated entry by entry, every problem naming its file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config.load import SHIPPED_CONFIG_DIR, load_config

from support.cli import Cli, write_config

CASES = """
cases:
  - slug: good-case
    title: A good case
    keywords: {ru: [пытки], en: [torture]}
"""

WATCHES = """
watches:
  - id: torture-kz
    title: Torture prosecutions in Kazakhstan
    keywords: {ru: [пытки], en: [torture]}
    articles: ["146"]
    regions: [Казахстан, Kazakhstan]
    search: {ru: [осуждены за пытки]}
  - id: no-topic
    title: A watch about nothing
    regions: [Казахстан]
  - id: odd-language
    title: Odd
    keywords: {russian: [пытки]}
    languages: [ru, Russian]
  - id: Bad Id
    title: Bad
    articles: ["146"]
"""

ONE_CASE = """
cases:
  - slug: abenov-trial
    title: Trial of Nurzhan Abenov
    people: [{name: Нуржан Абенов, role: defendant}]
    case_numbers: ["1917-22-00-1/215"]
"""


def test_the_shipped_watch_loads_and_searches_the_news() -> None:
    config = load_config(SHIPPED_CONFIG_DIR, environ={})
    assert [w.id for w in config.watches] == ["torture-kz"]
    assert config.errors == ()
    searches = [s.id for s in config.enabled_sources() if s.id.startswith("news-watch-")]
    assert searches == [f"news-watch-torture-kz-{lang}" for lang in ("ru", "kk", "en")]


def test_bad_watches_are_named_and_the_good_one_loads(tmp_path: Path) -> None:
    root = write_config(tmp_path / "c", cases=CASES, watches=WATCHES)
    config = load_config(root, environ={})
    assert [w.id for w in config.watches] == ["torture-kz"]
    where = {p.where.split(": ", 1)[1]: p.message for p in config.errors}
    assert all(p.where.startswith(f"{root / 'watches.yaml'}: ") for p in config.errors)
    assert "needs `keywords` or `articles`" in where["watches[1] (no-topic)"]
    assert "ISO codes" in where["watches[2] (odd-language).keywords"]
    assert "ISO codes" in where["watches[2] (odd-language).languages"]
    assert "should match pattern" in where["watches[3] (Bad Id).id"]
    assert [s.id for s in config.enabled_sources() if "watch" in s.id] == [
        "news-watch-torture-kz-ru"
    ]


def test_a_case_file_in_cases_d_loads_beside_cases_yaml(tmp_path: Path) -> None:
    root = write_config(tmp_path / "c", cases=CASES)
    write_config(root / "cases.d", abenov=ONE_CASE)
    config = load_config(root, environ={})
    assert [c.slug for c in config.cases] == ["good-case", "abenov-trial"]
    assert config.problems == ()
    assert config.cases[1].case_numbers == ("1917-22-00-1/215",)


@pytest.mark.parametrize(
    ("text", "where", "fragment"),
    [
        (CASES, "cases[0] (good-case)", "duplicate slug 'good-case' (also in {root}/cases.yaml)"),
        (
            "cases:\n  - slug: x\n    title: X\n    keywords: {ru: пытки}\n",
            "cases[0] (x).keywords.ru",
            "tuple",
        ),
        ("slug: x\ntitle: X\n", "cases", "one case goes under `cases:`"),
        ("- slug: x\n", "cases", "expected a `cases:` list"),
    ],
)
def test_a_bad_case_file_is_named_with_its_field(
    tmp_path: Path, text: str, where: str, fragment: str
) -> None:
    root = write_config(tmp_path / "c", cases=CASES)
    write_config(root / "cases.d", extra=text)
    config = load_config(root, environ={})
    assert [c.slug for c in config.cases] == ["good-case"]
    [problem] = config.errors
    assert problem.where == f"{root / 'cases.d' / 'extra.yaml'}: {where}"
    assert fragment.format(root=root) in problem.message


def test_check_config_counts_watches_and_names_their_problems(tmp_path: Path) -> None:
    root = write_config(tmp_path / "c", cases=CASES, watches=WATCHES)
    write_config(root / "cases.d", abenov=ONE_CASE)
    code, output = Cli().run("--config", str(root), "check-config")
    assert code == 1
    assert "2 cases, 1 watches" in output
    assert f"error: {root / 'watches.yaml'}: watches[1] (no-topic): a watch needs" in output
