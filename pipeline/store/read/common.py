"""What the read queries share: an optional LIMIT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select


def limited(query: Select[Any], limit: int | None) -> Select[Any]:
    return query if limit is None else query.limit(limit)
