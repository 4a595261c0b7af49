"""Short flood waits are waited out, so a reply to a user is not lost to a 429 (aiogram would drop it).
Long ones still raise: the reminder sender pauses everyone on those through its rate limiter."""

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


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(self, max_wait: float = 5.0, tries: int = 2) -> None:
        self.max_wait = max_wait
        self.tries = tries

    async def __call__(self, make_request: NextRequestMiddlewareType[Any], bot: Bot,
                       method: TelegramMethod[Any]) -> Any:
        for attempt in range(self.tries + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self.tries or exc.retry_after > self.max_wait or own_flood_control.get():
                    raise
                log.info("%s: flood wait %s s, retrying", type(method).__name__, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover
