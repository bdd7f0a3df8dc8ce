"""The workers' tables in PostgreSQL: Procrastinate's (jobs, locks, periodic defers, workers)
and casewatch's worker registry. Applied by ``casewatch worker`` at start-up, idempotently:
under an advisory lock, the first worker of a fresh database creates them and the others find
them there. casewatch's own schema stays with Alembic (``pipeline.store.engine``): these
tables exist only where workers run.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from pipeline.errors import StoreError
from pipeline.store.cluster import REGISTRY_DDL
from pipeline.store.engine import WORKERS_SCHEMA_LOCK

log = logging.getLogger(__name__)


def conninfo(url: str) -> str:
    """A libpq URI for the SQLAlchemy URL ``url`` (``postgresql+psycopg://`` → ``postgresql://``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(engine: Engine) -> bool:
    """Create Procrastinate's tables and the worker registry when missing; True when this
    call created Procrastinate's."""
    import psycopg
    from procrastinate.schema import SchemaManager

    url = conninfo(engine.url.render_as_string(hide_password=False))
    try:
        with psycopg.connect(url, autocommit=True) as conn:  # closing it frees the lock
            conn.execute("SELECT pg_advisory_lock(%s)", (WORKERS_SCHEMA_LOCK,))
            with conn.transaction():
                found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
                created = found is None or found[0] is None
                if created:  # no parameters: the SQL runs as written, % signs and all
                    conn.execute(SchemaManager.get_schema().encode())
                conn.execute(REGISTRY_DDL.encode())
    except psycopg.Error as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise StoreError(f"{where}: cannot set up the workers' tables: {exc}") from exc
    if created:
        log.info("created Procrastinate's tables (jobs, locks, schedules)")
    return created
