"""/reminders and "🔔 Reminders": each user's reminders on or off, at which school-local hour (and, for the
parents' weekly summary, which weekday). Buttons only: nothing to type. A kind the user's roles do not get,
or an hour inside the quiet window, is refused by the use case (usecases.reminders) and nothing is saved."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.keyboards.common import MenuCB
from bot.keyboards.reminders import RemindAct, RemindCB
from bot.screens import reminders as screens
from bot.ui import notify, show
from storage.models import User
from usecases import reminders as uc
from usecases.reminder_context import quiet_window
from usecases.uow import UnitOfWork


async def reminders_home(event: Message | CallbackQuery, uow: UnitOfWork, user: User, settings: Settings) -> None:
    """/reminders, the menu's button and Back: every kind with its state."""
    await show(event, *screens.home_screen(await uc.reminders_home(uow, user, quiet_window(settings))))


async def open_kind(query: CallbackQuery, callback_data: RemindCB, uow: UnitOfWork, user: User,
                    settings: Settings) -> None:
    view = await uc.kind_settings(uow, user, callback_data.k, quiet_window(settings))
    await show(query, *screens.kind_screen(view))


async def see_kind(query: CallbackQuery, callback_data: RemindCB, uow: UnitOfWork, user: User,
                   settings: Settings) -> None:
    """Pressed on a reminder: the reminder stays, the settings open below it."""
    text, markup = screens.kind_screen(await uc.kind_settings(uow, user, callback_data.k, quiet_window(settings)))
    await query.bot.send_message(query.from_user.id, text, reply_markup=markup)


async def toggle(query: CallbackQuery, callback_data: RemindCB, uow: UnitOfWork, user: User, settings: Settings,
                 callback_answer: CallbackAnswer) -> None:
    view = await uc.toggle(uow, user, callback_data.k, quiet_window(settings))
    notify(callback_answer, screens.toggled_toast(view))
    await show(query, *screens.kind_screen(view))


async def switch_off(query: CallbackQuery, callback_data: RemindCB, uow: UnitOfWork, user: User,
                     callback_answer: CallbackAnswer) -> None:
    """From a reminder itself: the reminder stays as it is; the answer is an alert."""
    await uc.switch_off(uow, user, callback_data.k)
    notify(callback_answer, screens.switched_off_alert(), alert=True)


async def set_hour(query: CallbackQuery, callback_data: RemindCB, uow: UnitOfWork, user: User, settings: Settings,
                   callback_answer: CallbackAnswer) -> None:
    view = await uc.set_hour(uow, user, callback_data.k, callback_data.v, quiet_window(settings))
    notify(callback_answer, screens.hour_toast(callback_data.v))
    await show(query, *screens.kind_screen(view))


async def set_day(query: CallbackQuery, callback_data: RemindCB, uow: UnitOfWork, user: User, settings: Settings,
                  callback_answer: CallbackAnswer) -> None:
    view = await uc.set_day(uow, user, callback_data.k, callback_data.v, quiet_window(settings))
    notify(callback_answer, screens.day_toast(callback_data.v))
    await show(query, *screens.kind_screen(view))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(reminders_home, Command("reminders"))
    router.callback_query.register(reminders_home, MenuCB.filter(F.to == "remind"))
    router.callback_query.register(reminders_home, RemindCB.filter(F.a == RemindAct.home))
    router.callback_query.register(open_kind, RemindCB.filter(F.a == RemindAct.kind))
    router.callback_query.register(see_kind, RemindCB.filter(F.a == RemindAct.see))
    router.callback_query.register(toggle, RemindCB.filter(F.a == RemindAct.toggle))
    router.callback_query.register(switch_off, RemindCB.filter(F.a == RemindAct.off))
    router.callback_query.register(set_hour, RemindCB.filter(F.a == RemindAct.hour))
    router.callback_query.register(set_day, RemindCB.filter(F.a == RemindAct.day))
    return router
