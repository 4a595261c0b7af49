"""Certificates in storage, on SQLite and PostgreSQL: numbers stay unique when teachers issue at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.db import create_engine, migrate, session_factory
from storage.models import Certificate, ExamAttempt
from storage.repositories.certificates import issue_and_commit
from storage.repositories.users import get_or_create_user


async def _passed_attempts(sessions, user_ids: list[int], now: datetime) -> list[int]:
    async with sessions() as session:
        ids = []
        for uid in user_ids:
            await get_or_create_user(session, uid, tg_name="T", username=None, now=now)
            attempt = ExamAttempt(user_id=uid, course_id="c", status="finished", started_at=now,
                                  deadline_at=now + timedelta(minutes=45), finished_at=now, question_count=30,
                                  correct_count=27, percent=90.0, passed=True)
            session.add(attempt)
            await session.flush()
            ids.append(attempt.id)
        await session.commit()
        return ids


async def _issue(sessions, user_id: int, attempt_id: int, now: datetime) -> tuple[Certificate, bool]:
    async with sessions() as session:
        return await issue_and_commit(session, user_id=user_id, attempt_id=attempt_id, course_id="c",
                                      holder_name="Karimova Dilnoza", school_id=None, percent=90.0, now=now,
                                      issuer="Maktab Bot")


async def test_teachers_issuing_at_once_all_get_a_certificate(database_url):
    engine = create_engine(database_url)
    await migrate(engine)
    sessions = session_factory(engine)
    try:
        now = datetime.now(UTC)
        users = [41, 42, 43, 44]
        attempts = await _passed_attempts(sessions, users, now)
        results = await asyncio.gather(*(_issue(sessions, u, a, now) for u, a in zip(users, attempts, strict=True)))
        assert all(created for _cert, created in results)
        async with sessions() as session:
            stored = list(await session.scalars(select(Certificate)))
        assert sorted(c.user_id for c in stored) == users
        numbers = [c.number for c in stored]
        assert len(set(numbers)) == 4 and all(n.startswith(f"MB-{now.year}-") for n in numbers), numbers
        assert {c.issuer for c in stored} == {"Maktab Bot"}
    finally:
        await engine.dispose()


async def test_double_tap_issues_one_certificate(database_url):
    engine = create_engine(database_url)
    await migrate(engine)
    sessions = session_factory(engine)
    try:
        now = datetime.now(UTC)
        (attempt,) = await _passed_attempts(sessions, [51], now)
        results = await asyncio.gather(_issue(sessions, 51, attempt, now), _issue(sessions, 51, attempt, now))
        assert sorted(created for _cert, created in results) == [False, True]
        assert results[0][0].number == results[1][0].number
        again, created = await _issue(sessions, 51, attempt, now)
        assert not created and again.number == results[0][0].number
        async with sessions() as session:
            assert len(list(await session.scalars(select(Certificate)))) == 1
    finally:
        await engine.dispose()
