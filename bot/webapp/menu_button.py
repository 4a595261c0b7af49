"""The chat's menu button opens the Mini App for teachers (the grid) and parents (their children), set per
user with setChatMenuButton when WEBAPP_URL is set; others keep the default commands menu."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import MenuButtonWebApp, WebAppInfo
from aiogram.utils.i18n import gettext as _

from bot.keyboards.journal import webapp_page
from domain.roles import Role

log = logging.getLogger(__name__)

VIEWS = {Role.TEACHER: "grid", Role.CLASS_TEACHER: "grid", Role.PARENT: "child"}
#: user id -> (view, language) already set by this process: one Bot API call per change, not per menu shown.
_done: dict[int, tuple[str, str | None]] = {}
_DONE_LIMIT = 100_000


async def offer_menu_button(bot: Bot, user_id: int, role: Role | None, language: str | None,
                            webapp_url: str | None) -> None:
    view = VIEWS.get(role) if webapp_url and role is not None else None
    if view is None or _done.get(user_id) == (view, language):
        return
    text = _("📋 Grid") if view == "grid" else _("📅 This week")
    try:
        await bot.set_chat_menu_button(chat_id=user_id, menu_button=MenuButtonWebApp(
            text=text, web_app=WebAppInfo(url=webapp_page(webapp_url, view))))  # type: ignore[arg-type]
    except TelegramAPIError as exc:  # the menu still shows; the button is tried again next time
        log.warning("menu button for %s not set: %s", user_id, exc)
        return
    if len(_done) >= _DONE_LIMIT:
        _done.clear()
    _done[user_id] = (view, language)
