"""The timed exam in the chat: one handler per button, each calling one use case (usecases/exam.py) with the
injected clock and showing one screen (bot/screens/exam.py). Refusals (a late, forged or closed-attempt
answer, a retake too soon) are raised by the use case and shown as an alert by the error handler."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.keyboards.common import MenuCB
from bot.keyboards.learning import ExamAct, ExamAnswerCB, ExamCB
from bot.screens.exam import exam_screen
from bot.ui import notify, show
from content.catalogue import MAIN_COURSE
from storage.models import User
from usecases import exam
from usecases.clock import Clock
from usecases.uow import UnitOfWork


async def exam_entry(event: Message | CallbackQuery, uow: UnitOfWork, user: User, settings: Settings,
                     clock: Clock) -> None:
    view = await exam.exam_home(uow, user.id, MAIN_COURSE, exam.policy_of(settings), clock.now())
    await show(event, *exam_screen(view))


async def exam_home(query: CallbackQuery, callback_data: ExamCB, uow: UnitOfWork, user: User, settings: Settings,
                    clock: Clock) -> None:
    view = await exam.exam_home(uow, user.id, callback_data.k, exam.policy_of(settings), clock.now())
    await show(query, *exam_screen(view))


async def exam_start(query: CallbackQuery, callback_data: ExamCB, uow: UnitOfWork, user: User, settings: Settings,
                     clock: Clock, callback_answer: CallbackAnswer) -> None:
    outcome = await exam.start_exam(uow, user.id, callback_data.k, exam.policy_of(settings), clock.now())
    if outcome.started:
        notify(callback_answer, _("The exam has started. Good luck!"))
    await show(query, *exam_screen(outcome.view))


async def exam_resume(query: CallbackQuery, callback_data: ExamCB, uow: UnitOfWork, user: User, settings: Settings,
                      clock: Clock) -> None:
    view = await exam.resume_exam(uow, user.id, callback_data.k, exam.policy_of(settings), clock.now())
    await show(query, *exam_screen(view))


async def exam_answer(query: CallbackQuery, callback_data: ExamAnswerCB, uow: UnitOfWork, user: User,
                      settings: Settings, clock: Clock, callback_answer: CallbackAnswer) -> None:
    """The hot path (issue #12): one conditional UPDATE … RETURNING, one read, one edit."""
    outcome = await exam.answer_exam(uow, user.id, callback_data.t, callback_data.p, callback_data.c, clock.now(),
                                     exam.policy_of(settings))
    if outcome.repeated:
        notify(callback_answer, _("Already answered."))
    await show(query, *exam_screen(outcome.view))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(exam_entry, Command("exam"))
    router.callback_query.register(exam_entry, MenuCB.filter(F.to == "exam"))
    router.callback_query.register(exam_home, ExamCB.filter(F.a == ExamAct.home))
    router.callback_query.register(exam_start, ExamCB.filter(F.a == ExamAct.start))
    router.callback_query.register(exam_resume, ExamCB.filter(F.a == ExamAct.resume))
    router.callback_query.register(exam_answer, ExamAnswerCB.filter())
    return router
