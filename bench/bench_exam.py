"""Exam answers per second through the real dispatcher: N teachers (default 1,000) each in an open
attempt, all answering at once, then again for the next question. No network: a null Bot API session.

    python bench/bench_exam.py [--teachers 1000] [--rounds 3] [--database postgresql://...]

With `--database` a fresh database `bench_exam` is created beside the given one (else a new SQLite file).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import timedelta

from aiogram import Bot
from common import NullSession, callback_update, describe, fresh_database
from sqlalchemy import select

from bot.config import Settings
from bot.courses import course_text
from bot.factory import build_app
from domain.exam import draw_exam
from storage.models import ExamAnswer, User
from storage.repositories import exams
from usecases.clock import SYSTEM_CLOCK


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teachers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    url = await fresh_database(args.database, "bench_exam")
    settings = Settings(bot_token="123456:BENCH", database_url=url, scheduler_enabled=False, _env_file=None)
    app = await build_app(settings)
    session = NullSession()
    bot = Bot("123456:BENCH", session=session)
    now = SYSTEM_CLOCK.now()
    pool = [f"{lesson}:{q}" for lesson in range(1, 25) for q in range(5)]
    attempts: dict[int, int] = {}
    async with app.sessions() as db:
        db.add_all(User(id=100000 + i, tg_name="T", created_at=now, language="ru", role="teacher")
                   for i in range(args.teachers))
        await db.flush()
        rng = random.Random(1)
        course = course_text("criteria_journal")
        for i in range(args.teachers):
            attempt = await exams.create_attempt(db, user_id=100000 + i, course_id="criteria_journal",
                                                 questions=draw_exam(pool, 30, rng), started_at=now,
                                                 deadline_at=now + timedelta(minutes=45),
                                                 correct_of=lambda key: course.question(key).correct)
            attempts[100000 + i] = attempt.id
        await db.commit()
    dp = app.dispatcher
    update_id = 1
    per_round = []
    latencies: list[float] = []
    for position in range(args.rounds):
        updates = []
        for user_id, attempt_id in attempts.items():
            updates.append(callback_update(update_id, user_id, f"xa:{attempt_id}:{position}:{update_id % 4}"))
            update_id += 1

        async def one(update):
            start = time.perf_counter()
            await dp.feed_update(bot, update)
            latencies.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(one(u) for u in updates))
        elapsed = time.perf_counter() - start
        per_round.append(len(updates) / elapsed)
    async with app.sessions() as db:
        answered = len(list(await db.scalars(select(ExamAnswer.id).where(ExamAnswer.chosen.isnot(None)))))
    print(f"database: {url.split(':')[0]}; teachers answering at once: {args.teachers}")
    print("answers/s per round: " + ", ".join(f"{r:,.0f}" for r in per_round))
    print(f"latency per answer under that load: {describe(latencies)}")
    print(f"answers recorded: {answered} of {args.teachers * args.rounds}; Bot API calls: {session.calls}")
    await app.close()


if __name__ == "__main__":
    asyncio.run(main())
