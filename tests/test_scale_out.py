"""Scale-out: two bot instances on one PostgreSQL database with Redis FSM storage. The second instance
continues what the first began (FSM state and the exam), and their deadline jobs never notify twice."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select

from bot.demo import seed_demo
from bot.services.exam_jobs import close_expired_attempts
from storage.models import ExamAttempt, User
from tests.conftest import POSTGRES_UP, REDIS_UP
from tests.harness import Harness, has_data, press_data
from tests.test_e2e_teacher import NAMES, answer_exam, exam_state, onboard_teacher
from usecases.clock import FakeClock

pytestmark = [
    pytest.mark.skipif(not POSTGRES_UP, reason="no PostgreSQL server answers on 127.0.0.1:5432"),
    pytest.mark.skipif(not REDIS_UP, reason="no Redis server answers on 127.0.0.1:6379"),
]


@pytest.fixture
def redis():
    """Settings for the test server's Redis database 15, under a key prefix of this test's own."""
    return {"redis_url": "redis://127.0.0.1:6379/15", "redis_prefix": "test-" + uuid.uuid4().hex[:8]}


async def test_second_instance_continues_first_instances_conversation(database_url, redis):
    if not database_url.startswith("postgresql"):
        pytest.skip("scale-out runs on PostgreSQL")
    first = await Harness.start(database_url, **redis, exam_questions=5)
    try:
        async with first.db() as session:
            await seed_demo(session)
        teacher = await onboard_teacher(first, 8001, "ru")
        await teacher.send("/exam")
        await teacher.wait_for(has_data("x:start"))
        await press_data(teacher, "x:start")
        await answer_exam(first, teacher, right=True)
        await press_data(teacher, "cert:home")  # asks for the name: FSM state now lives in Redis
        await teacher.wait_idle()
    finally:
        await first.stop()
    # A new instance (another process in production), same database and Redis, takes the next message.
    second = await Harness.start(database_url, **redis, exam_questions=5)
    try:
        teacher2 = second.user(8001, "T")
        await teacher2.send(NAMES["kk"])
        confirm = await teacher2.wait_for()
        assert NAMES["kk"] in confirm.text
        async with second.db() as session:
            assert (await session.get(User, 8001)).full_name == NAMES["kk"]
    finally:
        await second.stop()


async def test_deadline_jobs_of_two_instances_notify_once(database_url, redis):
    if not database_url.startswith("postgresql"):
        pytest.skip("scale-out runs on PostgreSQL")
    clock = FakeClock()  # both instances on one clock, moved past the deadline below
    a = await Harness.start(database_url, exam_questions=5, clock=clock)
    b = await Harness.start(database_url, api=a.api, poll=False, exam_questions=5, clock=clock)
    try:
        async with a.db() as session:
            await seed_demo(session)
        teacher = await onboard_teacher(a, 8101, "ru")
        await teacher.send("/exam")
        await teacher.wait_for(has_data("x:start"))
        await press_data(teacher, "x:start")
        attempt, _ = await exam_state(a, 8101)
        clock.advance(minutes=46)
        delivered = await asyncio.gather(close_expired_attempts(a.app, a.bot), close_expired_attempts(b.app, b.bot))
        assert sum(delivered) == 1
        async with a.db() as session:
            closed = await session.scalar(select(ExamAttempt).where(ExamAttempt.id == attempt.id))
        assert closed.status == "expired" and closed.notified_at is not None
    finally:
        await b.stop()
        await a.stop()
