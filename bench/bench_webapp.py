"""The Mini App's grid and one cell's save, at country scale (SQLite).

Builds N pupils (default 500,000) in classes of 35, one subject of 3 lessons a week per class, a term of held
lessons for every class, and marks for the first M classes (default 1,000: the marks table's size barely
matters, since the grid reads marks by their (lesson, pupil) key). Then measures:
  - the term grid of one class and subject (35 pupils × a term of lessons): the use case alone, and the whole
    HTTP request (initData check, use case, JSON) on loopback;
  - one cell's save: POST /api/cell (initData check, use case, commit) against the same change made in chat,
    an attendance tap fed to the real dispatcher (the chat's handler: checks, write, commit, sheet redrawn).

    python bench/bench_webapp.py [--pupils 500000] [--marked-classes 1000] [--runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from aiogram import Bot
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from common import NullSession, callback_update, describe

from bot.config import Settings
from bot.factory import build_app
from bot.webapp import setup_webapp
from bot.webapp.auth import sign_init_data
from usecases.clock import SYSTEM_CLOCK
from usecases.journal_grid import load_grid
from usecases.uow import UnitOfWork

TOKEN = "123456:BENCH"
CLASS_SIZE = 35
PUPILS_PER_SCHOOL = 1050  # 30 classes
WEEKDAYS = (0, 2, 4)  # the subject's three lessons a week


def term_of(today: date) -> tuple[date, date]:
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 2)
    return start, max(today - timedelta(days=1), start + timedelta(days=60))


def load(path: Path, pupils: int, marked_classes: int, today: date) -> dict:
    """Bulk rows with executemany (≈ 850k rows/s, PERF.md); the schema is the migrated one."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    schools = max(1, pupils // PUPILS_PER_SCHOOL)
    classes = pupils // CLASS_SIZE
    start, end = term_of(today)
    stamp = SYSTEM_CLOCK.now().replace(tzinfo=None).isoformat(sep=" ")
    db.executemany("INSERT INTO schools (id, name, country, timezone) VALUES (?, ?, 'UZ', 'Asia/Tashkent')",
                   [(s, f"School {s}") for s in range(1, schools + 1)])
    db.executemany("INSERT INTO terms (school_id, school_year, number, starts_on, ends_on) VALUES (?, ?, 1, ?, ?)",
                   [(s, f"{start.year}-{start.year + 1}", start.isoformat(), end.isoformat())
                    for s in range(1, schools + 1)])
    db.executemany("INSERT INTO subjects (id, school_id, name) VALUES (?, ?, 'Matematika')",
                   [(s, s) for s in range(1, schools + 1)])
    db.executemany("INSERT INTO staff (id, school_id, full_name, position) VALUES (?, ?, 'Teacher', 'teacher')",
                   [(s, s) for s in range(1, schools + 1)])
    school_of = {c: min(schools, (c - 1) * CLASS_SIZE // PUPILS_PER_SCHOOL + 1) for c in range(1, classes + 1)}
    db.executemany("INSERT INTO classes (id, school_id, name, grade) VALUES (?, ?, ?, 7)",
                   [(c, s, f"7-{c}") for c, s in school_of.items()])
    db.executemany("INSERT INTO students (id, school_id, class_id, full_name) VALUES (?, ?, ?, ?)",
                   [(p, school_of[(p - 1) // CLASS_SIZE + 1], (p - 1) // CLASS_SIZE + 1, f"Pupil {p:07d}")
                    for p in range(1, classes * CLASS_SIZE + 1)])
    db.executemany("INSERT INTO timetable (school_id, class_id, subject_id, teacher_id, weekday, period) "
                   "VALUES (?, ?, ?, ?, ?, 1)", [(s, c, s, s, w) for c, s in school_of.items() for w in WEEKDAYS])
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)
            if (start + timedelta(days=i)).weekday() in WEEKDAYS]
    lesson_id = 0
    lessons, marks = [], []
    rng = random.Random(5)
    for c, s in school_of.items():
        for day in days:
            lesson_id += 1
            lessons.append((lesson_id, s, c, s, s, day.isoformat(), stamp, stamp))
            if c <= marked_classes:
                first = (c - 1) * CLASS_SIZE + 1
                marks += [(lesson_id, p, "absent" if rng.random() < 0.05 else "present",
                           rng.choice((3, 4, 5)) if rng.random() < 0.3 else None, stamp)
                          for p in range(first, first + CLASS_SIZE)]
        if len(marks) > 500_000:
            _flush(db, lessons, marks)
    _flush(db, lessons, marks)
    db.commit()
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("students", "journal_lessons", "journal_marks")}
    db.close()
    return {"schools": schools, "classes": classes, "days": days, **counts}


def _flush(db: sqlite3.Connection, lessons: list, marks: list) -> None:
    db.executemany("INSERT INTO journal_lessons (id, school_id, class_id, subject_id, teacher_id, lesson_date, period, "
                   "version, attendance_taken_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?)", lessons)
    db.executemany("INSERT INTO journal_marks (lesson_id, student_id, attendance, grade, kind, version, updated_at) "
                   "VALUES (?, ?, ?, ?, 'regular', 1, ?)", marks)
    lessons.clear()
    marks.clear()


async def link_teachers(app, schools: list[int]) -> None:
    """Users 1.. are the teachers of the given schools."""
    from storage.models import Staff, User

    async with app.sessions() as session:
        for user_id, school in enumerate(schools, start=1):
            session.add(User(id=user_id, tg_name="T", created_at=SYSTEM_CLOCK.now(), role="teacher", language="ru"))
            await session.flush()
            (await session.get(Staff, school)).user_id = user_id
        await session.commit()


def timed(values: list[float], start: float) -> None:
    values.append((time.perf_counter() - start) * 1000)


class Cpu:
    """This process's CPU time per request (all its threads, aiosqlite's included): unlike wall time, not
    inflated when other processes load the machine."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def __enter__(self) -> Cpu:
        self.start = time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.values.append((time.process_time() - self.start) * 1000)

    def __str__(self) -> str:
        return "CPU " + describe(self.values)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=500_000)
    parser.add_argument("--marked-classes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "bench.db"
    settings = Settings(bot_token=TOKEN, database_url=f"sqlite+aiosqlite:///{path}", scheduler_enabled=False,
                        webapp_url="https://bench.example/webapp", _env_file=None)
    app = await build_app(settings)  # migrates the empty database
    today = SYSTEM_CLOCK.now().date()
    began = time.perf_counter()
    sizes = load(path, args.pupils, args.marked_classes, today)
    print(f"loaded in {time.perf_counter() - began:.0f} s: {sizes['students']:,} pupils, {sizes['classes']:,} classes, "
          f"{sizes['journal_lessons']:,} lessons, {sizes['journal_marks']:,} marks")
    # Teachers of 20 schools whose classes have marks (their first class each).
    per_school = PUPILS_PER_SCHOOL // CLASS_SIZE
    marked_schools = list(range(1, max(2, args.marked_classes // per_school) + 1))
    schools = random.Random(3).sample(marked_schools, min(20, len(marked_schools)))
    await link_teachers(app, schools)
    now = SYSTEM_CLOCK.now()
    # 1. The term grid, the use case alone.
    use_case: list[float] = []
    cpu = Cpu()
    for run in range(args.runs):
        user_id = run % len(schools) + 1
        class_id = (schools[user_id - 1] - 1) * per_school + 1
        start = time.perf_counter()
        with cpu:
            async with UnitOfWork(app.sessions) as uow:
                grid = await load_grid(uow, user_id, class_id, schools[user_id - 1], today, now, span="term")
        timed(use_case, start)
    print(f"term grid, use case: {len(grid.pupils)} pupils × {len(grid.columns)} lessons, {len(grid.cells)} cells: "
          f"{describe(use_case)}; {cpu}")
    # 2. The same over HTTP.
    web_app = web.Application()
    setup_webapp(web_app, app, TOKEN, telegram_script="")
    client = TestClient(TestServer(web_app))
    await client.start_server()
    headers = {u: {"Authorization": "tma " + sign_init_data(TOKEN, {"id": u, "first_name": "T"}, auth_date=now)}
               for u in range(1, len(schools) + 1)}
    http: list[float] = []
    cpu = Cpu()
    for run in range(args.runs):
        user_id = run % len(schools) + 1
        class_id = (schools[user_id - 1] - 1) * per_school + 1
        start = time.perf_counter()
        with cpu:
            response = await client.get("/webapp/api/grid", params={"class_id": class_id, "subject_id": schools[
                user_id - 1], "span": "term"}, headers=headers[user_id])
            body = await response.read()
        timed(http, start)
        assert response.status == 200, body[:200]
    print(f"term grid over HTTP ({len(body) / 1024:.0f} KiB JSON): {describe(http)}; {cpu}")
    await save_costs(app, client, headers[1], schools[0], per_school, sizes["days"], args.runs)
    await client.close()
    await app.close()


async def save_costs(app, client, headers, school: int, per_school: int, days: list[date], runs: int) -> None:
    """The same attendance change, from the Mini App and from chat, alternating on one lesson."""
    from sqlalchemy import select

    from storage.models import JournalLesson, TimetableLesson

    class_id = (school - 1) * per_school + 1
    day = days[-1]
    async with app.sessions() as session:
        slot = await session.scalar(select(TimetableLesson).where(
            TimetableLesson.class_id == class_id, TimetableLesson.weekday == day.weekday()))

    async def version() -> int:
        async with app.sessions() as session:
            return await session.scalar(select(JournalLesson.version).where(
                JournalLesson.class_id == class_id, JournalLesson.lesson_date == day)) or 0

    bot = Bot(TOKEN, session=NullSession())
    web_saves: list[float] = []
    chat_saves: list[float] = []
    web_cpu, chat_cpu = Cpu(), Cpu()
    pupil = (class_id - 1) * CLASS_SIZE + 1
    for run in range(runs):
        seen = await version()
        start = time.perf_counter()
        with web_cpu:
            response = await client.post("/webapp/api/cell", headers=headers, data=json.dumps({
                "timetable_id": slot.id, "day": day.isoformat(), "student_id": pupil, "version": seen,
                "attendance": ("absent", "present")[run % 2]}))
            await response.read()
        timed(web_saves, start)
        assert response.status == 200
        seen = await version()
        start = time.perf_counter()
        with chat_cpu:
            await app.dispatcher.feed_update(bot, callback_update(10_000 + run, 1, f"jl:att:{slot.id}:"
                                                                  f"{day.toordinal()}:{pupil + 1}:0:{seen}"))
        timed(chat_saves, start)
    assert await version() >= 2 * runs
    print(f"one cell's save, Mini App (HTTP, initData, use case, commit): {describe(web_saves)}; {web_cpu}")
    print(f"the same save from chat (dispatcher, handler, commit, sheet redrawn): {describe(chat_saves)}; "
          f"{chat_cpu}")


if __name__ == "__main__":
    asyncio.run(main())
