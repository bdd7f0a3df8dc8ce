"""casewatch: watch court hearing schedules and the news for tracked cases.

The flow reads top to bottom (see DESIGN.md): items → normalize → store → match → events →
notify. Scrapy is imported only by ``ingest`` and ``scrapy_settings``.
"""

__version__ = "0.1.0"
