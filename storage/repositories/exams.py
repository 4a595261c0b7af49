"""Exam attempts and answers. Every rule that guards a score is a conditional UPDATE, so a double tap,
an old button or a second bot instance cannot answer twice or after the deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.exam import DrawnQuestion
from storage.models import ExamAnswer, ExamAttempt


async def open_attempt(session: AsyncSession, user_id: int, course_id: str) -> ExamAttempt | None:
    return await session.scalar(select(ExamAttempt).where(
        ExamAttempt.user_id == user_id, ExamAttempt.course_id == course_id, ExamAttempt.status == "open")
        .order_by(ExamAttempt.id.desc()).limit(1))


async def finished_attempts(session: AsyncSession, user_id: int, course_id: str) -> list[ExamAttempt]:
    return list(await session.scalars(select(ExamAttempt).where(
        ExamAttempt.user_id == user_id, ExamAttempt.course_id == course_id, ExamAttempt.status != "open")
        .order_by(ExamAttempt.id.desc())))


async def create_attempt(session: AsyncSession, *, user_id: int, course_id: str, questions: list[DrawnQuestion],
                         started_at: datetime, deadline_at: datetime,
                         correct_of: Callable[[str], int] | None = None) -> ExamAttempt:
    """`correct_of(question_key)`: the original index of the correct option; with it each row stores where the
    correct option is shown, so a tap is scored by `answer_tap`'s one UPDATE."""
    attempt = ExamAttempt(user_id=user_id, course_id=course_id, status="open", started_at=started_at,
                          deadline_at=deadline_at, question_count=len(questions))
    session.add(attempt)
    await session.flush()
    session.add_all(ExamAnswer(attempt_id=attempt.id, position=i, question_key=q.key,
                               option_order=",".join(map(str, q.option_order)),
                               correct_shown=q.option_order.index(correct_of(q.key)) if correct_of else None)
                    for i, q in enumerate(questions))
    await session.flush()
    return attempt


async def answer_tap(session: AsyncSession, *, attempt_id: int, user_id: int, position: int, chosen: int,
                     now: datetime) -> tuple[ExamAttempt, ExamAnswer | None] | None:
    """The common tap in one conditional UPDATE … RETURNING: the answer is set once, only on the user's open
    attempt before its deadline, scored in SQL (correct_shown = chosen). Then one read gives the attempt and the
    next unanswered question (None: all answered). None when the UPDATE matched nothing (already answered,
    expired, not theirs, or an attempt drawn before correct_shown existed): the caller takes the full path."""
    open_attempt = exists().where(ExamAttempt.id == attempt_id, ExamAttempt.user_id == user_id,
                                  ExamAttempt.status == "open", ExamAttempt.deadline_at > now)
    done = await session.scalar(
        update(ExamAnswer)
        .where(ExamAnswer.attempt_id == attempt_id, ExamAnswer.position == position, ExamAnswer.chosen.is_(None),
               ExamAnswer.correct_shown.isnot(None), open_attempt)
        .values(chosen=chosen, is_correct=ExamAnswer.correct_shown == chosen, answered_at=now)
        .returning(ExamAnswer.position).execution_options(synchronize_session=False))
    if done is None:
        return None
    row = (await session.execute(
        select(ExamAttempt, ExamAnswer).outerjoin(ExamAnswer, and_(
            ExamAnswer.attempt_id == ExamAttempt.id, ExamAnswer.chosen.is_(None), ExamAnswer.position > position))
        .where(ExamAttempt.id == attempt_id).order_by(ExamAnswer.position).limit(1))).first()
    return row[0], row[1]


async def current_question(session: AsyncSession, attempt_id: int) -> ExamAnswer | None:
    """The first unanswered question of an attempt, or None when all are answered."""
    return await session.scalar(select(ExamAnswer).where(
        ExamAnswer.attempt_id == attempt_id, ExamAnswer.chosen.is_(None)).order_by(ExamAnswer.position).limit(1))


async def answers_of(session: AsyncSession, attempt_id: int) -> list[ExamAnswer]:
    """All of an attempt's questions in order: one query serves "current" and "next"."""
    return list(await session.scalars(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt_id)
                                      .order_by(ExamAnswer.position)))


async def record_answer(session: AsyncSession, *, attempt: ExamAttempt, position: int, chosen: int,
                        is_correct: bool, now: datetime) -> bool:
    """Set the answer once, only while the attempt is open and before its deadline."""
    if attempt.status != "open" or now >= attempt.deadline_at:
        return False
    result = await session.execute(
        update(ExamAnswer)
        .where(ExamAnswer.attempt_id == attempt.id, ExamAnswer.position == position, ExamAnswer.chosen.is_(None))
        .values(chosen=chosen, is_correct=is_correct, answered_at=now)
    )
    return result.rowcount == 1


async def close_attempt(session: AsyncSession, attempt: ExamAttempt, *, now: datetime, status: str,
                        pass_percent: float) -> bool:
    """Score and close an open attempt (only answers given before the deadline count). False if it was
    already closed by someone else (the deadline job, another instance)."""
    from domain.exam import is_pass, percent

    correct = await session.scalar(select(func.count()).select_from(ExamAnswer).where(
        ExamAnswer.attempt_id == attempt.id, ExamAnswer.is_correct.is_(True),
        ExamAnswer.answered_at < attempt.deadline_at)) or 0
    passed = is_pass(correct, attempt.question_count, pass_percent)
    pct = percent(correct, attempt.question_count)
    result = await session.execute(
        update(ExamAttempt).where(ExamAttempt.id == attempt.id, ExamAttempt.status == "open")
        .values(status=status, finished_at=min(now, attempt.deadline_at), correct_count=correct, percent=pct,
                passed=passed)
    )
    if result.rowcount != 1:
        await session.refresh(attempt)
        return False
    attempt.status, attempt.correct_count, attempt.percent, attempt.passed = status, correct, pct, passed
    attempt.finished_at = min(now, attempt.deadline_at)
    return True


async def wrong_keys(session: AsyncSession, attempt_id: int) -> list[str]:
    rows = await session.scalars(select(ExamAnswer.question_key).where(
        ExamAnswer.attempt_id == attempt_id, ExamAnswer.is_correct.isnot(True)))
    return list(rows)


async def expired_open_attempts(session: AsyncSession, now: datetime, limit: int = 500) -> list[ExamAttempt]:
    return list(await session.scalars(select(ExamAttempt).where(
        ExamAttempt.status == "open", ExamAttempt.deadline_at <= now).limit(limit)))


async def unnotified_closed(session: AsyncSession, limit: int = 500) -> list[ExamAttempt]:
    return list(await session.scalars(select(ExamAttempt).where(
        ExamAttempt.status != "open", ExamAttempt.notified_at.is_(None)).limit(limit)))


async def mark_notified(session: AsyncSession, attempt_id: int, now: datetime) -> bool:
    result = await session.execute(update(ExamAttempt).where(
        ExamAttempt.id == attempt_id, ExamAttempt.notified_at.is_(None)).values(notified_at=now))
    return result.rowcount == 1


async def has_passed(session: AsyncSession, user_id: int, course_id: str) -> ExamAttempt | None:
    return await session.scalar(select(ExamAttempt).where(
        ExamAttempt.user_id == user_id, ExamAttempt.course_id == course_id, ExamAttempt.passed.is_(True))
        .order_by(ExamAttempt.percent.desc(), ExamAttempt.id.desc()).limit(1))
