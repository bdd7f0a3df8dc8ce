"""Evidence captures of an article, for the article page.

Captures are stored by another part of casewatch; until its table exists this returns [].
When a ``capture`` table with an ``article_id`` column is there, its rows are read by
reflection (binary columns left out), so the page shows them without a code change here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import LargeBinary, MetaData, Table, inspect, select
from sqlalchemy.orm import Session

CAPTURE_TABLES = ("capture", "article_capture")


def captures_for(session: Session, article_id: int) -> list[dict[str, Any]]:
    """The article's captures, oldest first, as column → value (no raw bytes)."""
    bind = session.get_bind()
    names = set(inspect(bind).get_table_names())
    name = next((n for n in CAPTURE_TABLES if n in names), None)
    if name is None:
        return []
    table = Table(name, MetaData(), autoload_with=bind)
    if "article_id" not in table.c:
        return []
    columns = [c for c in table.c if not isinstance(c.type, LargeBinary)]
    order = table.c.id if "id" in table.c else columns[0]
    query = select(*columns).where(table.c.article_id == article_id).order_by(order)
    return [dict(row._mapping) for row in session.execute(query)]
