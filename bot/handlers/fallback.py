"""Last router: unknown commands, text where a button was expected, stale or forged buttons."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.keyboards.common import nav_row
from bot.ui import notify

log = logging.getLogger(__name__)


async def unknown_command(message: Message) -> None:
    await message.answer(_("I don't know this command. See /help or open the /menu."),
                         reply_markup=nav_row(InlineKeyboardBuilder()).as_markup())


async def unexpected_message(message: Message) -> None:
    await message.answer(_("Please use the buttons. Open the /menu to start again."),
                         reply_markup=nav_row(InlineKeyboardBuilder()).as_markup())


async def stale_button(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    log.info("stale or unknown callback from %s: %r", query.from_user.id, query.data)
    notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(unexpected_message)
    router.callback_query.register(stale_button)
    return router
