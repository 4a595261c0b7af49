"""The planner's outbox rows, a batch in one statement: the rows travel as arrays (PostgreSQL: `unnest`) or as
one JSON document (SQLite: `json_each`) instead of one bound parameter per value.

A planning pass writes hundreds of thousands of rows at country scale; SQLAlchemy's per-value parameter
processing and its multi-row VALUES rendering were the largest part of the planner's own CPU. The stored values
are the ones the columns' types would have bound (their bind processors are applied once per distinct value),
so these rows read back exactly like rows written by `outbox.insert_ignore`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox

COLUMNS = ("key", "kind", "user_id", "payload", "status", "tries", "created_at", "next_try_at")
_TEXT = "key", "kind", "status"

_POSTGRES = text(
    "INSERT INTO outbox (key, kind, user_id, payload, status, tries, created_at, next_try_at) "
    "SELECT k, kd, u, p::json, s, t, c, n FROM unnest(:key, :kind, :user_id, :payload, :status, :tries, "
    ":created_at, :next_try_at) AS r(k, kd, u, p, s, t, c, n) "
    "ON CONFLICT (key) DO NOTHING RETURNING key"
).bindparams(*(bindparam(c, type_=ARRAY(String)) for c in (*_TEXT, "payload")),
             bindparam("user_id", type_=ARRAY(BigInteger)), bindparam("tries", type_=ARRAY(Integer)),
             *(bindparam(c, type_=ARRAY(DateTime(timezone=True))) for c in ("created_at", "next_try_at")))

_SQLITE = text(
    "INSERT INTO outbox (key, kind, user_id, payload, status, tries, created_at, next_try_at) "
    "SELECT " + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(COLUMNS)))
    + " FROM json_each(:rows) WHERE true ON CONFLICT (key) DO NOTHING RETURNING key"
)


async def insert_new(session: AsyncSession, rows: list[dict]) -> set[str]:
    """Insert outbox rows (dicts of COLUMNS), leaving alone those whose key exists; returns the keys created."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect
    stored = {c: _stored(c, dialect) for c in ("payload", "created_at", "next_try_at")}
    values = [[row[c] if c not in stored else stored[c](row[c]) for c in COLUMNS] for row in rows]
    if dialect.name == "postgresql":
        result = await session.execute(_POSTGRES, {c: [v[i] for v in values] for i, c in enumerate(COLUMNS)})
    else:
        result = await session.execute(_SQLITE, {"rows": json.dumps(values)})
    return set(result.scalars().all())


def _stored(column: str, dialect) -> Callable:
    """The column type's bind processing (the payload's JSON text; a UTC datetime as the dialect stores it,
    worked out once per distinct value)."""
    process = Outbox.__table__.c[column].type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)
    if column == "payload":
        return process
    seen: dict[datetime, object] = {}

    def convert(value: datetime):
        if value not in seen:
            seen[value] = process(value)
        return seen[value]

    return convert
