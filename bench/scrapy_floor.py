"""The least a Scrapy-based feed reader can cost: ``bench/peers.py``'s Scrapy floors.

    python bench/scrapy_floor.py FOLDER          # FOLDER/feeds.json: the feeds' URLs
    python bench/scrapy_floor.py FOLDER --store  # … and SQLAlchemy's ORM on SQLite

Fetches every URL of ``FOLDER/feeds.json`` through Scrapy's engine and parses each body with
``feedparser.parse``, keeping each feed's ``ETag`` in ``FOLDER/validators.json``; run again, it
sends them (``If-None-Match``) and parses nothing that answers 304 — a feed reader's first and
unchanged runs, with nothing matched or alerted.

With ``--store`` it keeps what casewatch's spine keeps, the least way: each feed's validator and
time of check, and each entry (id, link, title, summary), in ``FOLDER/floor.db`` through
SQLAlchemy's ORM (one session, one commit) instead of the JSON file. Scrapy and SQLAlchemy are
both on casewatch's product card; this is what they cost before casewatch's own code runs.

Scrapy runs with every optional part off: no downloader or spider middleware (no retries,
redirects, cookies, compression, robots.txt), no extension, no stats, no item pipeline, one
item at a time, the asyncio reactor casewatch uses. What this costs is what Scrapy itself costs
(its imports, its engine and Twisted's HTTP client): casewatch cannot spend less and keep
Scrapy as its fetcher. Kept apart from ``peers.py`` so that its CPU counts only what it needs.
"""

import json
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import scrapy
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.http import Response

SETTINGS = {
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_ITEMS": 1,
    "DOWNLOAD_DELAY": 0,
    "HTTPERROR_ALLOW_ALL": True,
    "DOWNLOADER_MIDDLEWARES_BASE": {},
    "SPIDER_MIDDLEWARES_BASE": {},
    "EXTENSIONS_BASE": {},
    "ITEM_PIPELINES_BASE": {},
    "STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector",
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
}


class FloorSpider(scrapy.Spider):
    name = "floor"

    def __init__(
        self,
        urls: list[str],
        validators: dict[str, str],
        keep: Callable[[str, dict[str, Any] | None], None] | None = None,
    ) -> None:
        super().__init__()
        self.urls, self.validators, self.keep = urls, validators, keep

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            etag = self.validators.get(url)
            yield scrapy.Request(url, headers={"If-None-Match": etag} if etag else {})

    def parse(self, response: Response) -> None:
        if response.status != 200:
            if self.keep:
                self.keep(response.url, None)
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        parsed = feedparser.parse(response.body, response_headers={"content-type": content_type})
        if etag := response.headers.get("ETag"):
            self.validators[response.url] = etag.decode("latin-1")
        if self.keep:
            self.keep(response.url, parsed)


def crawl(urls: list[str], validators: dict[str, str], keep: Any = None) -> None:
    process = AsyncCrawlerProcess(SETTINGS)
    process.crawl(FloorSpider, urls=urls, validators=validators, keep=keep)
    process.start()


def with_json(folder: Path, urls: list[str]) -> None:
    kept = folder / "validators.json"
    validators = json.loads(kept.read_text()) if kept.exists() else {}
    crawl(urls, validators)
    kept.write_text(json.dumps(validators))


def with_store(folder: Path, urls: list[str]) -> None:
    """The validators and entries kept with SQLAlchemy's ORM in a SQLite file."""
    from sqlalchemy import ForeignKey, create_engine, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

    class Base(DeclarativeBase):
        pass

    class Feed(Base):
        __tablename__ = "feeds"
        url: Mapped[str] = mapped_column(primary_key=True)
        etag: Mapped[str | None]
        checked_at: Mapped[datetime | None]

    class Entry(Base):
        __tablename__ = "entries"
        id: Mapped[int] = mapped_column(primary_key=True)
        feed_url: Mapped[str] = mapped_column(ForeignKey("feeds.url"), index=True)
        guid: Mapped[str] = mapped_column(index=True)
        link: Mapped[str]
        title: Mapped[str]
        summary: Mapped[str]

    engine = create_engine(f"sqlite:///{folder / 'floor.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        feeds = {feed.url: feed for feed in session.scalars(select(Feed))}
        validators = {url: feed.etag for url, feed in feeds.items() if feed.etag}

        def keep(url: str, parsed: dict[str, Any] | None) -> None:
            feed = feeds.get(url) or Feed(url=url)
            session.add(feed)
            feed.etag, feed.checked_at = validators.get(url), datetime.now(UTC)
            for entry in (parsed or {}).get("entries", ()):
                link = entry.get("link", "")
                session.add(
                    Entry(
                        feed_url=url,
                        guid=entry.get("id", link),
                        link=link,
                        title=entry.get("title", ""),
                        summary=entry.get("summary", ""),
                    )
                )

        crawl(urls, validators, keep)


def main() -> None:
    folder = Path(sys.argv[1])
    urls = json.loads((folder / "feeds.json").read_text())
    (with_store if "--store" in sys.argv[2:] else with_json)(folder, urls)


if __name__ == "__main__":
    main()
