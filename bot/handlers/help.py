"""/help: what the user's role can do."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.config import Settings
from bot.keyboards.common import MenuCB
from bot.screens.onboarding import help_screen
from bot.ui import show
from storage.models import User
from usecases import onboarding
from usecases.uow import UnitOfWork


async def help_command(message: Message, uow: UnitOfWork, user: User, settings: Settings) -> None:
    role = await onboarding.current_role(uow, user.id)
    text, markup = help_screen(role, settings.exam_minutes, settings.exam_pass_percent)
    await message.answer(text, reply_markup=markup)


async def help_button(query: CallbackQuery, uow: UnitOfWork, user: User, settings: Settings) -> None:
    role = await onboarding.current_role(uow, user.id)
    await show(query, *help_screen(role, settings.exam_minutes, settings.exam_pass_percent, MenuCB(to="main").pack()))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(help_command, Command("help"))
    router.callback_query.register(help_button, MenuCB.filter(F.to == "help"))
    return router
