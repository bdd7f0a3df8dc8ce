"""Run a spider for real in a fresh process and return what it yielded.

A Twisted reactor cannot be restarted, so every live crawl in the tests gets its own
interpreter; items come back as JSON (``_type`` names the item class).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

CRAWL_SCRIPT = """
import dataclasses, importlib, json, sys
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from pipeline.config.sources import Source
from pipeline.items import FetchSpec

job = json.load(sys.stdin)
module, name = job["spider"].split(":")
spider_cls = getattr(importlib.import_module(module), name)
settings = Settings()
settings.setmodule("pipeline.scrapy_settings", priority="project")
settings.setdict(job["settings"], priority="cmdline")
items = []
process = CrawlerProcess(settings, install_root_handler=False)
crawler = process.create_crawler(spider_cls)
def collect(item, **kwargs):
    doc = {"_type": type(item).__name__, **dataclasses.asdict(item)}
    if doc.get("page"):  # the fetched page kept as evidence: its size, not its bytes
        doc["page"] = {**doc["page"], "body": len(doc["page"]["body"])}
    elif "page" in doc:
        del doc["page"]
    if doc.get("response"):  # a failed report's response, to be kept: its size, not its bytes
        doc["response"] = {**doc["response"], "body": len(doc["response"]["body"])}
    items.append(doc)
crawler.signals.connect(collect, signal=signals.item_scraped)
kwargs = dict(job["kwargs"])
if job["sources"] is not None:
    sources = {s["id"]: Source.model_validate(s) for s in job["sources"]}
    kwargs["sources"] = sources
    kwargs["specs"] = [FetchSpec(source_id=s.id, url=s.url, kind=s.kind) for s in sources.values()]
if job["specs"] is not None:
    kwargs["specs"] = [FetchSpec(**s) for s in job["specs"]]
process.crawl(crawler, **kwargs)
process.start()
print(json.dumps(items, default=str))
"""


def crawl_in_subprocess(
    spider: str,
    settings: dict[str, Any],
    *,
    specs: list[dict[str, str]] | None = None,
    sources: list[dict[str, Any]] | None = None,
    **kwargs: Any,
) -> list[dict[str, Any]]:
    """``spider`` as ``"module:Class"``; specs given as dicts, or derived from ``sources``."""
    job = {
        "spider": spider,
        "settings": settings,
        "specs": specs,
        "sources": sources,
        "kwargs": kwargs,
    }
    done = subprocess.run(
        [sys.executable, "-c", CRAWL_SCRIPT], input=json.dumps(job), capture_output=True,
        text=True, cwd=ROOT, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
