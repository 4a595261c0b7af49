"""Storage on SQLite and, where a server answers, PostgreSQL: migrations up and down, the compare-and-set
rules that protect scores and codes, and the aware UTC datetimes."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select

from bot.demo import seed_demo
from domain.exam import draw_exam
from domain.invites import InviteState
from storage.db import create_engine, downgrade, migrate, session_factory
from storage.models import Base, ExamAttempt, ParentLink, User
from storage.repositories import exams
from storage.repositories.invites import create_invite, redeem_invite
from storage.repositories.users import get_or_create_user


async def _tables(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrations_up_down_up(database_url):
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        assert set(Base.metadata.tables) <= await _tables(engine)
        await downgrade(engine, "base")
        assert not (set(Base.metadata.tables) & await _tables(engine))
        await migrate(engine)
        assert set(Base.metadata.tables) <= await _tables(engine)
    finally:
        await engine.dispose()


async def _ready(database_url):
    engine = create_engine(database_url)
    await migrate(engine)
    return engine, session_factory(engine)


async def test_invite_works_once_even_when_redeemed_concurrently(database_url):
    engine, sessions = await _ready(database_url)
    try:
        now = datetime.now(UTC)
        async with sessions() as session:
            demo = await seed_demo(session)
            for uid in (11, 12):
                await get_or_create_user(session, uid, tg_name="P", username=None, now=now)
            invite = await create_invite(session, kind="parent", school_id=demo.school_id,
                                         student_id=demo.student_ids[0], now=now, valid_days=1, created_by=None)
            await session.commit()

        async def redeem(uid: int):
            async with sessions() as session:
                result = await redeem_invite(session, invite.code, uid, now)
                await session.commit()
                return result

        results = await asyncio.gather(redeem(11), redeem(12), return_exceptions=True)
        winners = [r for r in results if not isinstance(r, (InviteState, BaseException))]
        assert len(winners) == 1, results
        async with sessions() as session:
            links = list(await session.scalars(select(ParentLink)))
            assert len(links) == 1
            assert await redeem_invite(session, invite.code, 13, now) in (InviteState.USED, InviteState.UNKNOWN)
            expired = await create_invite(session, kind="parent", school_id=demo.school_id,
                                          student_id=demo.student_ids[1], now=now - timedelta(days=3),
                                          valid_days=1, created_by=None)
            assert await redeem_invite(session, expired.code, 11, now) is InviteState.EXPIRED
    finally:
        await engine.dispose()


async def test_exam_answer_is_recorded_once_and_not_after_deadline(database_url):
    engine, sessions = await _ready(database_url)
    try:
        now = datetime.now(UTC)
        async with sessions() as session:
            await get_or_create_user(session, 21, tg_name="T", username=None, now=now)
            questions = draw_exam([f"{lesson}:{q}" for lesson in range(1, 25) for q in range(5)], 5,
                                  random.Random(3))
            attempt = await exams.create_attempt(session, user_id=21, course_id="c", questions=questions,
                                                 started_at=now, deadline_at=now + timedelta(minutes=45))
            await session.commit()
            assert attempt.started_at.tzinfo is not None
            assert await exams.record_answer(session, attempt=attempt, position=0, chosen=1, is_correct=True,
                                             now=now)
            assert not await exams.record_answer(session, attempt=attempt, position=0, chosen=2,
                                                 is_correct=False, now=now)
            late = now + timedelta(minutes=46)
            assert not await exams.record_answer(session, attempt=attempt, position=1, chosen=1,
                                                 is_correct=True, now=late)
            assert await exams.close_attempt(session, attempt, now=late, status="expired", pass_percent=60)
            assert not await exams.close_attempt(session, attempt, now=late, status="expired", pass_percent=60)
            await session.commit()
        async with sessions() as session:
            stored = await session.get(ExamAttempt, attempt.id)
            assert (stored.correct_count, stored.passed, stored.status) == (1, False, "expired")
            assert stored.deadline_at - stored.started_at == timedelta(minutes=45)
    finally:
        await engine.dispose()


async def test_first_contact_twice_at_once_creates_one_user(database_url):
    engine, sessions = await _ready(database_url)
    try:
        async def touch():
            async with sessions() as session:
                await get_or_create_user(session, 31, tg_name="New", username="new",
                                         now=datetime(2025, 9, 1, tzinfo=UTC))
                await session.commit()

        await asyncio.gather(touch(), touch(), touch())
        async with sessions() as session:
            assert len(list(await session.scalars(select(User).where(User.id == 31)))) == 1
    finally:
        await engine.dispose()
