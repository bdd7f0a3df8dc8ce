"""``casewatch worker``: casewatch's jobs on several machines against one PostgreSQL.

Procrastinate keeps the jobs, their locks and the periodic schedules in PostgreSQL, so no
broker is added. The jobs run the same functions as the single process (``casewatch run``):
a source's crawl (:class:`~pipeline.fetch.crawler.SourceCrawler`), delivery of the outbox,
hearing reminders, evidence re-checks; only what triggers them differs.

- ``schema``: Procrastinate's tables and the worker registry, applied once, idempotently.
- ``tasks``: the Procrastinate app and its tasks (crawl, tick, deliver, reminders, rechecks,
  recover), built per process from the config.
- ``runtime``: what the tasks do, with this process's dependencies.
- ``process``: the worker process (Scrapy's asyncio reactor + Procrastinate's worker on one
  loop), its heartbeat and its signals.

Procrastinate is imported only here, and only when a worker starts: ``casewatch --help`` and
everything on SQLite never load it.
"""
