"""The course: progress, lessons page by page, and each lesson's tasks (pass above the exam's pass mark,
EXAM_PASS_PERCENT, as the course itself says; retry allowed)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.courses import current_language
from bot.keyboards.common import MenuCB
from bot.keyboards.learning import CourseAct, CourseCB, QuizCB
from bot.screens.course import (
    answer_toast,
    course_home_screen,
    courses_screen,
    lesson_list_screen,
    page_screen,
    result_screen,
    task_screen,
)
from bot.ui import notify, show
from storage.models import User
from usecases import course
from usecases.clock import Clock
from usecases.uow import UnitOfWork


async def course_entry(event: Message | CallbackQuery, uow: UnitOfWork, user: User) -> None:
    await show(event, *courses_screen(await course.open_courses(uow, user.id, current_language())))


async def course_home(query: CallbackQuery, callback_data: CourseCB, uow: UnitOfWork, user: User) -> None:
    home = await course.course_home(uow, user.id, callback_data.k, current_language())
    await show(query, *course_home_screen(home))


async def lesson_list(query: CallbackQuery, callback_data: CourseCB, uow: UnitOfWork, user: User) -> None:
    lessons = await course.lesson_list(uow, user.id, callback_data.k, callback_data.p, current_language())
    await show(query, *lesson_list_screen(lessons))


async def read_page(query: CallbackQuery, callback_data: CourseCB, uow: UnitOfWork, clock: Clock, user: User) -> None:
    page = await course.read_page(uow, user.id, callback_data.k, callback_data.l, callback_data.p, current_language(),
                                  clock.now())
    await show(query, *page_screen(page))


async def start_tasks(query: CallbackQuery, callback_data: CourseCB, uow: UnitOfWork, clock: Clock,
                      user: User) -> None:
    task = await course.start_tasks(uow, user.id, callback_data.k, callback_data.l, current_language(), clock.now())
    await show(query, *task_screen(task))


async def task_answered(query: CallbackQuery, callback_data: QuizCB, uow: UnitOfWork, clock: Clock, user: User,
                        settings: Settings, callback_answer: CallbackAnswer) -> None:
    """A toast says right or wrong; then the next question, or the lesson's result after the last."""
    answer = await course.answer_task(uow, user.id, callback_data.r, callback_data.p, callback_data.c,
                                      current_language(), settings.exam_pass_percent, clock.now())
    notify(callback_answer, answer_toast(answer.right))
    if answer.result is not None:
        await show(query, *result_screen(answer.result))
    elif answer.task is not None:
        await show(query, *task_screen(answer.task))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(course_entry, Command("course"))
    router.callback_query.register(course_entry, MenuCB.filter(F.to.in_({"course", "courses"})))
    router.callback_query.register(course_home, CourseCB.filter(F.a == CourseAct.home))
    router.callback_query.register(lesson_list, CourseCB.filter(F.a == CourseAct.list))
    router.callback_query.register(read_page, CourseCB.filter(F.a == CourseAct.read))
    router.callback_query.register(start_tasks, CourseCB.filter(F.a == CourseAct.tasks))
    router.callback_query.register(task_answered, QuizCB.filter())
    return router
