"""Scrapy spiders: fetch and parse only. One file per source kind or hard site.

Spiders yield the raw items of ``pipeline.items`` (strings as printed) and never touch the
database, the clock or the notifier.
"""
