"""The ``casewatch`` command line: the root group and its global options, nothing else.

Commands are found by walking :mod:`pipeline.cli.commands`: each module there exposes a click
``command`` named after the module (``export_evidence.py`` → ``casewatch export-evidence``).
A module is imported only when its command is asked for, so adding a command is adding one file,
and ``casewatch <command>`` loads only what that command needs.

``casewatch --help`` imports no command at all: each command's one-line help is read from its
module's source (the docstring of the function under ``@click.command``/``@click.group``), so
the root help costs a few file reads, not every command's imports. ``tests/test_cli_structure.py``
checks that line against what click itself would print.

Config is loaded once per invocation, at this edge, and the store is opened only by the commands
that need it. A :class:`CasewatchError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
import sys
from pathlib import Path
from typing import Any

import click

from pipeline.cli import commands
from pipeline.errors import CasewatchError


def command_name(module_name: str) -> str:
    """``export_evidence`` → ``export-evidence``."""
    return module_name.replace("_", "-")


def _is_click_decorator(node: ast.expr) -> bool:
    """``@click.command(...)`` / ``@click.group(...)`` (with or without the call)."""
    target = node.func if isinstance(node, ast.Call) else node
    return (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == "click"
        and target.attr in {"command", "group"}
    )


def short_help_from_source(path: Path, limit: int) -> str | None:
    """The root-help line of the command defined in ``path``, read without importing it: the
    decorator's ``short_help=`` or ``help=``, else the function's docstring — shortened as
    click shortens it; None when the file has no top-level click command (the caller then
    imports the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            if not _is_click_decorator(decorator):
                continue
            keywords = decorator.keywords if isinstance(decorator, ast.Call) else []
            given = {k.arg: k.value for k in keywords if isinstance(k.value, ast.Constant)}
            if "short_help" in given:
                return inspect.cleandoc(str(given["short_help"].value))
            text = given["help"].value if "help" in given else ast.get_docstring(node)
            return click.utils.make_default_short_help(inspect.cleandoc(str(text or "")), limit)
    return None


class CasewatchGroup(click.Group):
    """Finds its commands in a package, lazily; turns a CasewatchError from any command into
    ``casewatch: error: …`` and exit 2."""

    def __init__(self, *args: Any, package: str = commands.__name__, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.package = package

    def _modules(self) -> dict[str, str]:
        """Command name → module name, for every public module of the package (not imported)."""
        package = importlib.import_module(self.package)
        return {
            command_name(info.name): info.name
            for info in pkgutil.iter_modules(package.__path__)
            if not info.name.startswith("_")
        }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._modules()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        added = super().get_command(ctx, cmd_name)
        if added is not None:
            return added
        module_name = self._modules().get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"{self.package}.{module_name}")
        command = getattr(module, "command", None)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module.__name__} must expose a click command named `command`")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The root help's command list, without importing the commands (see module doc)."""
        modules = self._modules()
        limit = formatter.width - 6 - max(map(len, modules), default=0)  # as click computes it
        rows = []
        for name, module_name in sorted(modules.items()):
            qualified = f"{self.package}.{module_name}"
            line = None
            spec = None if qualified in sys.modules else importlib.util.find_spec(qualified)
            if spec is not None and spec.origin and spec.origin.endswith(".py"):
                line = short_help_from_source(Path(spec.origin), limit)
            if line is None:
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                line = command.get_short_help_str(limit)
            rows.append((name, line))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CasewatchError as exc:
            from pipeline.cli.context import one_line

            click.echo(f"casewatch: error: {one_line(exc)}", err=True)
            ctx.exit(2)


@click.group(cls=CasewatchGroup)
@click.option(
    "--config",
    "config_dir",
    metavar="DIR",
    envvar="CASEWATCH_CONFIG",
    show_envvar=True,
    type=click.Path(file_okay=False),
    help="Config folder (default: the shipped config/).",
)
@click.option(
    "--database",
    metavar="URL",
    envvar="CASEWATCH_DATABASE_URL",
    show_envvar=True,
    help="SQLAlchemy URL (default: settings.database_url, else a SQLite file in the data dir).",
)
@click.version_option(package_name="casewatch")
@click.pass_context
def main(ctx: click.Context, config_dir: str | None, database: str | None) -> None:
    """Watch court hearing schedules and the news for the cases you follow."""
    from pipeline.cli.context import AppContext  # config and pydantic: not for --help

    ctx.obj = AppContext(config_dir=config_dir, database=database)


if __name__ == "__main__":
    main(prog_name="casewatch")
