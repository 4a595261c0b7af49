"""The send budget: the in-process limiter on a fake clock (no one-second window ever over the limit, the pace
still ≥ 95 % of Telegram's 30/s), and the Redis-shared budget across two limiters (two processes' worth)."""

from __future__ import annotations

import asyncio
import random
import time
import uuid

import pytest

from bot.services.rate_limit import RateLimiter
from tests.conftest import REDIS_UP


class FakeTime:
    """A clock that moves only when a sender sleeps or works; every wake-up comes up to `late` seconds late
    (a busy event loop), which is what made the old limiter bunch permits."""

    def __init__(self, seed: int, late: float) -> None:
        self.now = 0.0
        self.rng = random.Random(seed)
        self.late = late

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self.rng.uniform(0, self.late)
        await asyncio.sleep(0)


def busiest_window(stamps: list[float], window: float = 1.0) -> int:
    """Most permits in any half-open window of `window` seconds (as the stand-in and Telegram count)."""
    best, start = 0, 0
    for end, moment in enumerate(stamps):
        while moment - stamps[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def permits(limiter: RateLimiter, fake: FakeTime, count: int, senders: int = 8) -> list[float]:
    stamps: list[float] = []

    async def sender(first_chat: int) -> None:
        chat = first_chat
        while len(stamps) < count:
            await limiter.acquire(chat)
            stamps.append(fake.now)
            chat += senders
            if fake.rng.random() < 0.3:  # rendering and the database take a while now and then
                fake.now += fake.rng.uniform(0, 0.02)

    await asyncio.gather(*(sender(i) for i in range(senders)))
    return sorted(stamps)


@pytest.mark.parametrize("seed", range(5))
async def test_no_one_second_window_over_the_limit_even_with_late_wakeups(seed):
    fake = FakeTime(seed, late=0.03)
    limiter = RateLimiter(29, clock=fake.clock, sleep=fake.sleep)
    stamps = await permits(limiter, fake, 3000)
    assert busiest_window(stamps) <= limiter.window_limit == 29  # one under Telegram's 30: the jitter margin


async def test_full_pace_is_at_least_95_per_cent_of_telegrams_30():
    fake = FakeTime(7, late=0.002)
    limiter = RateLimiter(29, clock=fake.clock, sleep=fake.sleep)
    stamps = await permits(limiter, fake, 3000)
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert rate >= 0.95 * 30
    assert busiest_window(stamps) <= 29


@pytest.mark.skipif(not REDIS_UP, reason="no Redis server answers on 127.0.0.1:6379")
async def test_two_processes_share_one_budget_and_one_flood_wait():
    from bot.services.shared_budget import SharedRateLimiter

    prefix = "test-" + uuid.uuid4().hex[:8]
    first, second = (SharedRateLimiter("redis://127.0.0.1:6379/15", 29, prefix=prefix) for _ in range(2))
    stamps: list[float] = []
    chat_stamps: list[float] = []
    try:
        async def send(limiter: SharedRateLimiter, chat: int) -> None:
            await limiter.acquire(chat)
            stamps.append(time.monotonic())

        async def send_to_one_chat(limiter: SharedRateLimiter) -> None:
            await limiter.acquire(424242)
            chat_stamps.append(time.monotonic())

        started = time.monotonic()
        # Each limiter alone would allow 29/s; together they still get 29 permits a second, not 58: under
        # Telegram's 30 in every second, even as the permits are seen a little after Redis granted them.
        await asyncio.gather(*(send(limiter, chat) for chat in range(45) for limiter in (first, second)))
        assert busiest_window(sorted(stamps)) <= 30
        assert time.monotonic() - started >= 2.0
        # Spaced across the two processes, not spent in a burst at the start of each second: a burst lets
        # network jitter push a 31st message into one of Telegram's seconds. (The median gap, not a low
        # percentile: this loop's own wake-ups bunch a few when the other test worker loads the machine.)
        gaps = [b - a for a, b in zip(sorted(stamps), sorted(stamps)[1:], strict=False)]
        assert sorted(gaps)[len(gaps) // 2] >= 0.02, sorted(gaps)[:10]
        # One chat, two processes: one message a second.
        await asyncio.gather(send_to_one_chat(first), send_to_one_chat(second))
        assert abs(chat_stamps[1] - chat_stamps[0]) >= 0.95
        # A 429 seen by one process holds back the other.
        await first.flood_wait(0.5)
        paused = time.monotonic()
        await second.acquire(77)
        assert time.monotonic() - paused >= 0.45
    finally:
        await first.close()
        await second.close()
