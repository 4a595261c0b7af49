"""aiogram glue: a session that hands requests to the stand-in in this process, and a dispatcher that reports
each update it handled (so waiting for the bot ends the moment it is done, not after a quiet time)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile, Update

if TYPE_CHECKING:
    from standin.server import BotAPIStandin

#: Never resolved: requests go to the stand-in object, not to this address.
IN_PROCESS_BASE = "http://standin.invalid"


class StandinSession(BaseSession):
    """An aiogram session whose requests are answered by a stand-in in this process: no sockets, no HTTP.

    Each request is encoded as aiogram's own HTTP session encodes it (``prepare_value``) and decoded as the
    stand-in decodes a form, so the bot's requests look the same either way."""

    def __init__(self, standin: BotAPIStandin, **kwargs: Any) -> None:
        super().__init__(api=TelegramAPIServer.from_base(IN_PROCESS_BASE), **kwargs)
        self.standin = standin

    async def close(self) -> None:
        """Nothing to close."""

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:
        uploads: dict[str, InputFile] = {}
        fields: dict[str, str] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=uploads)
            if prepared:
                fields[key] = prepared

        async def read() -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
            parts = {key: (upload.filename or key, b"".join([chunk async for chunk in upload.read(bot)]))
                     for key, upload in uploads.items()}
            return self.standin.decode_fields(fields, parts)

        status, body = await self.standin.answer(bot.token, method.__api_method__, read)
        response = self.check_response(bot=bot, method=method, status_code=status, content=json.dumps(body))
        return response.result  # type: ignore[return-value]

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
                             chunk_size: int = 65536, raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        prefix = f"{IN_PROCESS_BASE}/file/bot{self.standin.token}/"
        stored = self.standin.download(url.removeprefix(prefix)) if url.startswith(prefix) else None
        if stored is None:
            raise FileNotFoundError(url)
        for start in range(0, len(stored.content), chunk_size):
            yield stored.content[start : start + chunk_size]


def connect(bot: Bot, standin: BotAPIStandin) -> Bot:
    """Point ``bot`` at the stand-in in this process; the request middlewares of its session are kept."""
    session = StandinSession(standin, timeout=bot.session.timeout)
    session.middleware = bot.session.middleware
    bot.session = session
    return bot


def track(dispatcher: Dispatcher, standin: BotAPIStandin) -> None:
    """Report to the stand-in each update this dispatcher finished handling (handler returned or raised)."""
    feed_update = dispatcher.feed_update

    async def feed_and_report(bot: Bot, update: Update, **kwargs: Any) -> Any:
        try:
            return await feed_update(bot, update, **kwargs)
        finally:
            standin.handled(update.update_id)

    dispatcher.feed_update = feed_and_report  # type: ignore[method-assign]
    standin._tracked = True


def feed(dispatcher: Dispatcher, bot: Bot, standin: BotAPIStandin) -> set[asyncio.Task[Any]]:
    """Hand each update the stand-in makes straight to ``dispatcher.feed_update`` (as a task, as polling
    does), instead of queueing it for getUpdates; the update is reported handled when it is. Returns the set
    of updates still being handled (to wait for, or cancel, at the end)."""
    track(dispatcher, standin)
    running: set[asyncio.Task[Any]] = set()

    def deliver(raw: dict[str, Any]) -> None:
        update = Update.model_validate(raw, context={"bot": bot})
        task = asyncio.get_running_loop().create_task(dispatcher.feed_update(bot, update))
        running.add(task)
        task.add_done_callback(running.discard)

    standin._feed = deliver
    return running
