"""The shape of the command line: one module a command, found by walking the package, lazily.

Adding a command is adding a file to ``pipeline/cli/commands``; loading the CLI (and
``casewatch --help``) must not import Scrapy, FastAPI, Alembic, trafilatura or Apprise.
"""

from __future__ import annotations

import ast
import importlib
import json
import logging
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import commands
from pipeline.cli.main import main, short_help_from_source

EXPECTED_COMMANDS = [
    "alerts",
    "articles",
    "candidates",
    "cases",
    "check-config",
    "crawl",
    "db",
    "deliver",
    "deliveries",
    "dismiss",
    "events",
    "export",
    "export-evidence",
    "extract",
    "follow",
    "hearings",
    "match",
    "report",
    "run",
    "search",
    "serve",
    "sources",
    "status",
    "worker",
]
HEAVY = ("scrapy", "fastapi", "alembic", "trafilatura", "apprise", "procrastinate")
HELP_HEAVY = (*HEAVY, "sqlalchemy", "pydantic", "yaml", "rich")
"""``casewatch --help`` (≤ 0.3 s) imports no command, no config and no store."""
CLI_DIR = Path(commands.__file__).parent.parent


def command_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(commands.__path__)
        if not info.name.startswith("_")
    )


def listed_commands(help_text: str) -> list[str]:
    """The command names of a click ``--help`` page's ``Commands:`` section."""
    section = help_text.split("\nCommands:\n", 1)[1]
    return [
        line.split()[0] for line in section.splitlines() if line.startswith("  ") and line.strip()
    ]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("module_name", command_modules())
def test_every_command_module_exposes_a_click_command_named_after_it(module_name: str) -> None:
    module = importlib.import_module(f"{commands.__name__}.{module_name}")
    command = getattr(module, "command", None)
    assert isinstance(command, click.Command), f"{module.__name__} has no click `command`"
    assert command.name == module_name.replace("_", "-")
    assert command.help, f"{module.__name__}: the command needs a docstring for --help"


def test_one_module_per_command() -> None:
    assert [m.replace("_", "-") for m in command_modules()] == EXPECTED_COMMANDS


def test_help_lists_exactly_the_expected_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    assert listed_commands(result.output) == EXPECTED_COMMANDS
    assert "--config DIR" in result.output and "--database URL" in result.output
    assert "--version" in result.output


def test_every_command_has_its_help_page() -> None:
    for name in EXPECTED_COMMANDS:
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert f"Usage: main {name} " in result.output


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command 'no-such-command'" in result.output


def test_commands_never_import_main() -> None:
    """Commands take what they share from pipeline.cli.context: main imports nothing back."""
    for path in sorted((CLI_DIR / "commands").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert "pipeline.cli.main" not in imported, path.name


def test_no_cli_module_over_400_lines() -> None:
    sizes = {
        str(p.relative_to(CLI_DIR)): len(p.read_text(encoding="utf-8").splitlines())
        for p in CLI_DIR.rglob("*.py")
    }
    assert sizes and all(lines <= 400 for lines in sizes.values()), sizes


def test_loading_the_cli_and_its_help_leave_the_heavy_libraries_out() -> None:
    """A fresh interpreter: import main, then run --help (every command's short help)."""
    result = run_python(
        f"""
        import json, sys
        import pipeline.cli.main
        heavy = {HELP_HEAVY!r}
        def loaded():
            return sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))
        after_import = loaded()
        commands_loaded = sorted(m for m in sys.modules if m.startswith("pipeline.cli.commands."))
        try:
            pipeline.cli.main.main(["--help"], prog_name="casewatch")
        except SystemExit as exc:
            code = exc.code
        commands_after = sorted(m for m in sys.modules if m.startswith("pipeline.cli.commands."))
        print(json.dumps([after_import, commands_loaded, loaded(), code, commands_after]))
        """
    )
    assert result.returncode == 0, result.stderr
    after_import, commands_loaded, after_help, code, commands_after = json.loads(
        result.stdout.splitlines()[-1]
    )
    assert after_import == []
    assert commands_loaded == []  # discovery is lazy: no command module imported up front
    assert code == 0
    assert after_help == []
    assert commands_after == []  # the root help reads each command's line from its source


def test_a_run_loads_the_sending_and_postgresql_side_only_when_used() -> None:
    """``run --once``'s modules leave Apprise, Jinja2, and the PostgreSQL dialect out (issue 14:
    about 0.1 s of every run): they come when a message is rendered or sent, or on PostgreSQL."""
    result = run_python(
        """
        import json, sys
        import pipeline.cli.commands.run, pipeline.ingest.deps, pipeline.service.once
        import pipeline.fetch.crawler, pipeline.store.engine, pipeline.notify
        from pipeline.notify import channels_for, render
        unused = ("apprise", "jinja2", "sqlalchemy.dialects.postgresql")
        print(json.dumps([sorted(m for m in unused if m in sys.modules), callable(render)]))
        """
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [[], True]


def test_long_lived_imports_pause_the_collector_and_freeze_what_they_import() -> None:
    """Libraries are imported with the collector paused; a block that imported something
    freezes what exists then, one that imported nothing new freezes nothing; the collector is
    back on after, or stays off if it was off."""
    result = run_python(
        """
        import gc, json
        from pipeline.startup import long_lived_imports
        seen = []
        with long_lived_imports():
            seen.append(gc.isenabled())
            import colorsys
        seen += [gc.isenabled(), gc.get_freeze_count() > 0]
        gc.unfreeze()
        with long_lived_imports():
            import colorsys  # already imported: nothing new
        seen.append(gc.get_freeze_count())
        gc.disable()
        with long_lived_imports():
            import fractions
        seen += [gc.isenabled(), gc.get_freeze_count() > 0]
        print(json.dumps(seen))
        """
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [False, True, True, 0, False, True]


def test_a_run_with_nothing_due_imports_no_crawler(tmp_path: Path) -> None:
    """``run --once`` with no source due opens the store and delivers, but never imports the
    crawl machinery (Twisted's reactor, Scrapy's engine): issue 14's run with nothing to do."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "sources.yaml").write_text(
        "sources:\n  - {id: feed-a, kind: feed, url: 'http://127.0.0.1:9/feed.xml', enabled: false}\n"
    )
    (config / "settings.yaml").write_text(
        json.dumps({"data_dir": str(tmp_path / "data"), "news_search": {"enabled": False}})
    )
    result = run_python(
        f"""
        import json, sys
        from click.testing import CliRunner
        from pipeline.cli.main import main
        out = CliRunner().invoke(main, ["--config", {str(config)!r}, "run", "--once"])
        heavy = ("pipeline.fetch.crawler", "scrapy.crawler", "scrapy.core.engine")
        print(json.dumps([out.exit_code, sorted(m for m in heavy if m in sys.modules)]))
        """
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [0, []]


ALIASES = """
import json, sys
from scrapy.core.downloader import contextfactory, tls
import scrapy.utils.deprecate as deprecate, inspect
print(json.dumps([
    tls.ScrapyClientTLSOptions.__module__,
    contextfactory.ScrapyClientContextFactory.__module__,
    contextfactory.AcceptableProtocolsContextFactory.__module__,
    deprecate.inspect is inspect,
    issubclass(contextfactory.ScrapyClientContextFactory, contextfactory.ScrapyClientContextFactory),
]))
"""


def test_the_http_handler_imported_cheaply_names_its_aliases_as_scrapy_does() -> None:
    """``import_http_handler`` spares ``inspect.stack()`` to Scrapy's deprecated TLS aliases
    (issue 14): they get the ``__module__`` a plain import gives, and Scrapy's ``inspect``
    is given back."""
    plain = run_python(ALIASES)
    cheap = run_python("from pipeline.fetch.crawler import import_http_handler\n"
                       "import_http_handler()\n" + ALIASES)  # fmt: skip
    assert plain.returncode == 0 and cheap.returncode == 0, plain.stderr + cheap.stderr
    expected = json.loads(plain.stdout.splitlines()[-1])
    assert expected[:3] == [
        "scrapy.core.downloader.tls",
        "scrapy.core.downloader.contextfactory",
        "scrapy.core.downloader.contextfactory",
    ]
    assert json.loads(cheap.stdout.splitlines()[-1]) == expected


@pytest.mark.parametrize("width", [80, 120])
def test_the_root_help_reads_the_lines_click_would_print(width: int) -> None:
    """Each line read from a command's source is the one click makes from the imported command."""
    limit = width - 6 - max(map(len, EXPECTED_COMMANDS))
    for module_name in command_modules():
        path = CLI_DIR / "commands" / f"{module_name}.py"
        command = importlib.import_module(f"{commands.__name__}.{module_name}").command
        assert short_help_from_source(path, limit) == command.get_short_help_str(limit), path.name


def test_a_command_module_is_imported_only_when_asked_for() -> None:
    result = run_python(
        """
        import json, sys
        import click
        from pipeline.cli.main import main
        command = main.get_command(click.Context(main), "articles")
        print(json.dumps([command.name, sorted(
            m for m in sys.modules if m.startswith("pipeline.cli.commands.")
        )]))
        """
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == [
        "articles",
        ["pipeline.cli.commands.articles"],
    ]


def test_python_dash_m_pipeline_cli_runs_the_same_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: casewatch [OPTIONS] COMMAND [ARGS]...")
    assert listed_commands(result.stdout) == EXPECTED_COMMANDS


NEW_COMMAND = '''
import click

from pipeline.cli.context import AppContext


@click.command("hello-world")
@click.argument("who")
@click.pass_obj
def command(app: AppContext, who: str) -> None:
    """Say hello (a command nobody registered)."""
    click.echo(f"hello {who}, config {app.config_dir}")
'''


def test_a_dropped_in_module_is_a_command_without_editing_main(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hello_world.py").write_text(NEW_COMMAND, encoding="utf-8")
    (tmp_path / "_helpers.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.setattr(commands, "__path__", [*commands.__path__, str(tmp_path)])
    name = f"{commands.__name__}.hello_world"
    monkeypatch.delitem(sys.modules, name, raising=False)
    try:
        listing = CliRunner().invoke(main, ["--help"])
        assert listing.exit_code == 0, listing.output
        assert listed_commands(listing.output) == sorted([*EXPECTED_COMMANDS, "hello-world"])
        assert "Say hello (a command nobody registered)." in listing.output
        assert "helpers" not in listing.output  # `_` modules are helpers, not commands

        result = CliRunner().invoke(main, ["--config", "somewhere", "hello-world", "you"])
        assert result.exit_code == 0, result.output
        assert result.output == "hello you, config somewhere\n"
    finally:
        sys.modules.pop(name, None)
    monkeypatch.undo()
    assert "hello-world" not in main.list_commands(click.Context(main))


def test_a_module_without_a_command_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "not_a_command.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.setattr(commands, "__path__", [*commands.__path__, str(tmp_path)])
    name = f"{commands.__name__}.not_a_command"
    try:
        with pytest.raises(TypeError, match="not_a_command must expose a click command"):
            main.get_command(click.Context(main), "not-a-command")
    finally:
        sys.modules.pop(name, None)


def test_a_crawl_keeps_scrapy_quiet_below_vv(tmp_path: Path) -> None:
    """A Scrapy crawler process sets Scrapy's loggers to DEBUG when it starts; the crawl puts
    them back at the run's level, so no record is made for each item nobody would see."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.yaml").write_text(
        json.dumps({"data_dir": str(tmp_path / "data"), "news_search": {"enabled": False}})
    )
    (config / "sources.yaml").write_text("sources: []\n")
    result = run_python(
        f"""
        import json, logging
        from pipeline.logs import configure_logging
        from pipeline.fetch.crawler import crawl
        from pipeline.ingest.deps import build_deps
        from pipeline.ingest.runlog import RunLog
        levels = []
        for verbose in (0, 2):
            configure_logging(verbose)
            chosen = logging.getLogger("scrapy").level
            crawl(build_deps({str(config)!r}), RunLog(), [])
            levels.append([chosen, logging.getLogger("scrapy").level])
        print(json.dumps(levels))
        """
    )
    assert result.returncode == 0, result.stderr
    (quiet, after), (verbose, after_vv) = json.loads(result.stdout.splitlines()[-1])
    assert after == quiet >= logging.WARNING
    assert after_vv == verbose == logging.DEBUG
