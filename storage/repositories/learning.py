"""Course progress and lesson tasks: where a teacher stopped, what they passed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CourseProgress, LessonProgress, QuizRun


async def get_progress(session: AsyncSession, user_id: int, course_id: str) -> CourseProgress | None:
    return await session.scalar(select(CourseProgress).where(
        CourseProgress.user_id == user_id, CourseProgress.course_id == course_id))


async def save_position(session: AsyncSession, user_id: int, course_id: str, lesson_no: int, page: int,
                        now: datetime) -> None:
    progress = await get_progress(session, user_id, course_id)
    if progress is None:
        session.add(CourseProgress(user_id=user_id, course_id=course_id, lesson_no=lesson_no, page=page,
                                   started_at=now, updated_at=now))
    else:
        progress.lesson_no, progress.page, progress.updated_at = lesson_no, page, now


async def lesson_results(session: AsyncSession, user_id: int, course_id: str) -> dict[int, LessonProgress]:
    rows = await session.scalars(select(LessonProgress).where(
        LessonProgress.user_id == user_id, LessonProgress.course_id == course_id))
    return {row.lesson_no: row for row in rows}


async def record_lesson_result(session: AsyncSession, user_id: int, course_id: str, lesson_no: int,
                               percent_value: float, passed: bool, now: datetime) -> LessonProgress:
    row = await session.scalar(select(LessonProgress).where(
        LessonProgress.user_id == user_id, LessonProgress.course_id == course_id,
        LessonProgress.lesson_no == lesson_no))
    if row is None:
        row = LessonProgress(user_id=user_id, course_id=course_id, lesson_no=lesson_no, best_percent=0.0,
                             passed=False, tries=0, updated_at=now)
        session.add(row)
    row.tries += 1
    row.best_percent = max(row.best_percent, percent_value)
    row.passed = row.passed or passed
    row.updated_at = now
    await session.flush()
    return row


async def open_quiz(session: AsyncSession, user_id: int, course_id: str, lesson_no: int) -> QuizRun | None:
    """An unfinished run of this lesson's tasks, to resume where the teacher left it."""
    return await session.scalar(select(QuizRun).where(
        QuizRun.user_id == user_id, QuizRun.course_id == course_id, QuizRun.lesson_no == lesson_no,
        QuizRun.finished_at.is_(None)).order_by(QuizRun.id.desc()).limit(1))


async def start_quiz(session: AsyncSession, user_id: int, course_id: str, lesson_no: int, plan: list,
                     now: datetime) -> QuizRun:
    # An unfinished earlier run of any lesson is abandoned: one quiz at a time per teacher.
    await session.execute(update(QuizRun).where(QuizRun.user_id == user_id, QuizRun.finished_at.is_(None))
                          .values(finished_at=now))
    run = QuizRun(user_id=user_id, course_id=course_id, lesson_no=lesson_no, plan=plan, answers=[],
                  answered=0, started_at=now)
    session.add(run)
    await session.flush()
    return run


async def answer_quiz(session: AsyncSession, run: QuizRun, position: int, choice: int,
                      now: datetime) -> bool:
    """Record the answer at `position` once; False for a double tap or an old button."""
    if run.finished_at is not None or position != run.answered:
        return False
    answers = [*run.answers, choice]
    # Compare-and-set on the answer count, so two taps processed at once record one answer.
    result = await session.execute(
        update(QuizRun).where(QuizRun.id == run.id, QuizRun.finished_at.is_(None))
        .where(QuizRun.answered == position)
        .values(answers=answers, answered=position + 1, finished_at=now if len(answers) == len(run.plan) else None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    run.answers, run.answered = answers, position + 1
    if len(answers) == len(run.plan):
        run.finished_at = now
    return True
