"""End-to-end harness: the real dispatcher polls the Bot API stand-in over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.factory import App, build_app, create_bot
from bot.standin.server import BotAPIStandin, StandinUser

TOKEN = "123456:TEST-TOKEN"


@dataclass
class Harness:
    api: BotAPIStandin
    app: App
    bot: Bot
    polling: asyncio.Task | None
    owns_api: bool = True

    @classmethod
    async def start(cls, database_url: str, *, api: BotAPIStandin | None = None, poll: bool = True,
                    **overrides) -> Harness:
        """`api`: share another instance's stand-in; `poll=False`: an instance that only runs jobs
        (two pollers on one token knock each other out with 409, as on Telegram)."""
        owns_api = api is None
        if api is None:
            api = BotAPIStandin(TOKEN)
            await api.start()
        settings = Settings(bot_token=TOKEN, bot_api_url=api.base_url, database_url=database_url,
                            scheduler_enabled=False, _env_file=None, **overrides)
        app = await build_app(settings)
        bot = create_bot(settings)
        dp = app.dispatcher
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1,
                                                       allowed_updates=dp.resolve_used_update_types())) \
            if poll else None
        return cls(api=api, app=app, bot=bot, polling=polling, owns_api=owns_api)

    async def stop(self) -> None:
        if self.polling is not None:
            with contextlib.suppress(RuntimeError):
                await self.app.dispatcher.stop_polling()
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


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


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
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return find_button(user, prefix)
        except AssertionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.02)


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
    deadline = asyncio.get_running_loop().time() + timeout
    while (call := user.answered(query_id)) is None:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"button press {query_id} was never answered")
        await asyncio.sleep(0.02)
    return call


def has_data(prefix: str):
    """A wait_for predicate: a message with a button whose callback data starts with `prefix`."""
    return lambda m: any((b.get("callback_data") or "").startswith(prefix)
                         for row in m.inline_buttons() for b in row)
