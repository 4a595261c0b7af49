"""The exam's use cases on their own (no aiogram, no dispatcher): a SQLite file, a unit of work per request, and
a clock the test moves. A refusal writes nothing; a double tap is stored once; the pass mark is strict."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from content.catalogue import MAIN_COURSE, catalogue
from domain.exam import ExamPolicy
from storage.db import create_engine, migrate, session_factory
from storage.models import ExamAnswer, ExamAttempt, Outbox, User
from usecases.errors import NotAllowed
from usecases.exam import (
    ExamExpired,
    ExamFinished,
    ExamQuestion,
    ExamResult,
    ExamResume,
    ExamRules,
    NotYourAttempt,
    RetakeTooSoon,
    answer_exam,
    close_expired,
    exam_home,
    start_exam,
)
from usecases.uow import UnitOfWork

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
POLICY = ExamPolicy(minutes=45, question_count=10, pass_percent=60.0)
OWNER, OTHER = 7001, 7002


@pytest.fixture
async def sessions(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'exam.db'}")
    await migrate(engine)
    factory = session_factory(engine)
    async with factory() as session:
        session.add_all(User(id=uid, tg_name="T", created_at=T0, language="ru", role="teacher")
                        for uid in (OWNER, OTHER))
        await session.commit()
    try:
        yield factory
    finally:
        await engine.dispose()


async def start(sessions, teacher_id: int = OWNER, now: datetime = T0, policy: ExamPolicy = POLICY) -> ExamQuestion:
    async with UnitOfWork(sessions) as uow:
        outcome = await start_exam(uow, teacher_id, MAIN_COURSE, policy, now, random.Random(teacher_id))
    assert outcome.started and isinstance(outcome.view, ExamQuestion)
    return outcome.view


async def answer(sessions, question: ExamQuestion, shown: int, *, teacher_id: int = OWNER,
                 now: datetime = T0 + timedelta(minutes=1), position: int | None = None):
    async with UnitOfWork(sessions) as uow:
        return await answer_exam(uow, teacher_id, question.attempt_id,
                                 question.position if position is None else position, shown, now, POLICY)


def correct_shown(question: ExamQuestion) -> int:
    correct = catalogue()[MAIN_COURSE].reference.question(question.question_key).correct
    return question.option_order.index(correct)


async def snapshot(sessions) -> tuple:
    """Every row an answer or the deadline could change."""
    async with sessions() as session:
        attempts = (await session.execute(select(
            ExamAttempt.id, ExamAttempt.status, ExamAttempt.correct_count, ExamAttempt.finished_at,
            ExamAttempt.notified_at).order_by(ExamAttempt.id))).all()
        answers = (await session.execute(select(
            ExamAnswer.id, ExamAnswer.chosen, ExamAnswer.is_correct, ExamAnswer.answered_at)
            .order_by(ExamAnswer.id))).all()
        outbox = await session.scalar(select(func.count()).select_from(Outbox))
    return attempts, answers, outbox


async def run_through(sessions, first: ExamQuestion, right: int, *, teacher_id: int = OWNER) -> ExamResult:
    """Answer every question, the first `right` of them correctly."""
    view, n = first, 0
    while isinstance(view, ExamQuestion):
        good = correct_shown(view)
        outcome = await answer(sessions, view, good if n < right else (good + 1) % 4, teacher_id=teacher_id)
        assert not outcome.repeated
        view, n = outcome.view, n + 1
    return view


def test_the_use_cases_need_no_aiogram():
    code = ("import sys, usecases.exam, usecases.certificate; "
            "assert not [m for m in sys.modules if m.startswith('aiogram')], 'aiogram imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_an_answer_after_the_time_ran_out_is_refused_and_writes_nothing(sessions):
    first = await start(sessions)
    before = await snapshot(sessions)
    for late in (T0 + timedelta(minutes=45), T0 + timedelta(minutes=46)):  # at the deadline, and after it
        with pytest.raises(ExamExpired):
            await answer(sessions, first, correct_shown(first), now=late)
        assert await snapshot(sessions) == before
    # The deadline job, at the same clock, closes the attempt and queues its result once.
    async with UnitOfWork(sessions) as uow:
        assert await close_expired(uow, POLICY.pass_percent, T0 + timedelta(minutes=46)) == 1
    async with UnitOfWork(sessions) as uow:
        assert await close_expired(uow, POLICY.pass_percent, T0 + timedelta(minutes=47)) == 0
    async with sessions() as session:
        attempt = await session.get(ExamAttempt, first.attempt_id)
    assert attempt.status == "expired" and attempt.correct_count == 0
    with pytest.raises(ExamFinished):
        await answer(sessions, first, correct_shown(first), now=T0 + timedelta(minutes=48))


async def test_a_double_tap_is_stored_once(sessions):
    first = await start(sessions)
    good = correct_shown(first)
    stored = await answer(sessions, first, good)
    assert not stored.repeated and isinstance(stored.view, ExamQuestion) and stored.view.position == 1
    before = await snapshot(sessions)
    again = await answer(sessions, first, (good + 1) % 4)  # the second tap on the same question
    assert again.repeated and again.view == stored.view  # shown where the teacher is, nothing written
    assert await snapshot(sessions) == before
    second = await answer(sessions, stored.view, correct_shown(stored.view))
    before = await snapshot(sessions)
    old = await answer(sessions, first, (good + 1) % 4)  # the first question's button pressed later on
    assert old.repeated and old.view == second.view
    assert await snapshot(sessions) == before
    async with sessions() as session:
        chosen = (await session.execute(select(ExamAnswer.position, ExamAnswer.chosen).where(
            ExamAnswer.attempt_id == first.attempt_id, ExamAnswer.chosen.isnot(None))
            .order_by(ExamAnswer.position))).all()
    assert chosen == [(0, good), (1, correct_shown(stored.view))]


async def test_another_teachers_attempt_is_refused(sessions):
    first = await start(sessions, OWNER)
    before = await snapshot(sessions)
    with pytest.raises(NotYourAttempt) as refused:
        await answer(sessions, first, correct_shown(first), teacher_id=OTHER)
    assert isinstance(refused.value, NotAllowed)
    with pytest.raises(NotYourAttempt):  # no such attempt at all
        await answer(sessions, ExamQuestion(first.attempt_id + 99, MAIN_COURSE, 0, 10, "1:0", (0, 1, 2, 3), 45), 0)
    assert await snapshot(sessions) == before


@pytest.mark.parametrize(("right", "passed", "percent"), [(7, True, 70.0), (6, False, 60.0)])
async def test_more_than_60_percent_passes_and_exactly_60_fails(sessions, right, passed, percent):
    result = await run_through(sessions, await start(sessions), right)
    assert (result.passed, result.score.percent, result.score.correct, result.score.total) == (
        passed, percent, right, 10)
    assert bool(result.revisit) is not passed  # lessons to revisit after a failed attempt only
    async with sessions() as session:
        attempt = await session.scalar(select(ExamAttempt).where(ExamAttempt.user_id == OWNER))
    assert attempt.status == "finished" and attempt.passed is passed and attempt.notified_at is not None
    async with UnitOfWork(sessions) as uow:  # told on the spot: the deadline job does not tell it again
        assert await close_expired(uow, POLICY.pass_percent, T0 + timedelta(hours=2)) == 0


async def test_home_shows_the_rules_the_open_attempt_or_a_retake_wait(sessions):
    policy = ExamPolicy(minutes=45, question_count=10, pass_percent=60.0, cooldown=timedelta(minutes=30))
    async with UnitOfWork(sessions) as uow:
        rules = await exam_home(uow, OWNER, MAIN_COURSE, policy, T0)
    assert isinstance(rules, ExamRules) and rules.need == 7 and rules.retake_in is None and rules.last is None
    first = await start(sessions, policy=policy)
    async with UnitOfWork(sessions) as uow:
        resume = await exam_home(uow, OWNER, MAIN_COURSE, policy, T0 + timedelta(minutes=5))
    assert resume == ExamResume(MAIN_COURSE, first.attempt_id, 1, 10, 40)
    await run_through(sessions, first, 0)  # failed, finished at T0 + 1 min
    with pytest.raises(RetakeTooSoon) as wait:
        await start(sessions, now=T0 + timedelta(minutes=11), policy=policy)
    assert wait.value.data == {"minutes": 20}
    async with UnitOfWork(sessions) as uow:
        later = await exam_home(uow, OWNER, MAIN_COURSE, policy, T0 + timedelta(minutes=31))
    assert later.retake_in is None and later.last.correct == 0 and not later.passed


async def test_a_certificate_is_numbered_in_the_year_of_its_printed_date(sessions):
    from usecases.certificate import issue_certificate

    assert (await run_through(sessions, await start(sessions), right=10)).passed
    async with sessions() as session:
        (await session.get(User, OWNER)).full_name = "Karimova Dilnoza"
        await session.commit()
    new_year_in_tashkent = datetime(2026, 12, 31, 19, 30, tzinfo=UTC)  # 00:30 on 1 January 2027 there
    async with UnitOfWork(sessions) as uow:
        issued = await issue_certificate(uow, OWNER, MAIN_COURSE, "", new_year_in_tashkent)
    assert issued.document.number.startswith("MB-2027-")
