"""The planner gives way to the updates in flight (usecases.foreground), but never while it holds a write."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from usecases.foreground import IDLE, Foreground, giving_way


async def test_give_way_waits_for_the_updates_in_flight_but_not_longer_than_its_patience():
    foreground = Foreground()
    await asyncio.wait_for(foreground.give_way(5), 0.5)  # nothing in flight: at once
    with foreground.serving():
        started = time.perf_counter()
        await foreground.give_way(0.05)  # never answered: gives up after its patience
        assert 0.04 < time.perf_counter() - started < 1
        waiting = asyncio.create_task(foreground.give_way(5))
        await asyncio.sleep(0.05)
        assert not waiting.done()
    await asyncio.wait_for(waiting, 0.5)  # the update was answered
    assert foreground.in_flight == 0


@pytest.fixture
async def sessions(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'fg.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (x INTEGER)"))
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def test_a_session_gives_way_before_reading_but_not_while_its_write_is_open(sessions):
    foreground = Foreground()
    assert giving_way(sessions, IDLE, 5) is sessions
    giving = giving_way(sessions, foreground, 5)
    async with giving() as session:
        await session.execute(text("INSERT INTO t VALUES (1)"))  # nothing in flight
        with foreground.serving():
            # The write lock is held: waiting for the update would keep it from writing.
            await asyncio.wait_for(session.execute(text("INSERT INTO t VALUES (2)")), 0.5)
            await asyncio.wait_for(session.commit(), 0.5)
            reading = asyncio.create_task(session.scalar(text("SELECT count(*) FROM t")))
            await asyncio.sleep(0.05)
            assert not reading.done()  # a new transaction's read waits for the update
        assert await asyncio.wait_for(reading, 0.5) == 2


def test_the_planner_keeps_the_big_pace_for_a_postgresql_worker_only():
    from usecases.reminder_planner import SHARED_PACE, WORKER_PACE, Pace

    pg, lite = "postgresql+asyncpg://u@h/db", "sqlite+aiosqlite:///x.db"
    assert Pace.choose(pg, answers_updates=False) == WORKER_PACE
    assert Pace.choose(pg, answers_updates=True) == SHARED_PACE
    assert Pace.choose(lite, answers_updates=False) == SHARED_PACE == Pace.choose(lite, answers_updates=True)
    assert WORKER_PACE.concurrency > 1 and SHARED_PACE.pause > 0 and SHARED_PACE.patience > 0
