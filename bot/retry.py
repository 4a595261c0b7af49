"""Handlers' requests and the bot's shared send budget.

Short flood waits are waited out, so a reply to a user is not lost to a 429 (aiogram would drop it); long ones
still raise. With a send budget (`limiter`, shared through Redis across instances and workers), a handler's
message also waits while a flood wait is in force anywhere in the bot, takes an overall permit (Telegram's
30/s counts replies and reminders alike), and a 429 it meets pauses every sender of the bot.
Callers with flood control of their own (the outbox sender) set `own_flood_control`: their requests pass
straight through and a 429 goes to them.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod

log = logging.getLogger(__name__)

#: Set by callers with flood control of their own (the reminder sender): 429 goes straight to them.
own_flood_control: ContextVar[bool] = ContextVar("own_flood_control", default=False)

#: Methods that Telegram counts as messages sent (the stand-in counts the same).
COUNTED_METHODS = frozenset({
    "sendMessage", "sendDocument", "sendPhoto", "sendVideo", "sendAudio", "sendVoice", "sendAnimation",
    "sendSticker", "sendMediaGroup", "sendLocation", "sendContact", "sendPoll", "copyMessage", "forwardMessage",
})


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(self, max_wait: float = 5.0, tries: int = 2, limiter=None) -> None:
        self.max_wait = max_wait
        self.tries = tries
        self.limiter = limiter

    async def __call__(self, make_request: NextRequestMiddlewareType[Any], bot: Bot,
                       method: TelegramMethod[Any]) -> Any:
        own = own_flood_control.get()
        for attempt in range(self.tries + 1):
            try:
                if self.limiter is not None and not own:
                    await self._wait_for_budget(method)
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if self.limiter is not None and not own:
                    await self.limiter.flood_wait(exc.retry_after)
                if attempt == self.tries or exc.retry_after > self.max_wait or own:
                    raise
                log.info("%s: flood wait %s s, retrying", type(method).__name__, exc.retry_after)
                if self.limiter is None:
                    await asyncio.sleep(exc.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _wait_for_budget(self, method: TelegramMethod[Any]) -> None:
        left = await self.limiter.flood_wait_left()
        if left > self.max_wait:
            raise TelegramRetryAfter(method=method, message="flood wait in force for the whole bot",
                                     retry_after=int(left + 0.999))
        if method.__api_method__ in COUNTED_METHODS:
            await self.limiter.acquire(None)  # waits out a short flood wait too
        elif left > 0:
            await asyncio.sleep(left)
