"""The ``casewatch`` commands, one module each, found by :class:`pipeline.cli.main.CasewatchGroup`.

A module ``<name>.py`` here exposes ``command`` (a click command or group) named ``<name>`` with
``_`` written ``-``: ``export_evidence.py`` is ``casewatch export-evidence``. Adding a command is
adding one file; nothing registers it. Modules whose name starts with ``_`` are not commands.

Commands take what they share from :mod:`pipeline.cli.context`, never from ``main``, and import
Scrapy, FastAPI, Alembic, trafilatura or Apprise (or the modules that do) inside the function
that runs, so ``casewatch --help`` stays fast.
"""
