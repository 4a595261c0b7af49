"""One send budget for every bot instance and worker, kept in Redis.

Telegram's limits are per bot, not per process: about 30 messages a second overall, about one a second per
chat, and a 429's `retry_after` that applies to the whole bot. With several processes each pacing itself the
sum exceeds them, so the permits come from Redis:

- overall: a strict moving window of `window_limit` (floor(rate) - 1, 28 at 29/s) permits per second, and per
  chat one per second — `limits`' moving-window strategy (a Lua script over a Redis list: atomic across
  processes, the window counted in full, never approximated);
- even spacing within each process by the in-process `RateLimiter` (no bunching of this process's permits);
- a flood wait: a Redis key that lives `retry_after` seconds; every process waits while it exists.
"""

from __future__ import annotations

import asyncio
import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from bot.services.rate_limit import RateLimiter


def limits_uri(redis_url: str) -> str:
    """`redis://host:port/db` as `limits` names its async redis-py storage."""
    scheme, rest = redis_url.split("://", 1)
    return f"async+{scheme}://{rest.split('?', 1)[0]}"


class SharedRateLimiter:
    def __init__(self, redis_url: str, rate: float, *, prefix: str = "maktab", window_limit: int | None = None) -> None:
        import redis.asyncio as aioredis

        self.storage = RedisStorage(limits_uri(redis_url), implementation="redispy", key_prefix=f"{prefix}:limits")
        self.windows = MovingWindowRateLimiter(self.storage)
        # One permit under the in-process limiter's floor(rate): requests from several processes reach Telegram
        # with more jitter than one process's (measured: 31 in a second from three instances at 29 per second).
        self.overall = RateLimitItemPerSecond(window_limit or max(1, math.floor(rate) - 1), 1)
        self.per_chat = RateLimitItemPerSecond(1, 1)
        # This process's own spacing; the chat rule is kept in Redis alone.
        self.local = RateLimiter(rate, per_chat_interval=0.0)
        self.redis = aioredis.from_url(redis_url.split("?", 1)[0])
        self.pause_key = f"{prefix}:flood_wait"

    async def flood_wait(self, seconds: float) -> None:
        """A 429's retry_after, for everyone: the key lives that long (extended, never shortened)."""
        ms = max(1, int(seconds * 1000))
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self.pause_key, "1", px=ms, nx=True)
            pipe.pexpire(self.pause_key, ms, gt=True)
            await pipe.execute()

    async def flood_wait_left(self) -> float:
        ms = await self.redis.pttl(self.pause_key)
        return ms / 1000 if ms and ms > 0 else 0.0

    async def acquire(self, chat_id: int | None) -> None:
        """Wait for a permit from the shared budget to send one message to `chat_id` (None: overall only)."""
        chat = ("chat", str(chat_id)) if chat_id is not None else None
        while chat is not None and not await self.windows.hit(self.per_chat, *chat):
            await self._wait_for_room(self.per_chat, chat)
        while True:
            left = await self.flood_wait_left()
            if left > 0:
                await asyncio.sleep(left)
                continue
            await self.local.acquire(None)
            # The overall permit is the last step before the request, so the pace Telegram sees is this one.
            if await self.windows.hit(self.overall, "all"):
                return
            await self._wait_for_room(self.overall, ("all",))

    async def _wait_for_room(self, item, identifiers: tuple[str, ...]) -> None:
        stats = await self.windows.get_window_stats(item, *identifiers)
        await asyncio.sleep(min(max(stats.reset_time - time.time(), 0.002), 1.0))

    async def close(self) -> None:
        await self.redis.aclose()
