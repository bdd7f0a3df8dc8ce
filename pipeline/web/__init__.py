"""The read-only web side: pages, JSON API, calendar and Atom feeds (``casewatch serve``)."""

from pipeline.web.app import WebDeps, create_app
from pipeline.web.captures import captures_for

__all__ = ["WebDeps", "captures_for", "create_app"]
