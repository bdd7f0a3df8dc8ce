"""``casewatch alerts test|retry``: send a test message to a channel, retry failed deliveries.

The notify modules (and Apprise with them) are imported when a sub-command runs, not when the
command line is loaded.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import click

from pipeline.cli.context import AppContext
from pipeline.config.load import Config
from pipeline.events.kinds import ALERTS_TEST
from pipeline.normalize.dates import readable_time
from pipeline.store import outbox

if TYPE_CHECKING:
    from pipeline.notify.render import Message


@click.group("alerts")
def command() -> None:
    """Alert channels: send a test message, retry failed deliveries."""


@command.command("test")
@click.argument("channel_id", metavar="CHANNEL")
@click.option("--language", type=click.Choice(["en", "ru"]), help="Default: the channel's route.")
@click.pass_obj
def test_channel(app: AppContext, channel_id: str, language: str | None) -> None:
    """Send a test message to CHANNEL now (not through the outbox). Exit 1 when it fails."""
    from pipeline.notify.channels import AppriseNotifier, resolve_channel

    config = app.config()
    channel = resolve_channel(config, channel_id)
    if channel is None:
        known = ", ".join(c.id for c in config.channels) or "none"
        raise click.BadParameter(
            f"{channel_id!r} is not an enabled channel with a URL (configured: {known})",
            param_hint="CHANNEL",
        )
    message = test_message(config, channel_id, language, app.clock())
    settings = config.settings.delivery
    notifier = AppriseNotifier(timeout=settings.timeout, min_interval=settings.min_interval)
    try:
        result = notifier.send(channel, message)
    finally:
        notifier.close()
    if not result.ok:
        click.echo(f"casewatch: test alert to {channel_id} failed: {result.error}", err=True)
        sys.exit(1)
    click.echo(f"test alert sent to {channel_id}")


def test_message(config: Config, channel_id: str, language: str | None, now: datetime) -> Message:
    """The ``alerts.test`` message, in the language of the first route sending to the channel."""
    from pipeline.notify.render import EventView, render
    from pipeline.notify.routing import DEFAULT_LANGUAGE, route_channels

    routed = [r for r in config.routes if channel_id in route_channels(r, config.channels)]
    lang = language or (routed[0].language if routed else DEFAULT_LANGUAGE)
    sent_at = readable_time(now, config.settings.timezone)
    event = EventView(ALERTS_TEST.name, None, {"channel": channel_id, "sent_at": sent_at})
    return replace(render(event, language=lang), ref=f"casewatch.test.{int(now.timestamp())}")


@command.command("retry")
@click.option("--channel", metavar="ID", help="Only this channel's failed deliveries.")
@click.pass_obj
def retry(app: AppContext, channel: str | None) -> None:
    """Make failed deliveries pending again (fresh attempts), due now."""
    with app.sessions().begin() as session:
        count = outbox.retry_failed(session, app.clock(), channel)
    click.echo(f"{count} failed deliveries queued again; `casewatch deliver` sends them")
