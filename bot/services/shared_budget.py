"""One send budget for every bot instance and worker, kept in Redis.

Telegram's limits are per bot, not per process: about 30 messages a second overall, about one a second per
chat, and a 429's `retry_after` that applies to the whole bot. With several processes each pacing itself the
sum exceeds them, so the permits come from Redis:

- overall: a strict moving window of `window_limit` (floor(rate) - 1, 28 at 29/s) permits per second, and per
  chat one per second — `limits`' moving-window strategy (a Lua script over a Redis list: atomic across
  processes, the window counted in full, never approximated);
- even spacing across all processes: each overall permit reserves the next free slot of a schedule kept in
  Redis (one slot every 1/`window_limit` s, read against Redis's own clock), so three instances do not spend a
  second's permits in its first third and let jitter push a 31st message into it;
- a flood wait: a Redis key that lives `retry_after` seconds; every process waits while it exists.
"""

from __future__ import annotations

import asyncio
import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter


def limits_uri(redis_url: str) -> str:
    """`redis://host:port/db` as `limits` names its async redis-py storage."""
    scheme, rest = redis_url.split("://", 1)
    return f"async+{scheme}://{rest.split('?', 1)[0]}"


#: Reserve the next send slot: returns how many milliseconds to wait for it (Redis's clock, for every process).
NEXT_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1])), 'PX', 60000)
return tostring(slot - now)
"""


#: A slot woken more than this late (seconds) is given up for a new one: a process stalled for a moment (a busy
#: machine) would otherwise send every message whose slot passed meanwhile at once, 27 in 22 ms as measured.
LATE_SLOT = 0.025


class SharedRateLimiter:
    def __init__(self, redis_url: str, rate: float, *, prefix: str = "maktab", window_limit: int | None = None) -> None:
        import redis.asyncio as aioredis

        self.storage = RedisStorage(limits_uri(redis_url), implementation="redispy", key_prefix=f"{prefix}:limits")
        self.windows = MovingWindowRateLimiter(self.storage)
        # One permit under the in-process limiter's floor(rate): requests from several processes reach Telegram
        # with more jitter than one process's (measured: 31 in a second from three instances at 29 per second).
        self.overall = RateLimitItemPerSecond(window_limit or max(1, math.floor(rate) - 1), 1)
        self.per_chat = RateLimitItemPerSecond(1, 1)
        self.redis = aioredis.from_url(redis_url.split("?", 1)[0])
        self.pause_key = f"{prefix}:flood_wait"
        self.slot_key = f"{prefix}:next_slot"
        self.slot_ms = 1000.0 / self.overall.amount
        self.next_slot = self.redis.register_script(NEXT_SLOT)

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
        late = 0
        while True:
            left = await self.flood_wait_left()
            if left > 0:
                await asyncio.sleep(left)
                continue
            wait_ms = float(await self.next_slot(keys=[self.slot_key], args=[self.slot_ms]))
            if wait_ms > 0:
                due = time.monotonic() + wait_ms / 1000
                await asyncio.sleep(wait_ms / 1000)
                if time.monotonic() - due > LATE_SLOT and late < 3:
                    late += 1  # woken late (a stalled process): its waiters would go out in a burst; a new slot
                    continue
            # The overall permit is the last step before the request, so the pace Telegram sees is this one.
            if await self.windows.hit(self.overall, "all"):
                return
            await self._wait_for_room(self.overall, ("all",))

    async def _wait_for_room(self, item, identifiers: tuple[str, ...]) -> None:
        stats = await self.windows.get_window_stats(item, *identifiers)
        await asyncio.sleep(min(max(stats.reset_time - time.time(), 0.002), 1.0))

    async def close(self) -> None:
        await self.redis.aclose()
