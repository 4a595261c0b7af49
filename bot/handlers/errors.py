"""Errors raised in handlers, in one place. A use case's refusal (`UseCaseError`) becomes a localized alert
on the pressed button (or a reply to a typed message) and nothing was written; a blocked user is marked; a
flood wait is logged; anything else gets a kind apology and a log line with the traceback. Never a crash of
the polling loop."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import ErrorEvent, TelegramObject, Update
from aiogram.types import User as TgUser
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18nMiddleware
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from usecases.clock import Clock
from usecases.errors import UseCaseError
from usecases.onboarding import note_blocked
from usecases.uow import UnitOfWork

log = logging.getLogger("bot.errors")


def refusal_text(exc: UseCaseError) -> str:
    """The user's language's text of a use case's refusal, filled with its data."""
    text = _(exc.text)
    try:
        return text.format(**exc.data) if exc.data else text
    except (KeyError, IndexError, ValueError):
        return text


def _sender(update: Update) -> TgUser | None:
    for candidate in (update.message, update.callback_query, update.my_chat_member):
        if candidate is not None and getattr(candidate, "from_user", None) is not None:
            return candidate.from_user
    return None


async def _refuse(update: Update, exc: UseCaseError) -> None:
    """A refusal on the spot: an alert on the pressed button, or a reply to the typed message."""
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(refusal_text(exc), show_alert=True)
        elif update.message is not None:
            await update.message.answer(refusal_text(exc))
    except Exception:  # the refusal itself failing (a stale query, a network error) must not escalate
        log.info("could not show refusal %s for update %s", exc.code, update.update_id)


async def _apologise(update: Update, user: TgUser) -> None:
    try:
        await update.bot.send_message(
            user.id, _("Sorry, something went wrong. Your data is safe; please try again or open /menu."))
    except Exception:
        log.debug("could not apologise to %s", user.id)


async def on_error(event: ErrorEvent, sessions: async_sessionmaker[AsyncSession], clock: Clock,
                   **data: Any) -> bool:
    update, exc, user = event.update, event.exception, _sender(event.update)
    if isinstance(exc, UseCaseError):
        # The error handler runs outside the locale middleware: take the user's language again.
        locales: I18nMiddleware | None = data.get("i18n_middleware")
        if locales is None:
            await _refuse(update, exc)
            return True
        with locales.i18n.use_locale(await locales.get_locale(update, data)):
            await _refuse(update, exc)
    elif isinstance(exc, TelegramForbiddenError):
        log.info("user %s blocked the bot; marked", user.id if user else "?")
        if user is not None:
            async with UnitOfWork(sessions) as uow:
                await note_blocked(uow, user.id, clock.now())
    elif isinstance(exc, TelegramRetryAfter):
        log.warning("flood control for update %s: retry after %s s; reply dropped", update.update_id,
                    exc.retry_after)
    else:
        log.exception("update %s failed", update.update_id, exc_info=exc)
        if user is not None:
            await _apologise(update, user)
    return True


class LeaveRefusalsUnanswered(BaseMiddleware):
    """Inside the automatic answer to a button press: a use case's refusal turns that answer off, so the
    press is still unanswered when `on_error` answers it with the alert (a press can be answered once)."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except UseCaseError:
            answer: CallbackAnswer | None = data.get("callback_answer")
            if answer is not None and not answer.answered:
                answer.disable()
            raise


def register_error_handlers(dp: Dispatcher) -> None:
    """The error handler, and (registered after the automatic answers, so inside them) the middleware that
    leaves a refused press for it to answer."""
    dp.callback_query.middleware(LeaveRefusalsUnanswered())
    dp.errors.register(on_error)
