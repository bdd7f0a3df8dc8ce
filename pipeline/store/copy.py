"""Copy a whole casewatch database into another, empty one: SQLite → PostgreSQL when one
machine is no longer enough (``casewatch db copy --to URL``).

Every table of the models is copied in foreign-key order, in batches, through the models'
column types (aware UTC times, JSON, bytes come out as the target stores them); the target's
sequences then continue after the copied ids, and the search index is rebuilt there (SQLite
FTS5 and PostgreSQL tsvector are different tables). The installation's identity is carried
over, so email Message-IDs stay stable. The target must be empty (a fresh database, migrated
by opening it): copying over existing rows would mix two histories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Integer, Table, delete, func, insert, select, text

from pipeline.errors import StoreError
from pipeline.store.models import Base, InstallationRow
from pipeline.store.search_index import reindex_all

BATCH = 500


@dataclass(frozen=True, slots=True)
class CopyReport:
    rows: dict[str, int]
    """Rows copied per table, in copy order."""
    indexed: int
    """Articles indexed for search in the target."""


def copy_database(
    source: Engine, target: Engine, progress: Callable[[str, int], None] | None = None
) -> CopyReport:
    """Copy every row of ``source`` into ``target`` (both migrated to this version's schema;
    ``target`` empty), in one transaction on the target."""
    tables = Base.metadata.sorted_tables
    with target.begin() as into:
        busy = {t.name: n for t in tables if t.name != InstallationRow.__tablename__
                and (n := into.execute(select(func.count()).select_from(t)).scalar_one())}  # fmt: skip
        if busy:
            listed = ", ".join(f"{n} in {name}" for name, n in sorted(busy.items()))
            raise StoreError(
                f"the target database is not empty ({listed}): copy into a new, empty database"
            )
        into.execute(delete(InstallationRow.__table__))  # the source's identity wins
        rows: dict[str, int] = {}
        with source.connect() as origin:
            for table in tables:
                rows[table.name] = _copy_table(origin, into, table)
                if progress is not None:
                    progress(table.name, rows[table.name])
        if target.dialect.name == "postgresql":
            for table in tables:
                _continue_sequence(into, table)
        indexed = reindex_all(into)
    return CopyReport(rows, indexed)


def _copy_table(origin: Connection, into: Connection, table: Table) -> int:
    copied = 0
    order = list(table.primary_key.columns)
    result = origin.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for batch in result.mappings().partitions(BATCH):
        into.execute(insert(table), [dict(row) for row in batch])
        copied += len(batch)
    return copied


def _continue_sequence(into: Connection, table: Table) -> None:
    """After rows with explicit ids, the table's id sequence continues after the largest."""
    keys = list(table.primary_key.columns)
    if len(keys) != 1 or not isinstance(keys[0].type, Integer) or keys[0].foreign_keys:
        return
    column = keys[0].name
    into.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence(:table, :column),"
            f' COALESCE((SELECT max("{column}") FROM "{table.name}"), 0) + 1, false)'
            f" WHERE pg_get_serial_sequence(:table, :column) IS NOT NULL"
        ),
        {"table": f'"{table.name}"', "column": column},
    )
