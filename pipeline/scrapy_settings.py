"""Scrapy settings for casewatch (``scrapy.cfg`` → ``pipeline.scrapy_settings``).

These are the defaults for ``scrapy list`` / ``scrapy crawl`` run from the repository root. The
service starts from them and applies ``settings.yaml`` on top (``pipeline.fetch.plan``).
"""

from __future__ import annotations

from scrapy.settings import default_settings

BOT_NAME = "casewatch"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "casewatch/0.1 (+https://github.com/casewatch/casewatch; trial monitoring)"
"""Honest and stable: some court sites block agents that hide what they are (SOURCES.md §1.6)."""
ROBOTSTXT_OBEY = True
"""Site and court spiders obey robots.txt; the feed spider opts out like every feed reader."""

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 1
"""Sources are polled again within the hour; one retry is enough and keeps a dead host cheap."""
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,
    "scrapy.core.downloader.handlers.http11.TunnelError",
]
"""Scrapy's list without CannotResolveHostError: a name that does not resolve will not resolve
seconds later (and office.sud.kz's backoff would wait 70 s for nothing); the next run retries."""

CASEWATCH_MAX_BODY_BYTES = 10 * 1024 * 1024
DOWNLOAD_MAXSIZE = CASEWATCH_MAX_BODY_BYTES
DOWNLOAD_WARNSIZE = CASEWATCH_MAX_BODY_BYTES // 2
CASEWATCH_PARSE_BUDGET = 20.0
"""Seconds of CPU one document's parse may use, off the fetching loop (``pipeline.parse.offloop``)."""
CASEWATCH_FAST_FEEDS = True
"""Feeds read with the guarded feedparser-rs fast path (``settings.fast_feeds``)."""
CASEWATCH_CONFIG: str | None = None
"""Config folder for standalone crawls; None → ``$CASEWATCH_CONFIG`` or the shipped ``config/``."""

ITEM_PIPELINES = {"pipeline.fetch.pipeline.IngestPipeline": 300}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
_LEFT_OUT = (".TelnetConsole", ".RemoteControl", ".CoreStats", ".LogStats")
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if not path.endswith(_LEFT_OUT)
}
"""Left out of Scrapy's base list (naming one ``None`` in ``EXTENSIONS`` would still import
it): the telnet console and the remote-control HTTP server, ports nobody asked for (and
remote control's aiohttp, ≈ 8 MB resident); the core stats,
whose ``item_scraped`` handler makes every item a round of asyncio tasks (a third of a feed
crawl's CPU), and the periodic log line that reads them. Each run's own summary
(``RunLog``) counts what was fetched and stored."""
CONCURRENT_ITEMS = 1
"""A response's items go through the item pipeline one after the other, in the order yielded
(the pipeline only buffers them until the source's report): Scrapy's default of 100 starts a
hundred tasks per response for nothing."""
COOKIES_ENABLED = True
HTTPCACHE_ENABLED = False
LOG_LEVEL = "INFO"
LOG_VERSIONS: list[str] = []
"""Scrapy logs the versions of its dependencies at every start, whatever the log level: that
imports pyOpenSSL and runs ``uname`` in a subprocess. ``pip freeze`` tells them better."""
FEED_EXPORT_ENCODING = "utf-8"
