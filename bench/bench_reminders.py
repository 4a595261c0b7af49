"""Benchmark reminders: ``python bench/bench_reminders.py [--part send|plan|both|replies] [--recipients 10000]
[--rate 29] [--schools 1000] [--reply-rate 20] [--no-freeze] [--database postgresql+asyncpg://...] [--fresh]``.

(a) send: N outbox rows delivered to the Bot API stand-in, which answers 429 beyond 30 messages in any
one-second window and beyond 1 per second per chat (``set_flood_limits``). Prints messages per second
(first to last delivery), the busiest one-second window, and the number of 429 answers. The goal: within
5 % of 30/s (>= 28.5/s) without a single 429.

(b) plan: the day's reminder planning for S schools of synthetic data (bench/reminders_data.py: 11 classes, 32
staff with Telegram accounts, 25 pupils a class, a parent for one pupil in five, a 6-lesson timetable, two weeks
of journal, summatives around the day). The day is a Friday a week before the term ends, so every step runs:
lessons, class daily and weekly digests, summatives, term end (grade counts), the half-month summary,
course nudges, parents' notices. Prints the time of each hourly pass (08:00-20:00 school time, in two time
zones), the day's total (wall and this process's CPU), and the cost of the every-2-minutes pass once the hour's
work is done. SQLite in a temporary folder by default; with ``--database`` a PostgreSQL URL, the bench creates
a database of its own on that server (``bench_reminders_<schools>``, loaded with COPY, kept for the next run
unless ``--fresh``; drop it with ``DROP DATABASE``) and empties its outbox before planning.

(c) replies: /start at 20/s through the dispatcher, 20 s alone, then during the 09:00 planning pass in the same
process: reply p50/p95/worst, the worst lateness of a 10 ms ticker (loop stalls), RSS before and after. Also on
PostgreSQL with ``--database``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reminders_data import generate, generate_postgres, ts

from bot.config import Settings
from bot.factory import build_app, create_bot
from bot.screens.reminder_messages import render
from bot.services.outbox import OutboxSender, SendStats
from bot.services.rate_limit import RateLimiter
from standin import BotAPIStandin
from storage.db import create_engine, migrate, normalize_url, session_factory
from usecases.foreground import IDLE
from usecases.reminder_planner import Pace, ReminderPlanner

TOKEN = "123456:BENCH-TOKEN"
TODAY = date(2025, 12, 19)  # a Friday; the synthetic term ends a week later


# --- (a) sending ---------------------------------------------------------------------------------------------


async def bench_send(recipients: int, rate: float, workers: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-send-"))
    url = f"sqlite+aiosqlite:///{tmp / 'send.db'}"
    api = BotAPIStandin(TOKEN)
    await api.start()
    api.set_flood_limits(overall=30, per_chat=1, retry_after=1)
    settings = Settings(bot_token=TOKEN, bot_api_url=api.base_url, database_url=url, scheduler_enabled=False,
                        broadcast_rate=rate, _env_file=None)
    app = await build_app(settings)
    bot = create_bot(settings)
    now = datetime.now(UTC)
    users = list(range(5_000_000, 5_000_000 + recipients))
    for user_id in users:
        api.user(user_id)
    db = sqlite3.connect(tmp / "send.db")
    db.executemany("INSERT INTO users (id, language, tg_name, created_at) VALUES (?, ?, 'U', ?)",
                   [(u, ("uz", "ru", "kk", "ky")[u % 4], ts(now)) for u in users])
    db.executemany("INSERT INTO outbox (key, kind, user_id, payload, status, tries, created_at, next_try_at) "
                   "VALUES (?, 'course', ?, ?, 'pending', 0, ?, ?)",
                   [(f"course:{u}:bench", u, '{"course": "criteria_journal", "done": 5}', ts(now), ts(now))
                    for u in users])
    db.commit()
    db.close()
    # The rows carry no time zone, so the quiet hours do not apply: the run measures the pace alone.
    sender = OutboxSender(sessions=app.sessions, bot=bot, i18n=app.i18n, render=render,
                          limiter=RateLimiter(settings.broadcast_rate), workers=workers)
    started = time.perf_counter()
    stats: SendStats = await sender.run()
    wall = time.perf_counter() - started
    calls = api.calls_of("sendMessage")
    ok = [c.time for c in calls if c.ok]
    floods = sum(1 for c in calls if c.error_code == 429)
    span = ok[-1] - ok[0] if len(ok) > 1 else 0.0
    per_second = (len(ok) - 1) / span if span else 0.0
    print(f"(a) sending {recipients} messages at a limiter rate of {rate}/s, {workers} workers")
    print(f"    delivered {len(ok)} (stats {stats.as_dict()}), 429 answers: {floods}")
    print(f"    {per_second:.2f} msg/s first to last delivery ({per_second / 30 * 100:.1f} % of 30/s); "
          f"busiest 1-s window: {api.max_sent_per_second()} messages; wall {wall:.1f} s")
    await bot.session.close()
    await app.close()
    await api.stop()


# --- (b) planning --------------------------------------------------------------------------------------------


async def prepare(schools: int, history_days: int, database: str | None, fresh: bool) -> str:
    """A database with the synthetic schools, migrated and loaded; returns its URL."""
    if database is None:
        path = Path(tempfile.mkdtemp(prefix="bench-plan-")) / "plan.db"
        url = f"sqlite+aiosqlite:///{path}"
        engine = create_engine(url)
        await migrate(engine)
        await engine.dispose()
        started = time.perf_counter()
        sizes = generate(path, schools, TODAY, history_days)
        _loaded(schools, started, sizes)
        return url
    return await _prepare_postgres(schools, history_days, normalize_url(database), fresh)


async def _prepare_postgres(schools: int, history_days: int, server_url: str, fresh: bool) -> str:
    import asyncpg

    name = f"bench_reminders_{schools}" + (f"_h{history_days}" if history_days != 10 else "")
    base, dsn = server_url.rsplit("/", 1)[0], server_url.replace("postgresql+asyncpg://", "postgresql://")
    url = f"{base}/{name}"
    admin = await asyncpg.connect(dsn)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and fresh:
            await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        if not exists or fresh:
            await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    target = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(target)
    try:
        loaded = await conn.fetchval("SELECT count(*) FROM schools") if exists and not fresh else None
        if loaded is not None:
            await conn.execute("TRUNCATE outbox")
    finally:
        await conn.close()
    if loaded == schools:
        print(f"    PostgreSQL database {name} reused ({schools} schools); --fresh to load it again")
        return url
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    started = time.perf_counter()
    _loaded(schools, started, await generate_postgres(target, schools, TODAY, history_days))
    return url


def _loaded(schools: int, started: float, sizes: dict[str, int]) -> None:
    print(f"(b) {schools} schools: data generated in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))


async def bench_plan(schools: int, history_days: int, database: str | None = None, fresh: bool = False) -> None:
    url = await prepare(schools, history_days, database, fresh)
    engine = create_engine(url)
    sessions = session_factory(engine)
    planner = ReminderPlanner(Settings(database_url=url, _env_file=None))
    timings, total_rows = [], 0
    cpu = time.process_time()
    for utc_hour in range(2, 16):  # 08:00..20:00 in UTC+5 and UTC+6
        t0 = time.perf_counter()
        created = await planner.run(sessions, datetime(TODAY.year, TODAY.month, TODAY.day, utc_hour, 0, tzinfo=UTC))
        timings.append(time.perf_counter() - t0)
        total_rows += sum(created.values())
        print(f"    {utc_hour:02d}:00 UTC pass: {timings[-1] * 1000:8.0f} ms, rows {dict(created)}")
    cpu = time.process_time() - cpu
    idle = []
    for minute in (2, 4, 6, 8, 10):
        t0 = time.perf_counter()
        await planner.run(sessions, datetime(TODAY.year, TODAY.month, TODAY.day, 15, minute, tzinfo=UTC))
        idle.append(time.perf_counter() - t0)
    print(f"    {engine.dialect.name}, {schools} schools: the day's planning {sum(timings):.2f} s in {len(timings)} "
          f"hourly passes (heaviest {max(timings):.2f} s; this process's CPU {cpu:.2f} s), {total_rows:,} outbox rows")
    print(f"    a pass with the hour's work done (every 2 min): median {statistics.median(idle) * 1000:.0f} ms")
    await engine.dispose()


# --- (c) planning beside the replies --------------------------------------------------------------------------


async def bench_replies(schools: int, history_days: int, rate: float, freeze: bool, chunk: int | None,
                        database: str | None = None, fresh: bool = False, give_way: bool = True) -> None:
    """/start at `rate` per second through the dispatcher, first alone, then while the day's heaviest planning
    pass (09:00 school time) runs in the same process; a 10 ms ticker measures how long the loop stalls."""
    import gc

    from aiogram import Bot
    from common import NullSession, message_update, percentile, rss_mb

    url = await prepare(schools, history_days, database, fresh)
    today = TODAY
    settings = Settings(bot_token=TOKEN, database_url=url, scheduler_enabled=False, _env_file=None)
    app = await build_app(settings)
    bot = Bot(TOKEN, session=NullSession())
    pace = Pace.choose(url, answers_updates=True)
    planner = ReminderPlanner(settings, pace=replace(pace, chunk=chunk or pace.chunk),
                              foreground=app.extras["foreground"] if give_way else IDLE)
    if freeze:
        gc.collect()
        gc.freeze()  # as the bot does after start-up: long-lived objects leave the full collections
    ids = iter(range(50_000_000, 60_000_000))

    async def replies(seconds: float, stop: asyncio.Event | None = None) -> list[float]:
        latencies: list[float] = []

        async def one(uid: int) -> None:
            t0 = time.perf_counter()
            await app.dispatcher.feed_update(bot, message_update(uid, uid, "/start"))
            latencies.append((time.perf_counter() - t0) * 1000)

        tasks, started = [], time.perf_counter()
        while time.perf_counter() - started < seconds and not (stop and stop.is_set()):
            tasks.append(asyncio.create_task(one(next(ids))))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
        return latencies

    async def ticker(stop: asyncio.Event) -> float:
        worst, last = 0.0, time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            worst, last = max(worst, now - last - 0.01), now
        return worst * 1000

    def show(label: str, values: list[float], stall: float) -> None:
        print(f"    {label}: {len(values)} replies, p50 {statistics.median(values):.1f} ms, "
              f"p95 {percentile(values, 95):.1f} ms, worst {max(values):.0f} ms; worst loop stall {stall:.0f} ms")

    await replies(3)  # warm up
    rss_before = rss_mb()
    stop = asyncio.Event()
    tick = asyncio.create_task(ticker(stop))
    alone = await replies(20)
    stop.set()
    show("outside a pass", alone, await tick)
    stop = asyncio.Event()
    tick = asyncio.create_task(ticker(stop))
    feeding = asyncio.create_task(replies(3600, stop))
    t0 = time.perf_counter()
    created = await planner.run(app.sessions, datetime(today.year, today.month, today.day, 4, 0, tzinfo=UTC))
    elapsed = time.perf_counter() - t0
    stop.set()
    during = await feeding
    stalled = await tick
    gc.collect()
    print(f"(c) {schools} schools in chunks of {planner.pace.chunk}, /start at {rate:g}/s, "
          f"gc.freeze {'on' if freeze else 'off'}, giving way {'on' if give_way else 'off'}: "
          f"the 09:00 pass took {elapsed:.1f} s, {sum(created.values()):,} rows")
    show("during the pass", during, stalled)
    print(f"    RSS {rss_before:.0f} MB before the pass, {rss_mb():.0f} MB after ({rss_mb() / rss_before:.2f}×)")
    await app.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["send", "plan", "both", "replies"], default="both")
    parser.add_argument("--reply-rate", type=float, default=20.0, help="(c) /start updates a second")
    parser.add_argument("--no-freeze", action="store_true", help="(c) without gc.freeze() after start-up")
    parser.add_argument("--no-give-way", action="store_true",
                        help="(c) the planner does not wait for the updates in flight (usecases.foreground)")
    parser.add_argument("--chunk", type=int, help="(c) schools per planning chunk (default: the planner's, 10 beside "
                        "replies; 500 before #12)")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=29.0, help="the limiter's overall rate (BROADCAST_RATE)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--history-days", type=int, default=10, help="school days of journal before the day")
    parser.add_argument("--database", help="(b, c) a PostgreSQL URL: the bench creates its own database there")
    parser.add_argument("--fresh", action="store_true", help="(b, c) load the PostgreSQL database again")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.part in ("send", "both"):
        asyncio.run(bench_send(args.recipients, args.rate, args.workers))
    if args.part in ("plan", "both"):
        asyncio.run(bench_plan(args.schools, args.history_days, args.database, args.fresh))
    if args.part == "replies":
        asyncio.run(bench_replies(args.schools, args.history_days, args.reply_rate, not args.no_freeze, args.chunk,
                                  args.database, args.fresh, not args.no_give_way))
    return 0


if __name__ == "__main__":
    sys.exit(main())
