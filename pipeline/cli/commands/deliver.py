"""``casewatch deliver``: send the alerts that are due now, then exit."""

from __future__ import annotations

import click

from pipeline.cli.context import AppContext


@click.command("deliver")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most N deliveries.")
@click.pass_obj
def command(app: AppContext, limit: int | None) -> None:
    """Send the alerts that are due now (retries, digests whose time has come, alerts held
    for quiet hours that are over), then exit. `casewatch run --once` does this too."""
    from pipeline.notify.deliver import deliver_pending  # Apprise: only when sending

    report = deliver_pending(app.sessions(), app.config(), clock=app.clock, limit=limit)
    click.echo(
        f"deliveries: {report.sent} sent in {report.messages} message(s), {report.retried} to"
        f" retry, {report.failed} failed, {report.held} held; {report.pending} pending"
    )
