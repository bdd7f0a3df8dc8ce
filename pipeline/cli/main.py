"""The ``casewatch`` command line: the root group and its global options, nothing else.

Commands are found by walking :mod:`pipeline.cli.commands`: each module there exposes a click
``command`` named after the module (``export_evidence.py`` → ``casewatch export-evidence``).
A module is imported only when its command is asked for, so adding a command is adding one file,
and ``casewatch <command>`` loads only what that command needs.

Config is loaded once per invocation, at this edge, and the store is opened only by the commands
that need it. A :class:`CasewatchError` becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import click

from pipeline.cli import commands
from pipeline.cli.context import AppContext, one_line
from pipeline.errors import CasewatchError


def command_name(module_name: str) -> str:
    """``export_evidence`` → ``export-evidence``."""
    return module_name.replace("_", "-")


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

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CasewatchError as exc:
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
    ctx.obj = AppContext(config_dir=config_dir, database=database)


if __name__ == "__main__":
    main(prog_name="casewatch")
