"""Outer middlewares: a database session per update, then the user row (before the locale is chosen)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TgUser
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import language_from_telegram
from storage.models import User
from storage.repositories.users import RecentUsers, get_or_create_user, mark_seen
from usecases.foreground import Foreground
from usecases.uow import UnitOfWork

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ForegroundMiddleware(BaseMiddleware):
    """Counts the updates in flight, for the background work that gives way to them (usecases.foreground)."""

    def __init__(self, foreground: Foreground) -> None:
        self.foreground = foreground

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        with self.foreground.serving():
            return await handler(event, data)


class DbSessionMiddleware(BaseMiddleware):
    """One session per update, handed to handlers as a unit of work (`uow`) that the use case commits once.
    Whatever was not committed by then is rolled back when the update is done (handlers never commit)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self.sessions() as session:
            data["session"] = session
            data["uow"] = UnitOfWork.over(session)
            return await handler(event, data)


class UserMiddleware(BaseMiddleware):
    """Loads (or creates) the user before the i18n middleware, so the stored language wins. A row read in the
    last seconds serves the same user's next updates without a query (`RecentUsers`), except where several
    instances share the database (`REDIS_URL` set), since another instance's change would not reach it."""

    def __init__(self, recent: RecentUsers | None = None) -> None:
        self.recent = recent or RecentUsers()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is not None and not tg_user.is_bot:
            shared = getattr(data.get("settings"), "redis_url", None)
            data["user"] = await self._user(tg_user, data["session"], data["clock"].now(),
                                            None if shared else self.recent)
        return await handler(event, data)

    async def _user(self, tg_user: TgUser, session: AsyncSession, now: datetime, recent: RecentUsers | None) -> User:
        user = recent.attach(session, tg_user.id) if recent is not None else None
        if user is None:
            since = RecentUsers.stamp()
            user = await get_or_create_user(session, tg_user.id, tg_name=tg_user.full_name,
                                            username=tg_user.username, now=now,
                                            language=language_from_telegram(tg_user))
            if user.language is None:
                # Messages the bot sends on its own (a certificate to the head, reminders) need a language
                # before the user ever opens /language: their Telegram client's, if we speak it.
                user.language = language_from_telegram(tg_user)
            if session.new or session.dirty:
                # A new user is written at once, whatever the handler below does.
                await session.commit()
            await mark_seen(session, user, now)
            if recent is not None:
                recent.keep(user, since)
        elif await mark_seen(session, user, now):
            recent.forget(user.id)  # its last visit moved: read the row again next time (once an hour)
        return user
