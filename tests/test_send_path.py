"""The send path through the stand-in: a row is "sending" only while its request is on the wire, the quiet
window is checked after the permit wait, exam results survive every Bot API error class, and handlers'
replies honour the bot's flood wait."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import func, select

from bot.factory import create_bot
from bot.scheduler import send_outbox, sender_for
from bot.services.exam_jobs import close_expired_attempts
from bot.services.rate_limit import RateLimiter
from standin import BotAPIStandin
from storage.models import ExamAttempt, Outbox, User
from tests.harness import TOKEN, Harness, sqlite_url

TASHKENT = ZoneInfo("Asia/Tashkent")


def moving_clock(start: datetime):
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


async def add_users(h: Harness, users: list[int]) -> None:
    now = datetime.now(UTC)
    async with h.db() as session:
        session.add_all(User(id=u, tg_name="T", created_at=now, language="ru") for u in users)
    for u in users:
        h.user(u)


async def queue_course_nudges(h: Harness, users: list[int], *, payload: dict | None = None,
                             due: datetime | None = None) -> None:
    now = due or datetime.now(UTC) - timedelta(minutes=1)
    async with h.db() as session:
        session.add_all(Outbox(key=f"course:{u}:path", kind="course", user_id=u, status="pending", tries=0,
                               payload=payload or {"course": "criteria_journal", "done": 1}, created_at=now,
                               next_try_at=now) for u in users)


def delivered(h: Harness, chat_id: int) -> int:
    return len([c for c in h.api.calls_of("sendMessage") if c.ok and int(c.params["chat_id"]) == chat_id])


async def test_a_row_is_sending_only_while_its_request_is_on_the_wire(tmp_path):
    h = await Harness.start(sqlite_url(tmp_path / "wire.db"))
    try:
        users = list(range(9300, 9316))
        await add_users(h, users)
        await queue_course_nudges(h, users)
        h.app.extras["rate_limiter"] = RateLimiter(10)  # 100 ms between permits: eight senders wait in turn
        most_sending = 0
        run = asyncio.create_task(send_outbox(h.app, h.bot))
        while not run.done():
            async with h.db() as session:
                sending = await session.scalar(select(func.count()).select_from(Outbox).where(
                    Outbox.status == "sending"))
            most_sending = max(most_sending, sending)
            await asyncio.sleep(0.005)
        assert (await run).sent == len(users)
        # Before, each of the 8 senders claimed its row and then waited for a permit: 8 rows "sending" at once,
        # all lost ("unknown") to a SIGKILL though one request at most was in flight.
        assert most_sending <= 1
    finally:
        await h.stop()


async def test_the_quiet_window_is_checked_after_the_wait_for_a_permit(tmp_path):
    h = await Harness.start(sqlite_url(tmp_path / "quiet.db"))
    try:
        await add_users(h, [9400])
        just_before = datetime(2025, 10, 1, 20, 59, 59, 500_000, tzinfo=TASHKENT)
        await queue_course_nudges(h, [9400], payload={"course": "criteria_journal", "done": 1, "tz": "Asia/Tashkent"},
                                  due=just_before - timedelta(minutes=1))
        sender = sender_for(h.app, h.bot, clock=moving_clock(just_before))
        await sender.limiter.flood_wait(1.0)  # the permit comes at 21:00:00.5, inside the quiet window
        stats = await sender.run()
        assert (stats.sent, stats.deferred) == (0, 1)
        assert delivered(h, 9400) == 0
        async with h.db() as session:
            row = await session.scalar(select(Outbox))
        assert row.status == "pending"
        assert row.next_try_at == datetime(2025, 10, 2, 8, 0, tzinfo=TASHKENT).astimezone(UTC)
    finally:
        await h.stop()


def dropping_standin(drop_chat: int) -> BotAPIStandin:
    """A stand-in that drops the connection of the first sendMessage to `drop_chat`: no answer at all."""
    api = BotAPIStandin(TOKEN)
    read_params = api._read_params
    dropped: list[int] = []

    async def read_or_drop(request: web.Request):
        params, files = await read_params(request)
        if request.match_info["method"].lower() == "sendmessage" and params.get("chat_id") == drop_chat \
                and not dropped:
            dropped.append(drop_chat)
            request.transport.abort()
            raise ConnectionResetError("connection dropped by the test")
        return params, files

    api._read_params = read_or_drop
    return api


async def test_exam_results_survive_every_bot_api_error_class(tmp_path, caplog):
    # 8501: 502, 8502: blocked (403), 8503: 400 message too long, 8504: 429, 8505: dropped connection, 8506: fine.
    api = dropping_standin(8505)
    await api.start()
    h = await Harness.start(sqlite_url(tmp_path / "exam.db"), api=api)
    try:
        users = list(range(8501, 8507))
        await add_users(h, users)
        now = datetime.now(UTC)
        async with h.db() as session:
            session.add_all(ExamAttempt(user_id=u, course_id="criteria_journal", status="open", question_count=5,
                                        started_at=now - timedelta(hours=1), deadline_at=now - timedelta(minutes=5))
                            for u in users)
        api.fail_next("sendMessage", error_code=502, description="Bad Gateway", retry_after=None, chat_id=8501)
        api.block(8502)
        api.fail_next("sendMessage", error_code=400, description="Bad Request: message is too long",
                      retry_after=None, chat_id=8503)
        api.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=8504)
        caplog.set_level(logging.INFO)

        assert await close_expired_attempts(h.app, h.bot) == len(users)
        assert await close_expired_attempts(h.app, h.bot) == 0  # queued once
        await send_outbox(h.app, h.bot)  # the 429 is waited out within this run
        assert [delivered(h, u) for u in users] == [0, 0, 0, 1, 0, 1]
        async with h.db() as session:
            status = {r.user_id: r.status for r in await session.scalars(select(Outbox))}
            assert (await session.get(User, 8502)).blocked_at is not None
        assert status == {8501: "pending", 8502: "blocked", 8503: "failed", 8504: "sent", 8505: "pending",
                          8506: "sent"}
        # The 502 and the dropped connection are retried after their backoff; nothing else is sent again.
        await send_outbox(h.app, h.bot, clock=moving_clock(datetime.now(UTC) + timedelta(minutes=2)))
        assert [delivered(h, u) for u in users] == [1, 0, 0, 1, 1, 1]
        result = next(c for c in api.calls_of("sendMessage") if c.ok and int(c.params["chat_id"]) == 8501)
        assert "0" in result.params["text"]  # the score of an attempt with no answers
        tracebacks = [r for r in caplog.records if r.exc_info and not r.name.startswith("standin")]
        assert not tracebacks, "a Bot API error left a traceback in the bot's log"
    finally:
        await h.stop()
        await api.stop()


async def test_handler_messages_honour_the_bots_flood_wait():
    api = BotAPIStandin(TOKEN)
    await api.start()
    api.user(8601)
    limiter = RateLimiter(29)
    from bot.config import Settings

    bot = create_bot(Settings(bot_token=TOKEN, bot_api_url=api.base_url, _env_file=None), limiter=limiter)
    try:
        await limiter.flood_wait(0.6)  # a 429 met by the outbox (or, with Redis, by another process)
        started = time.monotonic()
        await bot.send_message(8601, "reply")
        assert time.monotonic() - started >= 0.55
        # A 429 met by a reply pauses every sender of the bot, and the reply still goes out.
        api.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=8601)
        await bot.send_message(8601, "second")
        assert await limiter.flood_wait_left() == 0.0
        assert [c.error_code for c in api.calls_of("sendMessage")] == [None, 429, None]
        calls = api.calls_of("sendMessage")
        assert calls[2].time - calls[1].time >= 0.95
    finally:
        await bot.session.close()
        await api.stop()
