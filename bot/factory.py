"""One place that builds the bot, the dispatcher and their dependencies: for `main`, the console and tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.utils.callback_answer import CallbackAnswerMiddleware
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import UserLocaleMiddleware, create_i18n
from bot.middlewares import DbSessionMiddleware, ForegroundMiddleware, UserMiddleware
from bot.retry import RetryAfterMiddleware
from bot.services.rate_limit import SendBudget, build_limiter
from content.catalogue import catalogue
from storage.db import create_engine, migrate, session_factory
from usecases.clock import SYSTEM_CLOCK, Clock
from usecases.foreground import Foreground

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    i18n: I18n
    dispatcher: Dispatcher
    extras: dict = field(default_factory=dict)
    clock: Clock = SYSTEM_CLOCK

    async def close(self) -> None:
        limiter = self.extras.get("rate_limiter")
        if hasattr(limiter, "close"):
            await limiter.close()  # the shared budget's Redis connections
        await self.dispatcher.storage.close()
        await self.engine.dispose()


def create_bot(settings: Settings, *, limiter: SendBudget | None = None) -> Bot:
    """`limiter`: the send budget that handlers' messages honour too (the runner passes the app's)."""
    if settings.bot_token is None:
        raise RuntimeError("BOT_TOKEN is not set")
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_url)) if settings.bot_api_url \
        else AiohttpSession()
    session.middleware(RetryAfterMiddleware(limiter=limiter))
    return Bot(settings.bot_token.get_secret_value(), session=session,
               default=DefaultBotProperties(parse_mode=None, link_preview_is_disabled=True))


def create_storage(settings: Settings) -> BaseStorage:
    """Conversation state: in Redis (under `REDIS_PREFIX`, so installs and test runs sharing a server stay
    apart) when `REDIS_URL` is set, else in memory."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage

        return RedisStorage.from_url(settings.redis_url,
                                     key_builder=DefaultKeyBuilder(prefix=f"{settings.redis_prefix}:fsm"))
    return MemoryStorage()


def build_dispatcher(settings: Settings, sessions: async_sessionmaker[AsyncSession], i18n: I18n,
                     storage: BaseStorage | None = None, clock: Clock = SYSTEM_CLOCK,
                     foreground: Foreground | None = None) -> Dispatcher:
    """`clock` reaches every handler as `clock` (use cases take `clock.now()`); `foreground` counts the
    updates in flight (the planner gives way to them)."""
    from bot.handlers import routers
    from bot.handlers.errors import register_error_handlers

    dp = Dispatcher(storage=storage or create_storage(settings), settings=settings, sessions=sessions, i18n=i18n,
                    clock=clock)
    if foreground is not None:
        dp.update.outer_middleware(ForegroundMiddleware(foreground))
    dp.update.outer_middleware(DbSessionMiddleware(sessions))
    dp.update.outer_middleware(UserMiddleware())
    UserLocaleMiddleware(i18n).setup(dp)
    dp.callback_query.middleware(CallbackAnswerMiddleware())
    dp.include_routers(*routers())
    register_error_handlers(dp)
    return dp


async def build_app(settings: Settings, *, storage: BaseStorage | None = None, clock: Clock = SYSTEM_CLOCK) -> App:
    """Migrate the database, load and validate the courses, build the dispatcher."""
    catalogue()  # fail fast on broken course files
    engine = create_engine(settings.database_url)
    await migrate(engine)
    sessions = session_factory(engine)
    i18n = create_i18n(settings.default_language)
    foreground = Foreground()
    dp = build_dispatcher(settings, sessions, i18n, storage, clock, foreground)
    return App(settings=settings, engine=engine, sessions=sessions, i18n=i18n, dispatcher=dp,
               extras={"rate_limiter": build_limiter(settings), "foreground": foreground}, clock=clock)
