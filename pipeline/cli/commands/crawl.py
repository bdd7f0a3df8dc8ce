"""``casewatch crawl SOURCE...``: ``run --once`` for just these sources, due or not."""

from __future__ import annotations

import click

from pipeline.cli.commands.run import command as run


@click.command("crawl")
@click.argument("source_ids", metavar="SOURCE...", nargs=-1, required=True)
@click.option("-v", "--verbose", count=True, help="More log output (-vv: Scrapy's too).")
@click.pass_context
def command(ctx: click.Context, source_ids: tuple[str, ...], verbose: int) -> None:
    """Fetch these sources now, due or not, store, alert: `run --once` for just them."""
    try:
        ctx.invoke(run, once=True, all_sources=False, only=source_ids, verbose=verbose)
    except click.BadParameter as exc:
        raise click.BadParameter(exc.message, ctx=ctx, param_hint="SOURCE") from exc
