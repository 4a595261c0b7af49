"""The course: progress, lessons page by page, and each lesson's tasks (pass above the exam's pass mark,
EXAM_PASS_PERCENT, as the course itself says; retry allowed).

The course is read in the user's language (`language`); a button naming a course or lesson that does not
exist (an old message, a forged press) is refused with `StaleCourseButton` before anything is written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from content.catalogue import MAIN_COURSE, catalogue
from domain.course import OPTIONS_PER_QUESTION, Block, CourseText, Lesson, Question
from domain.exam import is_pass, percent, shuffled_order
from storage.models import QuizRun
from storage.repositories import learning
from usecases.errors import N_, UseCaseError
from usecases.uow import UnitOfWork


class StaleCourseButton(UseCaseError):
    code = "stale_course_button"
    status = 404
    text = N_("This button is out of date. Open the /menu.")


@dataclass(frozen=True)
class CourseChoice:
    courses: list[tuple[str, str]]  # (course id, title)


@dataclass(frozen=True)
class CourseHome:
    text: CourseText
    passed: int  # lessons passed
    lesson: int  # where to start or continue
    page: int
    started: bool
    several_courses: bool  # Back leads to the choice of courses


@dataclass(frozen=True)
class LessonList:
    text: CourseText
    block: Block
    passed: frozenset[int]  # numbers of the lessons passed


@dataclass(frozen=True)
class Page:
    text: CourseText
    block: Block
    lesson: Lesson
    page: int  # 0-based, within the lesson's pages


@dataclass(frozen=True)
class Task:
    """The question to answer now, its options in the run's shuffled order."""

    course_id: str
    run_id: int
    lesson_no: int
    position: int
    total: int
    question: Question
    order: tuple[int, ...]  # order[shown] = the option's index in the course file


@dataclass(frozen=True)
class TasksResult:
    course_id: str
    lesson_no: int
    correct: int
    total: int
    percent: float
    passed: bool
    last_lesson: bool
    pass_percent: float


@dataclass(frozen=True)
class TaskAnswer:
    """`right` None: already answered (a double tap or an old button), nothing written; then `task` is the
    question still open, if any. Else the next question (`task`) or, after the last one, `result`."""

    right: bool | None
    task: Task | None = None
    result: TasksResult | None = None


def course_in(course_id: str, language: str) -> CourseText:
    course = catalogue().get(course_id)
    if course is None:
        raise StaleCourseButton(course_id)
    return course.text(language)


def _lesson_in(course_id: str, lesson_no: int, language: str) -> tuple[CourseText, Lesson]:
    text = course_in(course_id, language)
    if not 1 <= lesson_no <= len(text.lessons):
        raise StaleCourseButton(f"{course_id} lesson {lesson_no}")
    return text, text.lesson(lesson_no)


async def open_courses(uow: UnitOfWork, user_id: int, language: str) -> CourseHome | CourseChoice:
    """/course: the choice of courses when there are several, else the course's progress."""
    if len(catalogue()) > 1:
        return CourseChoice([(course_id, course.text(language).title) for course_id, course in catalogue().items()])
    return await course_home(uow, user_id, MAIN_COURSE, language)


async def course_home(uow: UnitOfWork, user_id: int, course_id: str, language: str) -> CourseHome:
    text = course_in(course_id, language)
    results = await learning.lesson_results(uow.session, user_id, course_id)
    progress = await learning.get_progress(uow.session, user_id, course_id)
    return CourseHome(text=text, passed=sum(1 for r in results.values() if r.passed),
                      lesson=progress.lesson_no if progress else 1, page=progress.page if progress else 0,
                      started=progress is not None, several_courses=len(catalogue()) > 1)


async def lesson_list(uow: UnitOfWork, user_id: int, course_id: str, block_no: int, language: str) -> LessonList:
    text = course_in(course_id, language)
    block = text.blocks[min(max(block_no, 1), len(text.blocks)) - 1]
    results = await learning.lesson_results(uow.session, user_id, course_id)
    return LessonList(text, block, frozenset(n for n, r in results.items() if r.passed))


async def read_page(uow: UnitOfWork, user_id: int, course_id: str, lesson_no: int, page: int, language: str,
                    now: datetime) -> Page:
    """A page of a lesson; the course remembers it as where the teacher stopped."""
    text, lesson = _lesson_in(course_id, lesson_no, language)
    page = min(max(page, 0), len(lesson.pages) - 1)
    await learning.save_position(uow.session, user_id, course_id, lesson_no, page, now)
    await uow.commit()
    return Page(text, text.block_of(lesson_no), lesson, page)


async def start_tasks(uow: UnitOfWork, user_id: int, course_id: str, lesson_no: int, language: str, now: datetime,
                      rng: random.Random | None = None) -> Task:
    """The lesson's tasks: resumed at the next question if begun, else a new run (questions in order, options
    shuffled); one run at a time per teacher."""
    text, lesson = _lesson_in(course_id, lesson_no, language)
    unfinished = await learning.open_quiz(uow.session, user_id, course_id, lesson_no)
    if unfinished is not None and 0 < unfinished.answered < len(unfinished.plan):
        return _task(text, unfinished)
    rng = rng or random.Random()
    plan = [[i, list(shuffled_order(rng))] for i in range(len(lesson.questions))]
    run = await learning.start_quiz(uow.session, user_id, course_id, lesson_no, plan, now)
    await uow.commit()
    return _task(text, run)


async def answer_task(uow: UnitOfWork, user_id: int, run_id: int, position: int, shown: int, language: str,
                      pass_percent: float, now: datetime) -> TaskAnswer:
    """Record the answer at `position` once; after the last question, the lesson's result."""
    run = await uow.session.get(QuizRun, run_id)
    if run is None or run.user_id != user_id:
        raise StaleCourseButton(f"quiz run {run_id}")
    text = course_in(run.course_id, language)
    if not 0 <= shown < OPTIONS_PER_QUESTION or not await learning.answer_quiz(
            uow.session, run, position, shown, now):
        return TaskAnswer(None, None if run.finished_at is not None else _task(text, run))
    index, order = run.plan[position]
    right = order[shown] == text.lesson(run.lesson_no).questions[index].correct
    if run.finished_at is None:
        await uow.commit()
        return TaskAnswer(right, _task(text, run))
    result = await _finish(uow, user_id, text, run, pass_percent, now)
    await uow.commit()
    return TaskAnswer(right, result=result)


def _task(text: CourseText, run: QuizRun) -> Task:
    index, order = run.plan[run.answered]
    return Task(course_id=text.course_id, run_id=run.id, lesson_no=run.lesson_no, position=run.answered,
                total=len(run.plan), question=text.lesson(run.lesson_no).questions[index], order=tuple(order))


async def _finish(uow: UnitOfWork, user_id: int, text: CourseText, run: QuizRun, pass_percent: float,
                  now: datetime) -> TasksResult:
    """The lesson's result (its best score kept); passed: the course continues at the next lesson."""
    lesson = text.lesson(run.lesson_no)
    correct = sum(1 for (index, order), choice in zip(run.plan, run.answers, strict=True)
                  if order[choice] == lesson.questions[index].correct)
    total, last = len(run.plan), lesson.number >= len(text.lessons)
    passed = is_pass(correct, total, pass_percent)
    await learning.record_lesson_result(uow.session, user_id, text.course_id, lesson.number,
                                        percent(correct, total), passed, now)
    if passed:
        await learning.save_position(uow.session, user_id, text.course_id,
                                     lesson.number if last else lesson.number + 1, 0, now)
    return TasksResult(course_id=text.course_id, lesson_no=lesson.number, correct=correct, total=total,
                       percent=percent(correct, total), passed=passed, last_lesson=last, pass_percent=pass_percent)
