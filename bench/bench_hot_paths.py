"""Hot paths through the real dispatcher against their anchor in the same run (../shared/PERF.md):

    python bench/bench_hot_paths.py [--database URL] [--presses 600]

- the anchor: a bare aiogram callback handler (a CallbackData filter) that edits the message and answers the
  query, fed the same way (the same update builder, the same null Bot API session);
- an exam answer, including its write: a teacher in an open attempt taps an option (`xa:`), the answer is
  stored with a conditional UPDATE and the next question is edited in;
- the parent's "This week" press (`ch:week:`), on the demo school's term of marks.

Presses run one at a time (the latency of one reply; no queueing), on teachers and parents taken in turn, and
each median is divided by the anchor's. With `--database postgresql://...` a fresh database `bench_hot` is
created beside the given one.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiogram import Bot, Dispatcher, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery
from aiogram.utils.keyboard import InlineKeyboardBuilder
from common import NullSession, callback_update, percentile

from bot.config import Settings
from bot.courses import course_text
from bot.demo import seed_demo
from bot.factory import build_app
from domain.exam import draw_exam
from storage.models import ParentLink, User
from storage.repositories import exams

TEACHERS = 200
PARENTS = 100


class AnchorCB(CallbackData, prefix="an"):
    t: int
    p: int
    c: int


def anchor_dispatcher() -> Dispatcher:
    router = Router()

    @router.callback_query(AnchorCB.filter())
    async def tap(query: CallbackQuery, callback_data: AnchorCB) -> None:
        kb = InlineKeyboardBuilder()
        for shown in range(4):
            kb.button(text=str(shown + 1), callback_data=AnchorCB(t=callback_data.t, p=callback_data.p + 1, c=shown))
        await query.message.edit_text("question", reply_markup=kb.as_markup())
        await query.answer()

    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def timed(dp: Dispatcher, bot: Bot, updates: list) -> list[float]:
    """Each update fed alone; the latency of each in microseconds."""
    latencies = []
    for update in updates:
        start = time.perf_counter()
        await dp.feed_update(bot, update)
        latencies.append((time.perf_counter() - start) * 1e6)
    return latencies


def line(name: str, values: list[float], anchor: float | None = None) -> str:
    median = statistics.median(values)
    ratio = f" = {median / anchor:4.1f}× the anchor" if anchor else ""
    return f"{name:<44} median {median:7.0f} µs, p95 {percentile(values, 95):7.0f} µs{ratio}"


async def database_url(given: str | None) -> str:
    if not given:
        return f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'hot.db'}"
    import asyncpg

    base, _, _db = given.rpartition("/")
    admin = await asyncpg.connect(given.replace("postgresql+asyncpg://", "postgresql://"))
    await admin.execute("DROP DATABASE IF EXISTS bench_hot WITH (FORCE)")
    await admin.execute("CREATE DATABASE bench_hot")
    await admin.close()
    return f"{base}/bench_hot".replace("postgresql://", "postgresql+asyncpg://")


async def prepare(app) -> tuple[dict[int, int], dict[int, int]]:
    """Teachers with an open attempt (user -> attempt) and parents of the demo's pupils (user -> student)."""
    now = datetime.now(UTC)
    pool = [f"{lesson}:{q}" for lesson in range(1, 25) for q in range(5)]
    async with app.sessions() as db:
        demo = await seed_demo(db, today=date.today() - timedelta(days=1))
        db.add_all(User(id=100000 + i, tg_name="T", created_at=now, language="ru", role="teacher",
                        last_seen_at=now) for i in range(TEACHERS))
        db.add_all(User(id=200000 + i, tg_name="P", created_at=now, language="uz", role="parent",
                        last_seen_at=now) for i in range(PARENTS))
        await db.flush()
        rng = random.Random(1)
        course = course_text("criteria_journal")
        attempts = {}
        for i in range(TEACHERS):
            attempt = await exams.create_attempt(db, user_id=100000 + i, course_id="criteria_journal",
                                                 questions=draw_exam(pool, 30, rng), started_at=now,
                                                 deadline_at=now + timedelta(minutes=45),
                                                 correct_of=lambda key: course.question(key).correct)
            attempts[100000 + i] = attempt.id
        children = {200000 + i: demo.student_ids[i % len(demo.student_ids)] for i in range(PARENTS)}
        db.add_all(ParentLink(user_id=u, student_id=s, created_at=now) for u, s in children.items())
        await db.commit()
    return attempts, children


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=None)
    parser.add_argument("--presses", type=int, default=600)
    args = parser.parse_args()
    url = await database_url(args.database)
    settings = Settings(bot_token="123456:BENCH", database_url=url, scheduler_enabled=False, _env_file=None)
    app = await build_app(settings)
    bot = Bot("123456:BENCH", session=NullSession())
    attempts, children = await prepare(app)
    uid = iter(range(1, 10**9))

    anchor_dp = anchor_dispatcher()
    warm = [callback_update(next(uid), 100000 + i % TEACHERS, AnchorCB(t=1, p=0, c=1).pack()) for i in range(200)]
    await timed(anchor_dp, bot, warm)
    anchor = await timed(anchor_dp, bot, [callback_update(next(uid), 100000 + i % TEACHERS,
                                                          AnchorCB(t=1, p=i % 30, c=i % 4).pack())
                                          for i in range(args.presses)])
    anchor_median = statistics.median(anchor)

    # Exam answers: each round every teacher answers the question at `position` (30 rounds at most).
    teachers = list(attempts)
    answers: list[float] = []
    position = 0
    while len(answers) < args.presses and position < 30:
        answers += await timed(app.dispatcher, bot, [
            callback_update(next(uid), user, f"xa:{attempts[user]}:{position}:{(user + position) % 4}")
            for user in teachers])
        position += 1
    answers = answers[len(teachers):] or answers  # the first round warms the caches up

    parents = list(children)
    weeks = [callback_update(next(uid), parents[i % len(parents)], f"ch:week:{children[parents[i % len(parents)]]}:0")
             for i in range(args.presses + len(parents))]
    week = (await timed(app.dispatcher, bot, weeks))[len(parents):]

    print(f"database: {url.split(':')[0]}; one press at a time; the anchor from the same run")
    print(line("anchor: bare callback handler, edit + answer", anchor))
    print(line("exam answer (conditional UPDATE, next question)", answers, anchor_median))
    print(line("parent's \"This week\"", week, anchor_median))
    await app.close()


if __name__ == "__main__":
    asyncio.run(main())
