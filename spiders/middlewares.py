"""Downloader middlewares the spiders switch on in their ``custom_settings``."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import scrapy

if TYPE_CHECKING:  # the crawler module (and Twisted's reactor machinery) only when crawling
    from scrapy.crawler import Crawler


class RetryBackoff:
    """Downloader middleware: waits before a retried request — base, 2×base, 4×base seconds
    (``OFFICE_SUD_KZ_RETRY_BACKOFF``; Scrapy's own retries come back at once)."""

    def __init__(self, base: float) -> None:
        self.base = base

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoff:
        return cls(crawler.settings.getfloat("OFFICE_SUD_KZ_RETRY_BACKOFF", 10.0))

    async def process_request(self, request: scrapy.Request) -> None:
        tries = int(request.meta.get("retry_times", 0))
        if tries and self.base > 0:
            await asyncio.sleep(self.base * 2 ** (tries - 1))
