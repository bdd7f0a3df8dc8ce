"""The config folder: shipped defaults, entry-level problems, folder selection, check-config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config.load import SHIPPED_CONFIG_DIR, Config, config_dir, load_config
from pipeline.errors import ConfigError

from support.cli import Cli, write_config

UNSET = "CASEWATCH_TEST_SURELY_UNSET"

GOOD_SOURCES = """
sources:
  - id: good-feed
    kind: feed
    url: http://127.0.0.1:9/feed.xml
    every: 30m
"""

BAD_SOURCES = f"""
sources:
  - id: good-feed
    kind: feed
    url: http://127.0.0.1:9/feed.xml
    every: 30m
  - id: lazy-feed
    kind: feed
    url: http://127.0.0.1:9/lazy.xml
    every: soon
  - id: odd-feed
    kind: feed
    url: http://127.0.0.1:9/odd.xml
    colour: blue
  - id: secret-feed
    kind: feed
    url: http://127.0.0.1:9/feed.xml?key=${{{UNSET}}}
  - id: Bad Slug
    kind: feed
    url: http://127.0.0.1:9/bad.xml
"""

CASES = """
cases:
  - slug: good-case
    title: A good case
    keywords: {ru: [пытки], en: [torture]}
"""

BAD_CASES = (
    CASES
    + """
  - slug: Bad_Case
    title: A badly named case
"""
)

ALERTS = f"""
channels:
  - id: team-json
    url: json://127.0.0.1:9/hook
  - id: team-email
    url: ${{{UNSET}}}
routes:
  - cases: [good-case]
    events: ["article.new"]
    channels: [team-json, nowhere]
"""


@pytest.fixture
def bad_config(tmp_path: Path) -> Config:
    root = write_config(tmp_path / "bad", sources=BAD_SOURCES, cases=BAD_CASES, alerts=ALERTS)
    return load_config(root, environ={})


@pytest.fixture
def good_dir(tmp_path: Path) -> Path:
    return write_config(tmp_path / "good", sources=GOOD_SOURCES, cases=CASES)


def test_shipped_config_loads_without_errors() -> None:
    config = load_config(SHIPPED_CONFIG_DIR, environ={})
    assert [str(p) for p in config.errors] == []
    for problem in config.problems:
        assert problem.severity == "warning"
        assert "alerts.yaml: channels[" in problem.where
    shipped = {p.stem for p in SHIPPED_CONFIG_DIR.glob("*.yaml")}
    if "sources" in shipped:
        assert config.sources
    if "cases" in shipped:
        assert config.cases
        assert config.enabled_sources(), "every enabled case should generate news searches"


@pytest.mark.parametrize(
    ("file", "where", "fragment"),
    [
        ("sources", "sources[1] (lazy-feed).every", "expected a duration"),
        ("sources", "sources[2] (odd-feed).colour", "Extra inputs are not permitted"),
        ("sources", "sources[3] (secret-feed)", f"environment variable {UNSET} is not set"),
        ("sources", "sources[4] (Bad Slug).id", "should match pattern"),
        ("cases", "cases[1] (Bad_Case).slug", "should match pattern"),
        ("alerts", "routes[0].channels", "unknown channel 'nowhere'"),
    ],
)
def test_bad_entries_are_named(bad_config: Config, file: str, where: str, fragment: str) -> None:
    expected = f"{bad_config.directory / f'{file}.yaml'}: {where}"
    found = [p for p in bad_config.errors if p.where == expected]
    assert len(found) == 1, [str(p) for p in bad_config.problems]
    assert fragment in found[0].message


def test_good_entries_still_load(bad_config: Config) -> None:
    assert [s.id for s in bad_config.sources] == ["good-feed"]
    assert [c.slug for c in bad_config.cases] == ["good-case"]
    assert [(c.id, c.enabled) for c in bad_config.channels] == [
        ("team-json", True),
        ("team-email", False),
    ]
    assert len(bad_config.errors) == 6
    assert [p.where.rsplit(": ", 1)[1] for p in bad_config.problems if p.severity == "warning"] == [
        "channels[1] (team-email).url"
    ]


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    root = write_config(tmp_path / "broken", sources=GOOD_SOURCES, cases="cases: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML") as caught:
        load_config(root, environ={})
    assert str(root / "cases.yaml") in str(caught.value)


@pytest.mark.parametrize(
    ("explicit", "env", "expected"),
    [
        ("/from/flag", "/from/env", "/from/flag"),
        (None, "/from/env", "/from/env"),
        (None, None, str(SHIPPED_CONFIG_DIR)),
    ],
)
def test_config_dir_precedence(
    monkeypatch: pytest.MonkeyPatch, explicit: str | None, env: str | None, expected: str
) -> None:
    if env is None:
        monkeypatch.delenv("CASEWATCH_CONFIG", raising=False)
    else:
        monkeypatch.setenv("CASEWATCH_CONFIG", env)
    assert str(config_dir(explicit)) == expected


def invoke(args: list[str], env: dict[str, str | None] | None = None) -> tuple[int, str]:
    return Cli().run(*args, env=env)


def test_config_flag_and_env_select_the_folder(good_dir: Path) -> None:
    by_flag = invoke(["--config", str(good_dir), "check-config"])
    by_env = invoke(["check-config"], env={"CASEWATCH_CONFIG": str(good_dir)})
    for code, output in (by_flag, by_env):
        assert code == 0, output
        assert f"{good_dir}: 1 sources, 2 generated news searches, 1 cases" in output


def test_check_config_reports_every_problem(tmp_path: Path) -> None:
    root = write_config(tmp_path / "bad", sources=BAD_SOURCES, cases=BAD_CASES, alerts=ALERTS)
    code, output = invoke(["--config", str(root), "check-config"], env={UNSET: None})
    assert code == 1
    lines = output.splitlines()
    assert sum(line.startswith("error: ") for line in lines) == 6
    assert f"warning: {root / 'alerts.yaml'}: channels[1] (team-email).url:" in output
    assert (
        f"error: {root / 'sources.yaml'}: sources[1] (lazy-feed).every: expected a duration"
        in output
    )
    assert lines[-1].endswith("6 errors, 1 warnings")


def test_check_config_warnings_alone_pass(tmp_path: Path) -> None:
    alerts = f"channels:\n  - id: team-email\n    url: ${{{UNSET}}}\n"
    root = write_config(tmp_path / "warn", sources=GOOD_SOURCES, cases=CASES, alerts=alerts)
    code, output = invoke(["--config", str(root), "check-config"], env={UNSET: None})
    assert code == 0, output
    assert output.startswith("warning: ")
    assert "0 errors, 1 warnings" in output


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"cases": "cases: [unclosed\n"}, "cases.yaml: not valid YAML"),
        ({"settings": "timezone: Mars/Olympus_Mons\n"}, "settings.timezone: unknown time zone"),
        (
            {"sources": GOOD_SOURCES + "    timezone: Asia/Almatyy\n"},
            "sources (good-feed).timezone: unknown time zone 'Asia/Almatyy'",
        ),
        ({"cases": CASES + "    timezone: Nowhere/City\n"}, "cases (good-case).timezone"),
    ],
)
def test_check_config_fails_on(tmp_path: Path, files: dict[str, str], fragment: str) -> None:
    root = write_config(tmp_path / "cfg", **files)
    code, output = invoke(["--config", str(root), "check-config"])
    assert code == 1
    assert fragment in output


def test_missing_folder_fails_check_config(tmp_path: Path) -> None:
    code, output = invoke(["--config", str(tmp_path / "absent"), "check-config"])
    assert code == 1
    assert "config folder not found" in output


def casewatch_command() -> list[str]:
    """The installed console script beside this Python, else ``python -m pipeline.cli.main``."""
    script = Path(sys.executable).parent / "casewatch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli.main"]


def run_real(command: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWATCH_")}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "command", [casewatch_command(), [sys.executable, "-m", "pipeline.cli.main"]]
)
def test_real_executable_exit_codes(command: list[str], good_dir: Path, tmp_path: Path) -> None:
    good = run_real(command, "--config", str(good_dir), "check-config")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "1 sources" in good.stdout

    bad_dir = write_config(tmp_path / "bad", sources=BAD_SOURCES, cases=BAD_CASES, alerts=ALERTS)
    bad = run_real(command, "--config", str(bad_dir), "check-config")
    assert bad.returncode == 1
    assert "sources[1] (lazy-feed).every" in bad.stdout

    broken = run_real(command, "--config", str(tmp_path / "absent"), "sources")
    assert broken.returncode == 2
    assert broken.stderr.startswith("casewatch: error: ")
    assert "config folder not found" in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1
    assert "Traceback" not in broken.stderr


def test_the_default_data_dir_expands_its_variable_without_a_settings_file(
    tmp_path: Path,
) -> None:
    """The shipped config has no settings.yaml: the default data_dir, written
    ``${CASEWATCH_DATA_DIR:-data}``, once became a folder of that literal name."""
    root = write_config(tmp_path / "cfg", cases=CASES)
    assert not (root / "settings.yaml").exists()
    assert load_config(root, environ={}).settings.data_dir == "data"
    chosen = load_config(root, environ={"CASEWATCH_DATA_DIR": str(tmp_path / "d")})
    assert chosen.data_dir() == tmp_path / "d"
    assert load_config(SHIPPED_CONFIG_DIR, environ={}).settings.data_dir == "data"


# ---------------------------------------------------------------- the YAML reader (issue 14)

REPO = Path(__file__).resolve().parent.parent
TRICKY_YAML = [
    "a: 1\nb: [1, 2.5, -3, 0o17, 017, 0x1F, 1_000, .inf, -.Inf, .nan]\n",
    "on: yes\noff: No\nnull_: ~\nempty:\nt: true\nlist: [on, off, y, n]\n",
    "when: 2026-12-07\nat: 2026-12-07 09:30:00+05:00\nstamp: 2026-12-07T09:30:00Z\n",
    "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n",
    "folded: >\n  one\n  two\n\n  three\nliteral: |-\n  a\n   b\nkeep: |+\n  c\n\n",
    "ru: «Талдыкорган» — суд\nkk: Талдықорған соты\nq: 'it''s'\ndq: \"tab\\there \\u00e9 \\x41\"\n",
    'emoji: "\\U0001F600"\nraw: 😀\nkey with spaces: v\n? complex key\n: value\n',
    '{"sources": [{"id": "feed-1", "url": "http://127.0.0.1:1/f.xml", "every": "30m"}]}',
    "bin: !!binary aGVsbG8=\nstr: !!str 123\nset: !!set {a, b}\nomap: !!omap [a: 1, b: 2]\n",
    "dup: 1\ndup: 2\n",
    "",
    "# only a comment\n",
    "---\na: 1\n...\n",
    "- a\n- - b\n  - c\n- {d: [e, {f: g}]}\n",
]
BROKEN_YAML = [
    "cases: [unclosed\n",
    "a: b: c\n",
    "a:\n\t- tab\n",
    "- a\nb: c\n",
    "a: 'unterminated\n",
    "a: *nowhere\n",
    "x" * 2000 + ": long key\n",
    "a: \x07bell\n",
]


def _repo_yaml() -> list[str]:
    paths = [*REPO.glob("config/*.yaml"), *REPO.glob("tests/fixtures/**/*.yaml")]
    return [path.read_text(encoding="utf-8") for path in sorted(paths)]


def test_the_fast_yaml_loader_reads_what_the_pure_one_reads(tmp_path: Path) -> None:
    """``read_yaml`` parses with libyaml when PyYAML has it: the same values as the pure
    loader on the shipped config, the fixtures and the tricky corners of YAML 1.1."""
    import yaml

    from pipeline.config.entries import _FAST_LOADER, read_yaml

    if _FAST_LOADER is None:
        pytest.skip("PyYAML without libyaml: read_yaml uses the pure loader")
    texts = _repo_yaml() + TRICKY_YAML
    assert len(texts) > len(TRICKY_YAML) + 4
    path = tmp_path / "doc.yaml"
    for text in texts:
        path.write_text(text, encoding="utf-8")
        assert read_yaml(path) == yaml.safe_load(text), text[:80]
        assert yaml.load(text, Loader=_FAST_LOADER) == yaml.safe_load(text), text[:80]


def test_a_broken_yaml_file_reads_as_the_pure_loader_says(tmp_path: Path) -> None:
    """Errors come from the pure loader, as before: same message, same position."""
    import yaml

    from pipeline.config.entries import read_yaml

    path = tmp_path / "cases.yaml"
    for text in BROKEN_YAML:
        path.write_text(text, encoding="utf-8")
        with path.open(encoding="utf-8") as fh, pytest.raises(yaml.YAMLError) as pure:
            yaml.safe_load(fh)
        with pytest.raises(ConfigError) as caught:
            read_yaml(path)
        assert str(caught.value) == f"{path}: not valid YAML: {pure.value}"
    path.write_bytes(("a: " + "я" * 9000 + "\n").encode() + "b: суд\n".encode("cp1251"))
    with path.open(encoding="utf-8") as fh, pytest.raises(UnicodeDecodeError) as undecoded:
        yaml.safe_load(fh)
    with pytest.raises(ConfigError, match=rf"not UTF-8 \(byte {undecoded.value.start}\)"):
        read_yaml(path)
