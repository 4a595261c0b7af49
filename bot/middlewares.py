"""Outer middlewares: a database session per update, then the user row (before the locale is chosen)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TgUser
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import language_from_telegram
from storage.repositories.users import get_or_create_user, mark_seen
from usecases.uow import UnitOfWork

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    """One session per update, handed to handlers as a unit of work (`uow`) that the use case commits;
    committed when the handler returns, rolled back when it raises."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessions() as session:
            data["session"] = session
            data["uow"] = UnitOfWork.over(session)
            result = await handler(event, data)
            await session.commit()
            return result


class UserMiddleware(BaseMiddleware):
    """Loads (or creates) the user before the i18n middleware, so the stored language wins."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is not None and not tg_user.is_bot:
            session: AsyncSession = data["session"]
            user = data["user"] = await get_or_create_user(
                session, tg_user.id, tg_name=tg_user.full_name, username=tg_user.username, now=data["clock"].now()
            )
            if user.language is None:
                # Messages the bot sends on its own (a certificate to the head, reminders) need a language
                # before the user ever opens /language: their Telegram client's, if we speak it.
                user.language = language_from_telegram(tg_user)
            if session.new or session.dirty:
                # A new user is written at once, whatever the handler below does.
                await session.commit()
            await mark_seen(session, user, data["clock"].now())
        return await handler(event, data)
