"""Journal and parent views per country (issue #10 "Trust"): weekly hours from the timetable, minimum marks."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from bot.demo import seed_demo
from storage.db import create_engine, migrate, session_factory
from storage.models import TimetableLesson
from storage.repositories.journal import weekly_hours


async def test_weekly_hours_counts_timetable_slots_per_class_and_subject(database_url):
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            demo = await seed_demo(session, today=date(2026, 10, 7))
            slots = list(await session.execute(select(TimetableLesson.class_id, TimetableLesson.subject_id)
                                               .where(TimetableLesson.class_id == demo.class_ids[0])))
            expected = Counter((c, s) for c, s in slots)
            hours = await weekly_hours(session, [demo.class_ids[0]])
            assert hours == dict(expected)
            assert sum(hours.values()) == 15  # five days × three periods
            assert await weekly_hours(session, []) == {}
    finally:
        await engine.dispose()
