"""Teachers fill the journal from the phone: today's lessons first, the class list, a tap per student for
attendance or a grade, topic and homework. One handler per button, each calling one use case
(usecases/journal.py) with the injected clock and showing one screen (bot/screens/journal.py). Every change
keeps history; a screen older than the lesson's last change is refused and the fresh sheet shown instead."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.handlers.errors import refusal_text
from bot.keyboards.common import MenuCB
from bot.keyboards.journal import LessonAct, LessonCB, lesson_day
from bot.screens.journal import (
    SUMMATIVES,
    Screen,
    day_screen,
    picker_screen,
    score_retry_screen,
    sheet_screen,
    summative_prompt_screen,
    text_prompt_screen,
)
from bot.ui import TYPED_TEXT, notify, show
from domain.grading import MarkKind
from storage.models import User
from usecases import journal
from usecases.clock import Clock
from usecases.journal import BadScore, LessonChanged, SheetMode, SheetView
from usecases.uow import UnitOfWork

log = logging.getLogger(__name__)


class LessonText(StatesGroup):
    waiting = State()


class SummativePercent(StatesGroup):
    """Kazakhstan's СОР/СОЧ results are points over a maximum ("17/20") or a per cent: typed, not buttons."""

    waiting = State()


async def _shown(event: Message | CallbackQuery, work: Awaitable[SheetView],
                 screen: Callable[[SheetView], Screen] = sheet_screen) -> SheetView | None:
    """Show the screen of the view a use case returns. A stale screen's refusal comes with the fresh sheet:
    shown in its place (the alert follows), or, after a typed answer, below the refusal's text."""
    try:
        view = await work
    except LessonChanged as refusal:
        if refusal.view is None:
            raise
        if isinstance(event, Message):
            await event.answer(refusal_text(refusal))
            await show(event, *sheet_screen(refusal.view))
            return None
        await show(event, *sheet_screen(refusal.view))
        raise
    await show(event, *screen(view))
    return view


async def journal_command(message: Message, uow: UnitOfWork, user: User, state: FSMContext, settings: Settings,
                          clock: Clock) -> None:
    await state.set_state(None)
    await show(message, *day_screen(await journal.day_view(uow, user.id, None, clock.now()), settings.webapp_url))


async def journal_button(query: CallbackQuery, uow: UnitOfWork, user: User, settings: Settings,
                         clock: Clock) -> None:
    await show(query, *day_screen(await journal.day_view(uow, user.id, None, clock.now()), settings.webapp_url))


async def day_list(query: CallbackQuery, callback_data: LessonCB, uow: UnitOfWork, user: User, state: FSMContext,
                   clock: Clock, settings: Settings) -> None:
    await state.set_state(None)
    view = await journal.day_view(uow, user.id, callback_data.listed_day(), clock.now())
    await show(query, *day_screen(view, settings.webapp_url))


async def _sheet(query: CallbackQuery, cb: LessonCB, uow: UnitOfWork, user: User, state: FSMContext, clock: Clock,
                 mode: SheetMode) -> None:
    await state.set_state(None)  # Back from a typed prompt: a later message no longer answers it
    await show(query, *sheet_screen(await journal.open_sheet(uow, user.id, cb.t, cb.lesson_day(), clock.now(), mode)))


async def sheet_attendance(query: CallbackQuery, callback_data: LessonCB, uow: UnitOfWork, user: User,
                           state: FSMContext, clock: Clock) -> None:
    await _sheet(query, callback_data, uow, user, state, clock, SheetMode.ATTENDANCE)


async def sheet_grades(query: CallbackQuery, callback_data: LessonCB, uow: UnitOfWork, user: User,
                       state: FSMContext, clock: Clock) -> None:
    await _sheet(query, callback_data, uow, user, state, clock, SheetMode.GRADES)


async def attendance_tap(query: CallbackQuery, callback_data: LessonCB, uow: UnitOfWork, user: User,
                         clock: Clock) -> None:
    cb = callback_data
    await _shown(query, journal.cycle_attendance(uow, user.id, cb.t, cb.lesson_day(), cb.s, cb.n, clock.now()))


async def attendance_save(query: CallbackQuery, callback_data: LessonCB, uow: UnitOfWork, user: User, clock: Clock,
                          callback_answer: CallbackAnswer) -> None:
    cb = callback_data
    await _shown(query, journal.save_attendance(uow, user.id, cb.t, cb.lesson_day(), cb.n, clock.now()))
    notify(callback_answer, _("✅ Attendance saved."))


async def pupil_pick(query: CallbackQuery, callback_data: LessonCB, uow: UnitOfWork, user: User,
                     clock: Clock) -> None:
    cb = callback_data
    await _shown(query, journal.choose_pupil(uow, user.id, cb.t, cb.lesson_day(), cb.s, cb.n, clock.now()),
                 lambda view: picker_screen(view, cb.s))


async def grade_set(query: CallbackQuery, callback_data: LessonCB, uow: UnitOfWork, user: User, clock: Clock,
                    callback_answer: CallbackAnswer) -> None:
    cb = callback_data
    view = await _shown(query, journal.set_grade(uow, user.id, cb.t, cb.lesson_day(), cb.s, cb.n, cb.v,
                                                 cb.k or MarkKind.REGULAR, clock.now()))
    if view is not None and view.note:  # allowed (work handed in, a summative written later): worth a look
        notify(callback_answer, _("Saved. Note: this student is marked absent today."))


async def summative_prompt(query: CallbackQuery, callback_data: LessonCB, uow: UnitOfWork, user: User,
                           state: FSMContext, clock: Clock) -> None:
    cb = callback_data
    view = await journal.choose_pupil(uow, user.id, cb.t, cb.lesson_day(), cb.s, None, clock.now())
    await state.set_state(SummativePercent.waiting)
    await state.update_data(t=cb.t, d=cb.d, s=cb.s, k=str(cb.k), n=cb.n,
                            prompt=query.message.message_id if query.message else 0)
    await show(query, *summative_prompt_screen(view, cb.s, cb.k or MarkKind.SECTION))


async def text_prompt(query: CallbackQuery, callback_data: LessonCB, uow: UnitOfWork, user: User,
                      state: FSMContext, clock: Clock) -> None:
    cb = callback_data
    view = await journal.open_sheet(uow, user.id, cb.t, cb.lesson_day(), clock.now())
    field_name = "topic" if cb.a is LessonAct.topic else "homework"
    mode = SheetMode.GRADES if cb.v else SheetMode.ATTENDANCE  # come back to the mode the teacher was in
    await state.set_state(LessonText.waiting)
    await state.update_data(field=field_name, t=cb.t, d=cb.d, mode=mode.value)
    await show(query, *text_prompt_screen(view, field_name))


async def lesson_text_typed(message: Message, uow: UnitOfWork, user: User, state: FSMContext, clock: Clock) -> None:
    data = await state.get_data()
    await state.set_state(None)
    field_name = "topic" if data.get("field") == "topic" else "homework"
    await _shown(message, journal.set_text(uow, user.id, int(data.get("t", 0)), lesson_day(int(data.get("d", 0))),
                                           field_name, message.text or "", clock.now(),
                                           SheetMode(data.get("mode", SheetMode.ATTENDANCE.value))))


async def drop_prompt(message: Message, prompt_id: int) -> None:
    """Delete the prompt a typed answer replies to (or, when Telegram refuses, e.g. after 48 hours, take its
    buttons away), so that only the screen shown next can be pressed."""
    if not prompt_id:
        return
    bot: Bot = message.bot
    try:
        await bot.delete_message(message.chat.id, prompt_id)
    except TelegramBadRequest:
        try:
            await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=prompt_id, reply_markup=None)
        except TelegramBadRequest:
            log.info("prompt %s of chat %s is gone already", prompt_id, message.chat.id)


async def percent_typed(message: Message, uow: UnitOfWork, user: User, state: FSMContext, clock: Clock) -> None:
    data = await state.get_data()
    await state.set_state(None)
    await drop_prompt(message, int(data.get("prompt", 0)))  # the screen moves on: its Back must not stay live
    t, d = int(data.get("t", 0)), int(data.get("d", 0))
    try:
        await _shown(message, journal.set_summative(uow, user.id, t, lesson_day(d), int(data.get("s", 0)),
                                                    int(data.get("n", -1)), MarkKind(data.get("k")),
                                                    message.text or "", clock.now()))
    except BadScore:
        await state.set_state(SummativePercent.waiting)
        text, markup = score_retry_screen(t, d)
        again = await message.answer(text, reply_markup=markup)
        await state.update_data(prompt=again.message_id)  # the new prompt, removed in its turn


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(journal_command, Command("journal"))
    router.callback_query.register(journal_button, MenuCB.filter(F.to == "journal"))
    on = router.callback_query.register
    on(day_list, LessonCB.filter(F.a == LessonAct.days))
    on(sheet_attendance, LessonCB.filter(F.a.in_({LessonAct.open, LessonAct.amode})))
    on(sheet_grades, LessonCB.filter(F.a == LessonAct.gmode))
    on(attendance_tap, LessonCB.filter(F.a == LessonAct.att))
    on(attendance_save, LessonCB.filter(F.a == LessonAct.save))
    on(pupil_pick, LessonCB.filter(F.a == LessonAct.pick))
    on(grade_set, LessonCB.filter(F.a == LessonAct.grade))
    on(summative_prompt, LessonCB.filter((F.a == LessonAct.pct) & F.k.in_(SUMMATIVES)))
    on(text_prompt, LessonCB.filter(F.a.in_({LessonAct.topic, LessonAct.hw})))
    router.message.register(lesson_text_typed, StateFilter(LessonText.waiting), TYPED_TEXT)
    router.message.register(percent_typed, StateFilter(SummativePercent.waiting), TYPED_TEXT)
    return router
