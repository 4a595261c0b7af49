"""/language: the switch among Uzbek, Kyrgyz, Kazakh and Russian, remembered per user."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LANGUAGES
from bot.handlers.start import show_main_menu
from bot.i18n import LANGUAGE_NAMES
from bot.keyboards.common import LangCB, MenuCB
from bot.keyboards.menu import language_keyboard
from bot.services.commands import set_user_commands
from bot.services.roles import current_role
from bot.ui import notify, show
from storage.models import User

router = Router(name=__name__)


@router.message(Command("language"))
async def language_command(message: Message) -> None:
    await message.answer(_("Choose the language:"), reply_markup=language_keyboard(MenuCB(to="main").pack()))


@router.callback_query(MenuCB.filter(F.to == "lang"))
async def language_button(query: CallbackQuery) -> None:
    await show(query, _("Choose the language:"), language_keyboard(MenuCB(to="main").pack()))


@router.callback_query(LangCB.filter())
async def language_chosen(query: CallbackQuery, callback_data: LangCB, session: AsyncSession, user: User,
                          i18n: I18n, bot: Bot, callback_answer: CallbackAnswer) -> None:
    if callback_data.code not in SUPPORTED_LANGUAGES:
        notify(callback_answer, _("This button is out of date."), alert=True)
        return
    user.language = callback_data.code
    await session.commit()
    i18n.ctx_locale.set(callback_data.code)  # answer in the new language from this message on
    notify(callback_answer, LANGUAGE_NAMES[callback_data.code])
    role = await current_role(session, user)
    await set_user_commands(bot, i18n, user.id, role, callback_data.code)
    # The menu (or, before onboarding, the role choice) now in the new language, in place.
    await show_main_menu(query, session, user)
