"""The demo school's journal runs up to the school's own today, not UTC's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.demo import seed_demo
from storage.db import create_engine, migrate, session_factory
from storage.models.journal import JournalLesson
from tests.harness import sqlite_url
from usecases.clock import FakeClock


async def test_the_demo_journal_ends_the_day_before_the_schools_today(tmp_path):
    engine = create_engine(sqlite_url(tmp_path / "demo.db"))
    await migrate(engine)
    # 20:00 UTC on Tuesday 8 September 2026 is 01:00 on Wednesday the 9th in Tashkent.
    clock = FakeClock(datetime(2026, 9, 8, 20, 0, tzinfo=UTC))
    try:
        async with session_factory(engine)() as session:
            await seed_demo(session, clock=clock)
            await session.commit()
            last = await session.scalar(select(func.max(JournalLesson.lesson_date)))
        assert last == date(2026, 9, 8)  # Tuesday filled in; Wednesday left for the teacher
    finally:
        await engine.dispose()
