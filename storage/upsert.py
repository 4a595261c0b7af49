"""INSERT ... ON CONFLICT for SQLite and PostgreSQL alike (both dialects support it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def _insert(session: AsyncSession, model):
    return (postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert)(model)


async def insert_ignore(session: AsyncSession, model, rows: list[dict[str, Any]], conflict: list[str]) -> int:
    """Insert rows, skipping those whose `conflict` columns already exist. Returns how many were new."""
    if not rows:
        return 0
    stmt = _insert(session, model).values(rows).on_conflict_do_nothing(index_elements=conflict)
    result = await session.execute(stmt)
    return result.rowcount or 0
