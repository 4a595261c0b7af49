"""Webhook mode behind several instances: an update delivered twice has its effect once.

Telegram retries a webhook request that was not answered in time, possibly to another instance. So each
update id is entered in a ledger before the update is fed to the dispatcher (Redis `SET NX EX`, shared by
every instance; in-process without Redis):

- new: this instance handles it; the entry says "busy" for BUSY_SECONDS and is renewed while the handler
  runs, then says "done" for DONE_SECONDS;
- done: answered 200 at once, nothing runs again;
- busy: another instance is on it right now: answered 503, so Telegram asks again later. If that instance
  died (SIGKILL) its entry lapses within BUSY_SECONDS and the next retry handles the update: an update is
  neither doubled nor lost to a crash.

The update is answered only after it was handled (not in the background): an instance killed mid-update
has not answered, and Telegram delivers it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, Protocol

from aiogram import Bot
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

BUSY_SECONDS = 15
DONE_SECONDS = 3600


class UpdateLedger(Protocol):
    async def begin(self, update_id: int) -> str: ...  # "new", "busy" or "done"

    async def renew(self, update_id: int) -> None: ...

    async def finish(self, update_id: int) -> None: ...

    async def forget(self, update_id: int) -> None: ...


class RedisUpdateLedger:
    def __init__(self, redis_url: str, bot_id: int, prefix: str = "maktab") -> None:
        import redis.asyncio as aioredis

        self.redis = aioredis.from_url(redis_url.split("?", 1)[0])
        self.prefix = f"{prefix}:update:{bot_id}:"

    async def begin(self, update_id: int) -> str:
        key = self.prefix + str(update_id)
        if await self.redis.set(key, "busy", nx=True, ex=BUSY_SECONDS):
            return "new"
        state = await self.redis.get(key)
        return "done" if state == b"done" else "busy" if state else await self.begin(update_id)

    async def renew(self, update_id: int) -> None:
        await self.redis.expire(self.prefix + str(update_id), BUSY_SECONDS)

    async def finish(self, update_id: int) -> None:
        await self.redis.set(self.prefix + str(update_id), "done", ex=DONE_SECONDS)

    async def forget(self, update_id: int) -> None:
        await self.redis.delete(self.prefix + str(update_id))

    async def close(self) -> None:
        await self.redis.aclose()


class MemoryUpdateLedger:
    """One instance without Redis: the same ledger in a dict with expiry times."""

    def __init__(self) -> None:
        self.entries: dict[int, tuple[str, float]] = {}

    def _set(self, update_id: int, state: str, seconds: float) -> None:
        now = time.monotonic()
        if len(self.entries) > 100_000:
            self.entries = {k: v for k, v in self.entries.items() if v[1] > now}
        self.entries[update_id] = (state, now + seconds)

    async def begin(self, update_id: int) -> str:
        state, until = self.entries.get(update_id, ("", 0.0))
        if until > time.monotonic():
            return state
        self._set(update_id, "busy", BUSY_SECONDS)
        return "new"

    async def renew(self, update_id: int) -> None:
        self._set(update_id, "busy", BUSY_SECONDS)

    async def finish(self, update_id: int) -> None:
        self._set(update_id, "done", DONE_SECONDS)

    async def forget(self, update_id: int) -> None:
        self.entries.pop(update_id, None)

    async def close(self) -> None:
        return None


def ledger_for(settings, bot_id: int) -> RedisUpdateLedger | MemoryUpdateLedger:
    if settings.redis_url:
        return RedisUpdateLedger(settings.redis_url, bot_id, settings.redis_prefix)
    return MemoryUpdateLedger()


class DedupRequestHandler(SimpleRequestHandler):
    """aiogram's webhook handler with the ledger in front of the dispatcher."""

    def __init__(self, *args: Any, ledger: UpdateLedger, **kwargs: Any) -> None:
        super().__init__(*args, handle_in_background=False, **kwargs)
        self.ledger = ledger

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        update = await request.json(loads=bot.session.json_loads)
        update_id = update.get("update_id")
        state = await self.ledger.begin(update_id)
        if state == "done":
            return web.json_response({})
        if state == "busy":
            return web.Response(status=503, text="this update is being handled; try again later")
        renewing = asyncio.create_task(self._keep_busy(update_id))
        try:
            result = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        except BaseException:
            await self.ledger.forget(update_id)  # not handled: a retry may handle it
            raise
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        await self.ledger.finish(update_id)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))

    async def _keep_busy(self, update_id: int) -> None:
        while True:
            await asyncio.sleep(BUSY_SECONDS / 3)
            await self.ledger.renew(update_id)
