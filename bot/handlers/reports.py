"""Reports for school heads and deputies (their school) and for district/regional supervisors (their area):
a short summary in chat with buttons, and the same report as PDF, XLSX or a PNG chart.

Each handler parses the button, calls one use case (usecases.reports: it checks every pressed id against the
user's own school or area, refusing and logging a forged one) and shows one screen (bot.screens.reports)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.keyboards.common import MenuCB
from bot.keyboards.reports import FILE_VIEWS, AreaCB, Fmt, ReportCB, View
from bot.screens import reports as screens
from bot.ui import chat_id_of, show
from content.catalogue import MAIN_COURSE
from storage.models import User
from usecases import reports as uc
from usecases.clock import Clock
from usecases.uow import UnitOfWork


def query_of(cb: ReportCB, user: User, clock: Clock) -> uc.ReportQuery:
    return uc.ReportQuery(user_id=user.id, school_id=cb.s, course_id=MAIN_COURSE, now=clock.now(), term_id=cb.t,
                          class_id=cb.c)


def typing(event: Message | CallbackQuery, bot: Bot) -> Callable[[], Awaitable[object]]:
    """Shown before a slow report (a whole country takes a second or two on SQLite)."""
    return lambda: bot.send_chat_action(chat_id_of(event), ChatAction.TYPING)


# --- entry ------------------------------------------------------------------------------------------------


async def open_reports(event: Message | CallbackQuery, uow: UnitOfWork, user: User, clock: Clock, bot: Bot) -> None:
    """/reports and the menu's button: the user's school or area, or a choice of them."""
    home = await uc.reports_home(uow, user, MAIN_COURSE, clock.now(), slow=typing(event, bot))
    await show(event, *screens.reports_home_screen(home))


# --- a school's reports -----------------------------------------------------------------------------------


async def school_home(query: CallbackQuery, callback_data: ReportCB, uow: UnitOfWork, user: User,
                      clock: Clock) -> None:
    home = await uc.school_home(uow, query_of(callback_data, user, clock))
    await show(query, *screens.school_home_screen(home))


async def report_in_chat(query: CallbackQuery, callback_data: ReportCB, uow: UnitOfWork, user: User,
                         clock: Clock) -> None:
    report = await uc.school_report(uow, callback_data.v.value, query_of(callback_data, user, clock))
    await show(query, *screens.school_report_screen(report, callback_data))


async def report_as_file(query: CallbackQuery, callback_data: ReportCB, uow: UnitOfWork, user: User,
                         clock: Clock, bot: Bot) -> None:
    report = await uc.school_report(uow, callback_data.v.value, query_of(callback_data, user, clock))
    await send_file(query, bot, callback_data.f, screens.report_file(report))


async def class_list(query: CallbackQuery, callback_data: ReportCB, uow: UnitOfWork, user: User,
                     clock: Clock) -> None:
    page = await uc.class_list(uow, query_of(callback_data, user, clock), callback_data.p)
    await show(query, *screens.classes_screen(page))


# --- a supervisor's area ----------------------------------------------------------------------------------


async def area_in_chat(query: CallbackQuery, callback_data: AreaCB, uow: UnitOfWork, user: User, clock: Clock,
                       bot: Bot) -> None:
    cb = callback_data
    view = await uc.area_view(uow, user.id, cb.a, cb.l, cb.s, MAIN_COURSE, clock.now(), slow=typing(query, bot))
    await show(query, *screens.area_screen(view))


async def area_as_file(query: CallbackQuery, callback_data: AreaCB, uow: UnitOfWork, user: User, clock: Clock,
                       bot: Bot) -> None:
    cb = callback_data
    view = await uc.area_view(uow, user.id, cb.a, cb.l, cb.s, MAIN_COURSE, clock.now())
    await send_file(query, bot, cb.f, screens.report_file(view.report))


# --- files ------------------------------------------------------------------------------------------------


async def send_file(query: CallbackQuery, bot: Bot, fmt: Fmt, file: screens.ReportFile) -> None:
    """Build the file off the event loop (with the upload action showing) and send it, named in the reader's
    language. A report without a chart sends nothing for the chart's (forged) button."""
    chat_id = chat_id_of(query)
    if fmt is not Fmt.png:
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
        doc = file.document()
        data = await asyncio.to_thread(screens.document_bytes, doc, fmt.value)
        caption = "\n".join([doc.title, *doc.lines[:1]])[:1000]
        await bot.send_document(chat_id, BufferedInputFile(data, file.name(fmt.value)), caption=caption)
    elif file.chart is not None:
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
        png = await asyncio.to_thread(file.chart)
        await bot.send_photo(chat_id, BufferedInputFile(png, file.name("png")))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(open_reports, Command("reports"))
    router.callback_query.register(open_reports, MenuCB.filter(F.to == "reports"))
    router.callback_query.register(school_home, ReportCB.filter(F.v == View.home))
    router.callback_query.register(class_list, ReportCB.filter(F.v == View.classes))
    router.callback_query.register(report_in_chat, ReportCB.filter(F.v.in_(FILE_VIEWS) & (F.f == Fmt.chat)))
    router.callback_query.register(report_as_file, ReportCB.filter(F.v.in_(FILE_VIEWS) & (F.f != Fmt.chat)))
    router.callback_query.register(area_in_chat, AreaCB.filter(F.f == Fmt.chat))
    router.callback_query.register(area_as_file, AreaCB.filter(F.f != Fmt.chat))
    return router
