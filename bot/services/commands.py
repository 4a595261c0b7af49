"""The bot's command menu, per language and per role (chat scope)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from bot.config import SUPPORTED_LANGUAGES
from domain.roles import Role

log = logging.getLogger(__name__)


def _commands(i18n: I18n, lang: str, role: Role | None) -> list[BotCommand]:
    def _(text: str) -> str:  # the catalogue of the given language, not the current user's
        return i18n.gettext(text, locale=lang)

    items: list[tuple[str, str]] = [("menu", _("Main menu"))]
    if role in (Role.TEACHER, Role.CLASS_TEACHER, Role.ADMIN):
        items += [("course", _("The course, lesson by lesson")), ("exam", _("The final exam")),
                  ("certificate", _("My certificate"))]
    if role is Role.CLASS_TEACHER:
        items += [("codes", _("Invite codes for parents"))]
    if role in (Role.TEACHER, Role.CLASS_TEACHER):
        items += [("journal", _("Fill in the journal"))]
    if role is Role.CLASS_TEACHER:
        items += [("class", _("My class at a glance"))]
    if role is Role.PARENT:
        items += [("children", _("My children's grades and attendance"))]
    if role in (Role.ADMIN, Role.SUPERVISOR):
        items += [("reports", _("Reports: certification, journal, decree 263"))]
    if role is not None:
        items += [("reminders", _("Reminder settings"))]
    items += [("verify", _("Check a certificate")), ("language", _("Change language")),
              ("help", _("What the bot can do")), ("start", _("Start again"))]
    return [BotCommand(command=c, description=d) for c, d in items]


async def set_default_commands(bot: Bot, i18n: I18n) -> None:
    for lang in SUPPORTED_LANGUAGES:
        await bot.set_my_commands(_commands(i18n, lang, None), scope=BotCommandScopeDefault(),
                                  language_code=lang)
    await bot.set_my_commands(_commands(i18n, "ru", None), scope=BotCommandScopeDefault())


async def set_user_commands(bot: Bot, i18n: I18n, chat_id: int, role: Role | None, lang: str) -> None:
    """A user's own command list follows their role and language."""
    try:
        await bot.set_my_commands(_commands(i18n, lang, role), scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError as exc:  # the menu is a convenience: never fail the update for it
        log.warning("set_my_commands for %s failed: %s", chat_id, exc)
