"""Errors raised in handlers: a blocked user is marked, a flood wait is logged, anything else gets a kind
answer and a log line with the traceback. Never a crash of the polling loop."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiogram import Dispatcher
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories.users import mark_blocked

log = logging.getLogger("bot.errors")


def register_error_handlers(dp: Dispatcher) -> None:
    @dp.errors()
    async def on_error(event: ErrorEvent, sessions: async_sessionmaker[AsyncSession]) -> bool:
        update = event.update
        user = None
        for candidate in (update.message, update.callback_query, update.my_chat_member):
            if candidate is not None and getattr(candidate, "from_user", None) is not None:
                user = candidate.from_user
                break
        exc = event.exception
        if isinstance(exc, TelegramForbiddenError):
            log.info("user %s blocked the bot; marked", user.id if user else "?")
            if user is not None:
                async with sessions() as session:
                    await mark_blocked(session, user.id, datetime.now(UTC))
                    await session.commit()
            return True
        if isinstance(exc, TelegramRetryAfter):
            log.warning("flood control for update %s: retry after %s s; reply dropped",
                        update.update_id, exc.retry_after)
            return True
        log.exception("update %s failed", update.update_id, exc_info=exc)
        if user is not None:
            try:
                await event.update.bot.send_message(
                    user.id, _("Sorry, something went wrong. Your data is safe; please try again or open /menu."))
            except Exception:
                log.debug("could not apologise to %s", user.id)
        return True
