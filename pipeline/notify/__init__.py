"""Alerts: route an event to channels, render it, deliver it from the outbox through Apprise.

``routing.channels_for`` is called by ingest when it writes an event (pure, fast);
``deliver.deliver_pending`` is run by the scheduler/CLI to send what is due.
"""

from pipeline.notify.channels import AppriseNotifier, Notifier, SendResult
from pipeline.notify.deliver import DeliveryReport, deliver_pending
from pipeline.notify.digest import render_digest
from pipeline.notify.render import EventView, Message, render
from pipeline.notify.routing import CONSOLE, channels_for, language_for, route_for

__all__ = [
    "CONSOLE",
    "AppriseNotifier",
    "DeliveryReport",
    "EventView",
    "Message",
    "Notifier",
    "SendResult",
    "channels_for",
    "deliver_pending",
    "language_for",
    "render",
    "render_digest",
    "route_for",
]
