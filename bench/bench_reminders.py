"""Benchmark reminders: ``python bench/bench_reminders.py [--part send|plan|both|replies] [--recipients 10000]
[--rate 29] [--schools 1000] [--reply-rate 20] [--no-freeze]``.

(a) send: N outbox rows delivered to the Bot API stand-in, which answers 429 beyond 30 messages in any
one-second window and beyond 1 per second per chat (``set_flood_limits``). Prints messages per second
(first to last delivery), the busiest one-second window, and the number of 429 answers. The goal: within
5 % of 30/s (>= 28.5/s) without a single 429.

(b) plan: the day's reminder planning for S schools of synthetic data in SQLite (11 classes, 32 staff with
Telegram accounts, 25 pupils a class, a parent for one pupil in five, a 6-lesson timetable, two weeks of
journal, summatives around the day). The day is a Friday a week before the term ends, so every step runs:
lessons, class daily and weekly digests, summatives, term end (grade counts), the half-month summary,
course nudges, parents' notices. Prints the time of each hourly pass (08:00-20:00 school time, in two time
zones), the day's total, and the cost of the every-2-minutes pass once the hour's work is done.

(c) replies: /start at 20/s through the dispatcher, 10 s alone, then during the 09:00 planning pass in the same
process: reply p50/p95/worst, the worst lateness of a 10 ms ticker (loop stalls), RSS before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import Settings
from bot.factory import build_app, create_bot
from bot.screens.reminder_messages import render
from bot.services.outbox import OutboxSender, SendStats
from bot.services.rate_limit import RateLimiter
from standin import BotAPIStandin
from storage.db import create_engine, migrate, session_factory
from usecases.reminder_planner import ReminderPlanner

TOKEN = "123456:BENCH-TOKEN"
TIMEZONES = (("UZ", "Asia/Tashkent"), ("KG", "Asia/Bishkek"), ("KZ", "Asia/Almaty"))


def ts(value: datetime) -> str:
    """A UTC datetime as SQLAlchemy stores it in SQLite."""
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


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

CLASSES, STAFF, PUPILS, PERIODS, SUBJECTS = 11, 32, 25, 6, 8
MARKS_PER_LESSON = 5  # pupils with a grade or an absence; the others' "present" rows do not change the queries


def school_days_before(day: date, count: int) -> list[date]:
    days, d = [], day
    while len(days) < count:
        d -= timedelta(days=1)
        if d.weekday() < 5:
            days.append(d)
    return sorted(days)


def generate(path: Path, schools: int, today: date, history_days: int, seed: int = 3) -> dict[str, int]:
    """Synthetic schools straight into SQLite (executemany), ids assigned here."""
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA journal_mode=WAL")
    created = ts(datetime(2025, 9, 1, tzinfo=UTC))
    rows: dict[str, list[tuple]] = {k: [] for k in (
        "schools", "terms", "holidays", "users", "staff", "classes", "subjects", "students", "parent_links",
        "timetable", "journal_lessons", "journal_marks", "summatives")}
    term_start, term_end = date(2025, 11, 11), today + timedelta(days=7)
    history = school_days_before(today, history_days)
    sql = {
        "schools": "INSERT INTO schools (id, name, country, timezone, external_id) VALUES (?,?,?,?,?)",
        "terms": "INSERT INTO terms (id, school_id, school_year, number, starts_on, ends_on) VALUES (?,?,?,?,?,?)",
        "holidays": "INSERT INTO holidays (school_id, starts_on, ends_on, name) VALUES (?,?,?,?)",
        "users": "INSERT INTO users (id, language, tg_name, created_at) VALUES (?, ?, 'U', ?)",
        "staff": "INSERT INTO staff (id, school_id, full_name, position, user_id) VALUES (?,?,?,?,?)",
        "classes": "INSERT INTO classes (id, school_id, name, grade, class_teacher_id) VALUES (?,?,?,?,?)",
        "subjects": "INSERT INTO subjects (id, school_id, name) VALUES (?,?,?)",
        "students": "INSERT INTO students (id, school_id, class_id, full_name) VALUES (?,?,?,?)",
        "parent_links": "INSERT INTO parent_links (user_id, student_id, created_at) VALUES (?,?,?)",
        "timetable": "INSERT INTO timetable (id, school_id, class_id, subject_id, teacher_id, weekday, period) "
                     "VALUES (?,?,?,?,?,?,?)",
        "journal_lessons": "INSERT INTO journal_lessons (id, school_id, class_id, subject_id, teacher_id, "
                           "lesson_date, period, attendance_taken_at, updated_at, version) "
                           "VALUES (?,?,?,?,?,?,?,?,?,1)",
        "journal_marks": "INSERT INTO journal_marks (id, lesson_id, student_id, attendance, grade, kind, updated_at, "
                         "version) VALUES (?,?,?,?,?,?,?,1)",
        "summatives": "INSERT INTO summatives (id, school_id, class_id, subject_id, term_id, kind, title, due_on) "
                      "VALUES (?,?,?,?,?,?,?,?)",
    }
    counts = dict.fromkeys(rows, 0)

    def flush() -> None:
        for table, values in rows.items():  # parents before children
            db.executemany(sql[table], values)
            counts[table] += len(values)
            values.clear()

    ids = {"staff": 0, "class": 0, "subject": 0, "student": 0, "tt": 0, "lesson": 0, "mark": 0, "sum": 0, "term": 0}
    for s in range(1, schools + 1):
        country, tz = TIMEZONES[s % len(TIMEZONES)]
        rows["schools"].append((s, f"School {s}", country, tz, f"ext-{s}"))
        for number, (start, end) in enumerate([(date(2025, 9, 2), date(2025, 11, 3)), (term_start, term_end),
                                               (date(2026, 1, 11), date(2026, 3, 20)),
                                               (date(2026, 3, 30), date(2026, 5, 25))], start=1):
            ids["term"] += 1
            rows["terms"].append((ids["term"], s, "2025-2026", number, start.isoformat(), end.isoformat()))
        term_id = ids["term"] - 2
        rows["holidays"].append((s, "2025-11-04", "2025-11-10", "autumn"))
        staff_ids = []
        for k in range(STAFF):
            ids["staff"] += 1
            user_id = 1_000_000 + ids["staff"]
            rows["users"].append((user_id, "ru", created))
            position = "head" if k == 0 else "deputy" if k == 1 else "teacher"
            rows["staff"].append((ids["staff"], s, f"Teacher {ids['staff']}", position, user_id))
            staff_ids.append(ids["staff"])
        subject_ids = []
        for k in range(SUBJECTS):
            ids["subject"] += 1
            rows["subjects"].append((ids["subject"], s, f"Subject {k}"))
            subject_ids.append(ids["subject"])
        for c in range(CLASSES):
            ids["class"] += 1
            class_id = ids["class"]
            rows["classes"].append((class_id, s, f"{c + 1}-A", c + 1, staff_ids[2 + c]))
            pupils = []
            for _p in range(PUPILS):
                ids["student"] += 1
                pupils.append(ids["student"])
                rows["students"].append((ids["student"], s, class_id, f"Pupil {ids['student']}"))
                if ids["student"] % 5 == 0:
                    rows["users"].append((2_000_000 + ids["student"], "uz", created))
                    rows["parent_links"].append((2_000_000 + ids["student"], ids["student"], created))
            slots = []
            for weekday in range(5):
                for period in range(1, PERIODS + 1):
                    subject = subject_ids[(weekday * PERIODS + period) % SUBJECTS]
                    teacher = staff_ids[2 + (c * 3 + subject) % (STAFF - 2)]
                    ids["tt"] += 1
                    rows["timetable"].append((ids["tt"], s, class_id, subject, teacher, weekday, period))
                    slots.append((weekday, period, subject, teacher))
            for day in [*history, today]:
                for weekday, period, subject, teacher in slots:
                    if weekday != day.weekday():
                        continue
                    filled = rng.random() < (0.7 if day == today else 0.95)
                    if not filled and day == today:
                        continue
                    ids["lesson"] += 1
                    # Entered during the lesson's day; today's before the first planning pass of the bench.
                    hour = 1 if day == today else 10
                    at = ts(datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour))
                    rows["journal_lessons"].append((ids["lesson"], s, class_id, subject, teacher, day.isoformat(),
                                                    period, at if filled else None, at))
                    for pupil in rng.sample(pupils, MARKS_PER_LESSON):
                        ids["mark"] += 1
                        absent = rng.random() < 0.1
                        grade = None if absent else rng.choice((2, 3, 4, 5))
                        rows["journal_marks"].append((ids["mark"], ids["lesson"], pupil,
                                                      "absent" if absent else "present", grade, "regular", at))
            for k, offset in enumerate((3, 1, 0, -2)):
                ids["sum"] += 1
                rows["summatives"].append((ids["sum"], s, class_id, subject_ids[k], term_id, "section",
                                           f"BSB {k + 1}", (today + timedelta(days=offset)).isoformat()))
        if len(rows["journal_marks"]) > 200_000:
            flush()
    flush()
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return counts


async def bench_plan(schools: int, history_days: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-plan-"))
    url = f"sqlite+aiosqlite:///{tmp / 'plan.db'}"
    engine = create_engine(url)
    await migrate(engine)
    today = date(2025, 12, 19)  # a Friday; the synthetic term ends a week later
    started = time.perf_counter()
    sizes = generate(tmp / "plan.db", schools, today, history_days)
    print(f"(b) planning for {schools} schools: data generated in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    sessions = session_factory(engine)
    settings = Settings(database_url=url, _env_file=None)
    planner = ReminderPlanner(settings)
    timings, total_rows = [], 0
    for utc_hour in range(2, 16):  # 08:00..20:00 in UTC+5 and UTC+6
        now = datetime(today.year, today.month, today.day, utc_hour, 0, tzinfo=UTC)
        t0 = time.perf_counter()
        created = await planner.run(sessions, now)
        elapsed = time.perf_counter() - t0
        timings.append(elapsed)
        total_rows += sum(created.values())
        print(f"    {utc_hour:02d}:00 UTC pass: {elapsed * 1000:8.0f} ms, rows {dict(created)}")
    idle = []
    for minute in (2, 4, 6, 8, 10):
        now = datetime(today.year, today.month, today.day, 15, minute, tzinfo=UTC)
        t0 = time.perf_counter()
        await planner.run(sessions, now)
        idle.append(time.perf_counter() - t0)
    print(f"    the day's planning: {sum(timings):.2f} s in {len(timings)} hourly passes "
          f"(heaviest {max(timings):.2f} s), {total_rows:,} outbox rows")
    print(f"    a pass with the hour's work done (every 2 min): median {statistics.median(idle) * 1000:.0f} ms")
    await engine.dispose()


# --- (c) planning beside the replies --------------------------------------------------------------------------


async def bench_replies(schools: int, history_days: int, rate: float, freeze: bool, chunk: int) -> None:
    """/start at `rate` per second through the dispatcher, first alone, then while the day's heaviest planning
    pass (09:00 school time) runs in the same process; a 10 ms ticker measures how long the loop stalls."""
    import gc

    from aiogram import Bot
    from common import NullSession, message_update, percentile, rss_mb

    tmp = Path(tempfile.mkdtemp(prefix="bench-replies-"))
    url = f"sqlite+aiosqlite:///{tmp / 'plan.db'}"
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()
    today = date(2025, 12, 19)
    generate(tmp / "plan.db", schools, today, history_days)
    settings = Settings(bot_token=TOKEN, database_url=url, scheduler_enabled=False, _env_file=None)
    app = await build_app(settings)
    bot = Bot(TOKEN, session=NullSession())
    planner = ReminderPlanner(settings, chunk_size=chunk)
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
    alone = await replies(10)
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
    print(f"(c) {schools} schools in chunks of {chunk}, /start at {rate:g}/s, gc.freeze {'on' if freeze else 'off'}: "
          "the 09:00 pass "
          f"took {elapsed:.1f} s, {sum(created.values()):,} rows")
    show("during the pass", during, stalled)
    print(f"    RSS {rss_before:.0f} MB before the pass, {rss_mb():.0f} MB after ({rss_mb() / rss_before:.2f}×)")
    await app.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["send", "plan", "both", "replies"], default="both")
    parser.add_argument("--reply-rate", type=float, default=20.0, help="(c) /start updates a second")
    parser.add_argument("--no-freeze", action="store_true", help="(c) without gc.freeze() after start-up")
    parser.add_argument("--chunk", type=int, default=50, help="(c) schools per planning chunk (500 before #12)")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=29.0, help="the limiter's overall rate (BROADCAST_RATE)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--history-days", type=int, default=10, help="school days of journal before the day")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.part in ("send", "both"):
        asyncio.run(bench_send(args.recipients, args.rate, args.workers))
    if args.part in ("plan", "both"):
        asyncio.run(bench_plan(args.schools, args.history_days))
    if args.part == "replies":
        asyncio.run(bench_replies(args.schools, args.history_days, args.reply_rate, not args.no_freeze, args.chunk))
    return 0


if __name__ == "__main__":
    sys.exit(main())
