"""The one place that paces outgoing messages: Telegram allows about 30 messages a second per bot and
about one a second per chat, and answers 429 with `retry_after` beyond that.

`RateLimiter.acquire(chat_id)` hands out send permits on an even schedule of `rate` per second, at most one
per `per_chat_interval` to a chat, and none while a flood wait is in force (`pause`, after a 429, holds back
every sender in the process).

The schedule is a "theoretical arrival time" (as in GCRA): a permit granted a little late (the event loop
was busy) does not push the following ones back, so the average pace stays at `rate`; but no two permits
are closer than `min_gap`, and a sender more than `max_lag` behind the schedule starts afresh instead of
catching up with a burst. So any one-second window holds at most about `rate` + 1 sends: choose `rate` a
little under the limit (the stand-in's 30/s is kept at 29/s without a single 429).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, rate: float, *, per_chat_interval: float = 1.05,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.min_gap = 0.75 * self.interval
        self.max_lag = 0.5 * self.interval
        self.per_chat_interval = per_chat_interval
        self._clock = clock
        self._scheduled = 0.0   # when the next permit is due on the even schedule
        self._last = float("-inf")
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

    async def acquire(self, chat_id: int) -> None:
        """Wait for a permit to send one message to `chat_id`."""
        while True:
            now = self._clock()
            if now - self._scheduled > self.max_lag:
                self._scheduled = now  # idle, paused or far behind: start the schedule afresh
            ready = max(self._scheduled, self._last + self.min_gap, self._paused_until,
                        self._chat_next.get(chat_id, 0.0))
            if ready > now:
                await asyncio.sleep(ready - now)
                continue
            self._scheduled += self.interval
            self._last = now
            self._chat_next[chat_id] = now + self.per_chat_interval
            if len(self._chat_next) > 10_000:
                self._chat_next = {chat: t for chat, t in self._chat_next.items() if t > now}
            return
