"""/language: the switch among Uzbek, Kyrgyz, Kazakh and Russian, remembered per user."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n

from bot.config import SUPPORTED_LANGUAGES
from bot.i18n import LANGUAGE_NAMES
from bot.keyboards.common import LangCB, MenuCB
from bot.screens.onboarding import language_screen, menu_screen
from bot.services.commands import set_user_commands
from bot.ui import notify, show
from storage.models import User
from usecases import onboarding
from usecases.uow import UnitOfWork


async def language_command(message: Message) -> None:
    text, markup = language_screen()
    await message.answer(text, reply_markup=markup)


async def language_button(query: CallbackQuery) -> None:
    await show(query, *language_screen())


async def language_chosen(query: CallbackQuery, callback_data: LangCB, uow: UnitOfWork, user: User, i18n: I18n,
                          callback_answer: CallbackAnswer) -> None:
    menu = await onboarding.set_language(uow, user.id, callback_data.code, SUPPORTED_LANGUAGES)
    i18n.ctx_locale.set(callback_data.code)  # answer in the new language from this message on
    notify(callback_answer, LANGUAGE_NAMES[callback_data.code])
    await set_user_commands(query.bot, i18n, user.id, menu.role, callback_data.code)
    # The menu (or, before onboarding, the role choice) now in the new language, in place.
    await show(query, *menu_screen(menu))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(language_command, Command("language"))
    router.callback_query.register(language_button, MenuCB.filter(F.to == "lang"))
    router.callback_query.register(language_chosen, LangCB.filter())
    return router
