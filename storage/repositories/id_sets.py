"""`column IN (many values)` as one bound parameter: a JSON array read by `json_each` on SQLite, an array with
`= ANY(...)` on PostgreSQL.

A plain `column.in_(values)` renders and binds one parameter per value (SQLite also caps their number, hence
chunks of 900): for the planner's lists of thousands of users or keys that is most of a query's cost on the
event loop. One parameter costs a `json.dumps` (or asyncpg's array encoder) instead, both in C.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import BigInteger, String, any_, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement


def one_of(session: AsyncSession, column, values: Iterable[int] | Iterable[str]) -> ColumnElement[bool]:
    """`column IN values` for integer or text columns, the values bound as one parameter."""
    values = list(values)
    text = bool(values) and isinstance(values[0], str)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String if text else BigInteger)))
    listed = func.json_each(literal(json.dumps(values), String)).table_valued("value")
    return column.in_(select(listed.c.value))
