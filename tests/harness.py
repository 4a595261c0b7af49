"""End-to-end harness: the real dispatcher against the Bot API stand-in (standin/), in this process.

In process (the default) each update the stand-in makes goes straight to `dispatcher.feed_update` and the
bot's requests go to the stand-in without sockets (``standin.session``); a stand-in already serving HTTP
(`api=` one that was started) is polled and reached over HTTP instead, as in production. `clock=` gives the
bot a clock the test moves (`usecases.clock.FakeClock`). The dispatcher reports each update it handled,
so `user.wait_idle()` ends the moment the bot is done, and every wait here wakes when the bot acts."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.factory import App, build_app, create_bot
from standin import BotAPIStandin, StandinUser
from standin.session import IN_PROCESS_BASE, connect, feed, track
from storage.db import create_engine, migrate
from usecases.clock import SYSTEM_CLOCK, Clock

TOKEN = "123456:TEST-TOKEN"
SQLITE_PREFIX = "sqlite+aiosqlite:///"
_schema: list[Path] = []  # the SQLite file migrated once in this process


async def _start_from_schema(database_url: str) -> None:
    """A new SQLite database starts as a copy of one migrated once per process: the bot then finds its schema
    up to date (migrating each test's database from nothing cost about 0.15 s a test)."""
    if not database_url.startswith(SQLITE_PREFIX) or Path(database_url.removeprefix(SQLITE_PREFIX)).exists():
        return
    if not _schema:
        folder = Path(tempfile.mkdtemp(prefix="maktab-schema-"))
        atexit.register(shutil.rmtree, folder, True)
        engine = create_engine(sqlite_url(folder / "schema.db"))
        await migrate(engine)
        await engine.dispose()
        _schema.append(folder / "schema.db")
    with contextlib.closing(sqlite3.connect(_schema[0])) as source, \
            contextlib.closing(sqlite3.connect(database_url.removeprefix(SQLITE_PREFIX))) as copy:
        source.backup(copy)


@dataclass
class Harness:
    api: BotAPIStandin
    app: App
    bot: Bot
    polling: asyncio.Task | None
    owns_api: bool = True
    fed: set[asyncio.Task] | None = None  # updates being handled, in process

    @property
    def clock(self) -> Clock:
        """The bot's clock (a `FakeClock` when the test gave one, to move with `advance`)."""
        return self.app.clock

    @classmethod
    async def start(cls, database_url: str, *, api: BotAPIStandin | None = None, poll: bool = True,
                    clock: Clock = SYSTEM_CLOCK, **overrides) -> Harness:
        """`api`: share another instance's stand-in; `poll=False`: an instance that only runs jobs
        (two pollers on one token knock each other out with 409, as on Telegram)."""
        owns_api = api is None
        api = api or BotAPIStandin(TOKEN)
        await _start_from_schema(database_url)
        settings = Settings(bot_token=TOKEN, bot_api_url=api.base_url if api.started else IN_PROCESS_BASE,
                            database_url=database_url, scheduler_enabled=False, _env_file=None, **overrides)
        app = await build_app(settings, clock=clock)
        bot = create_bot(settings)
        dp = app.dispatcher
        polling = fed = None
        if not api.started:
            connect(bot, api)
            if poll:
                api.allowed_updates = dp.resolve_used_update_types()
                fed = feed(dp, bot, api)
        elif poll:
            track(dp, api)
            polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=10,
                                                           close_bot_session=False,
                                                           allowed_updates=dp.resolve_used_update_types()))
        return cls(api=api, app=app, bot=bot, polling=polling, owns_api=owns_api, fed=fed)

    async def stop(self) -> None:
        if self.fed:
            await asyncio.wait(set(self.fed), timeout=5)
        if self.api._feed is not None and self.fed is not None:
            self.api._feed = None
        if self.polling is not None:
            try:
                await self.app.dispatcher.stop_polling()
            except RuntimeError:  # not polling yet
                self.polling.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self.polling, 5)
        await self.bot.session.close()
        await self.app.close()
        if self.owns_api:
            await self.api.stop()

    def user(self, user_id: int, first_name: str = "Test", *, language_code: str | None = "ru") -> StandinUser:
        return self.api.user(user_id, first_name, language_code=language_code)

    @contextlib.asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        async with self.app.sessions() as session:
            yield session
            await session.commit()


async def say(user: StandinUser, text: str, *, timeout: float = 5.0):
    """Send a message and return the bot's first answer to it."""
    await user.send(text)
    return await user.wait_for(timeout=timeout)


async def press(user: StandinUser, button: str | int, *, timeout: float = 5.0):
    """Press a button and return the first new or edited bot message."""
    await user.click(button)
    return await user.wait_for(timeout=timeout)


def school_lesson_day(zone: str = "Asia/Tashkent") -> date:
    """The demo school's latest day with lessons (Monday to Friday) up to its local today. Seeding the demo
    with it as `today` leaves that day's journal empty for a test to fill, whatever the day of the week and
    whichever side of midnight UTC the run falls on."""
    from domain.countries import local_day

    today = local_day(zone, SYSTEM_CLOCK.now())
    return today - timedelta(days=max(today.weekday() - 4, 0))


def sqlite_url(path: Path) -> str:
    return f"{SQLITE_PREFIX}{path}"


def find_button(user: StandinUser, prefix: str) -> tuple[str, str]:
    """(text, callback_data) of the first button whose data starts with `prefix`, newest message first."""
    for message in reversed(user.bot_messages()):
        for row in message.inline_buttons():
            for button in row:
                data = button.get("callback_data") or ""
                if data.startswith(prefix):
                    return button["text"], data
    raise AssertionError(f"no button with data {prefix!r}; chat:\n{user.transcript(last=4)}")


async def wait_button(user: StandinUser, prefix: str, *, timeout: float = 5.0) -> tuple[str, str]:
    """Like find_button, waiting until the bot has shown such a button."""

    def shown() -> bool:
        try:
            find_button(user, prefix)
        except AssertionError:
            return False
        return True

    with contextlib.suppress(AssertionError):  # timed out: find_button says what the chat shows
        await user.server.wait_until(shown, timeout=timeout)
    return find_button(user, prefix)


async def press_data(user: StandinUser, prefix: str, *, timeout: float = 5.0):
    """Press the button whose callback data starts with `prefix` (labels differ per language)."""
    text, data = await wait_button(user, prefix, timeout=timeout)
    for message in reversed(user.bot_messages()):
        if any(b.get("callback_data") == data for row in message.inline_buttons() for b in row):
            await user.click(text, message=message)
            break
    return await user.wait_for(timeout=timeout)


async def answer_of(user: StandinUser, query_id: str, *, timeout: float = 5.0):
    """The answerCallbackQuery for a button press, waiting for it (every press must be answered)."""
    try:
        await user.server.wait_until(lambda: user.answered(query_id) is not None, timeout=timeout)
    except AssertionError:
        raise AssertionError(f"button press {query_id} was never answered") from None
    return user.answered(query_id)


def has_data(prefix: str):
    """A wait_for predicate: a message with a button whose callback data starts with `prefix`."""
    return lambda m: any((b.get("callback_data") or "").startswith(prefix)
                         for row in m.inline_buttons() for b in row)
