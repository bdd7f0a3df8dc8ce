"""What the read queries share: the size of an ``IN (…)`` batch and an optional LIMIT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

CHUNK = 500


def limited(query: Select[Any], limit: int | None) -> Select[Any]:
    return query if limit is None else query.limit(limit)
