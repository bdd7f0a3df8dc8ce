"""The read-only web side: pages, JSON API, calendar and Atom feeds (``casewatch serve``)."""

from pipeline.web.app import create_app
from pipeline.web.deps import WebDeps

__all__ = ["WebDeps", "create_app"]
