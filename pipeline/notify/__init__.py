"""Alerts: route an event to channels, render it, deliver it from the outbox through Apprise.

``routing.channels_for`` is called by ingest when it writes an event (pure, fast);
``deliver.deliver_pending`` is run by the scheduler/CLI to send what is due.

The sending side (``channels``, ``deliver``: Apprise, SMTP) is imported on first use of its
names (PEP 562): ingest imports ``routing`` through this package and must not pay for Apprise
when nothing is sent (Jinja2 is imported by ``render`` when it first renders).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pipeline.notify.digest import render_digest
from pipeline.notify.render import EventView, Message, render
from pipeline.notify.routing import CONSOLE, channels_for, language_for, route_for

if TYPE_CHECKING:
    from pipeline.notify.channels import AppriseNotifier, Notifier, SendResult
    from pipeline.notify.deliver import DeliveryReport, deliver_pending

_LAZY = {
    "AppriseNotifier": "channels",
    "Notifier": "channels",
    "SendResult": "channels",
    "DeliveryReport": "deliver",
    "deliver_pending": "deliver",
}

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
