"""The one place that paces outgoing messages: Telegram allows about 30 messages a second per bot and
about one a second per chat, and answers 429 with `retry_after` beyond that.

`RateLimiter.acquire(chat_id)` hands out send permits on an even schedule of `rate` per second, at most one
per `per_chat_interval` to a chat, and none while a flood wait is in force (`pause`, after a 429, holds back
every sender in the process). `acquire(None)` takes an overall permit only (a handler's reply).

The schedule is a "theoretical arrival time" (as in GCRA): a permit granted a little late (the event loop
was busy) does not push the following ones back, so the average pace stays at `rate`. Catching up must not
bunch permits, though: at the default 29/s two bunched permits let 30 requests into one second, and under
load Telegram answered 429 (1 in 10,000 sends on a quiet machine, 178 under load). So a log of the last
`window_limit` permits (floor(rate), 29 at 29/s) is kept and no permit is granted while the log's oldest is
less than `window` (1 s) old: no sliding one-second window ever holds more than `window_limit` permits, one
under Telegram's 30, which is the margin for the network's jitter.

Several processes share one budget through `SharedRateLimiter` (bot/services/shared_budget.py) when
`REDIS_URL` is set; `build_limiter(settings)` picks one.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol


class SendBudget(Protocol):
    """What the senders need from a limiter: permits, and a flood wait that holds everyone back."""

    async def acquire(self, chat_id: int | None) -> None: ...

    async def flood_wait(self, seconds: float) -> None: ...

    async def flood_wait_left(self) -> float: ...


class RateLimiter:
    """The in-process budget (one process sends, or no Redis)."""

    def __init__(self, rate: float, *, per_chat_interval: float = 1.05, window: float = 1.0,
                 window_limit: int | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.min_gap = 0.75 * self.interval
        self.max_lag = 0.5 * self.interval
        self.per_chat_interval = per_chat_interval
        self.window = window
        self.window_limit = window_limit or max(1, math.floor(rate * window))
        self._clock = clock
        self._sleep = sleep
        self._scheduled = 0.0   # when the next permit is due on the even schedule
        self._last = float("-inf")
        self._recent: deque[float] = deque(maxlen=self.window_limit)
        self._paused_until = 0.0
        self._chat_next: dict[int, float] = {}

    @property
    def rate(self) -> float:
        return 1.0 / self.interval

    def pause(self, seconds: float) -> None:
        """A flood wait (429 retry_after): no permit is handed out for `seconds` from now."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    async def flood_wait(self, seconds: float) -> None:
        self.pause(seconds)

    async def flood_wait_left(self) -> float:
        return self.paused_for()

    def ready_at(self, chat_id: int | None, now: float) -> float:
        """The earliest moment a permit for `chat_id` may be granted."""
        full = len(self._recent) == self.window_limit
        return max(self._scheduled, self._last + self.min_gap, self._paused_until,
                   self._recent[0] + self.window if full else 0.0,
                   self._chat_next.get(chat_id, 0.0) if chat_id is not None else 0.0)

    async def acquire(self, chat_id: int | None) -> None:
        """Wait for a permit to send one message to `chat_id` (None: the overall budget only)."""
        while True:
            now = self._clock()
            if now - self._scheduled > self.max_lag:
                self._scheduled = now  # idle, paused or far behind: start the schedule afresh
            ready = self.ready_at(chat_id, now)
            if ready > now:
                await self._sleep(ready - now)
                continue
            self._scheduled += self.interval
            self._last = now
            self._recent.append(now)
            if chat_id is not None:
                self._chat_next[chat_id] = now + self.per_chat_interval
                if len(self._chat_next) > 10_000:
                    self._chat_next = {chat: t for chat, t in self._chat_next.items() if t > now}
            return


def build_limiter(settings) -> SendBudget:
    """Redis-shared when REDIS_URL is set (every instance and worker draws from one budget), else in-process."""
    if settings.redis_url:
        from bot.services.shared_budget import SharedRateLimiter

        return SharedRateLimiter(settings.redis_url, settings.broadcast_rate, prefix=settings.redis_prefix)
    return RateLimiter(settings.broadcast_rate)
