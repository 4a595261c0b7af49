"""Updates being answered in this process, so that background work sharing the event loop gives way to them.

In a one-process install (SQLite) the reminder planner runs on the loop that answers users. Resting between its
bursts of work is not enough: a reply awaits the database several times, and at each await a planner burst that
starts meanwhile runs first. So before each burst the planner waits, up to a bound (its patience, so that it
still finishes under steady traffic), for a moment with no update in flight. A worker process answers no
updates: there it never waits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import TextClause
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class Foreground:
    def __init__(self) -> None:
        self._in_flight = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Around the handling of one update."""
        self._in_flight += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._quiet.set()

    async def give_way(self, patience: float) -> None:
        """Return once no update is in flight, or after `patience` seconds."""
        if self._in_flight and patience > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), patience)


IDLE = Foreground()  # for a process that answers no updates (a worker, a bench, a test of the planner alone)


class GivingWaySession(AsyncSession):
    """A background job's session that gives way before each statement and after each read: a reply's
    queries then rarely share the machine with a planner query, nor its rows with the planner's work on them.
    Once the transaction has written it gives way no more until it ends, since it then holds SQLite's write lock,
    which the replies need. `info["give_way"]` holds the Foreground and the patience (see `giving_way`)."""

    _wrote = False

    async def _give_way(self) -> None:
        if not self._wrote:
            foreground, patience = self.info.get("give_way", (IDLE, 0.0))
            await foreground.give_way(patience)

    async def _around(self, call: Any, statement: Any, *args: Any, **kwargs: Any) -> Any:
        await self._give_way()
        result = await call(statement, *args, **kwargs)
        if _writes(statement):
            self._wrote = True
        await self._give_way()
        return result

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        return await self._around(super().execute, statement, *args, **kwargs)

    async def scalar(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        return await self._around(super().scalar, statement, *args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        await self._give_way()
        return await super().get(*args, **kwargs)

    async def commit(self) -> None:
        await self._give_way()
        try:
            await super().commit()
        finally:
            self._wrote = False

    async def rollback(self) -> None:
        try:
            await super().rollback()
        finally:
            self._wrote = False


def _writes(statement: Any) -> bool:
    if isinstance(statement, TextClause):
        return statement.text.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE")
    return bool(getattr(statement, "is_dml", False))


def giving_way(sessions: async_sessionmaker[AsyncSession], foreground: Foreground, patience: float
               ) -> async_sessionmaker[AsyncSession]:
    """`sessions` whose sessions give way to `foreground`'s updates (the same sessions when it is IDLE)."""
    if foreground is IDLE:
        return sessions
    kw = {**sessions.kw, "info": {**(sessions.kw.get("info") or {}), "give_way": (foreground, patience)}}
    return async_sessionmaker(class_=GivingWaySession, **kw)
