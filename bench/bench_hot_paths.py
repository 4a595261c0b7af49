"""Hot paths through the real dispatcher against their anchor in the same run (../shared/PERF.md):

    python bench/bench_hot_paths.py [--database URL] [--presses 600] [--redis URL]

- the anchor: a bare aiogram callback handler (a CallbackData filter) that edits the message and answers the
  query, fed the same way (the same update builder, the same null Bot API session);
- an exam answer, including its write: a teacher in an open attempt taps an option (`xa:`), the answer is
  stored with a conditional UPDATE and the next question is edited in;
- the parent's "This week" press (`ch:week:`), on the demo school's term of marks.

Presses run one at a time (the latency of one reply; no queueing), on teachers and parents taken in turn, each
right after an anchor press: each path's median is divided by the median of the anchor presses made beside it,
so that a change in the machine's load during the run (other processes on the 2 cores) moves both alike. With
`--database postgresql://...` a fresh database `bench_hot` is created beside the given one. With `--redis URL`
the bot runs as instances sharing a database do: conversation state in Redis, and no per-process memory of
users' rows (each update reads its user's row).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from datetime import timedelta

from aiogram import Bot, Dispatcher, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery
from aiogram.utils.keyboard import InlineKeyboardBuilder
from common import NullSession, callback_update, fresh_database, percentile

from bot.config import Settings
from bot.courses import course_text
from bot.demo import seed_demo
from bot.factory import build_app
from domain.exam import draw_exam
from storage.models import ParentLink, User
from storage.repositories import exams
from usecases.clock import SYSTEM_CLOCK

TEACHERS = 200
PARENTS = 100
#: Anchor presses and measured presses alternate in blocks of this many.
BLOCK = 50


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


class Anchor:
    """The anchor's dispatcher and its presses, one before each measured press."""

    def __init__(self, bot: Bot, ids) -> None:
        self.dp, self.bot, self.ids, self.count = anchor_dispatcher(), bot, ids, 0

    def update(self):
        self.count += 1
        return callback_update(next(self.ids), 100000 + self.count % TEACHERS,
                               AnchorCB(t=1, p=self.count % 30, c=self.count % 4).pack())

    async def beside(self, dp: Dispatcher, updates: list, block: int = BLOCK) -> tuple[list[float], list[float]]:
        """(the updates' latencies, the anchor's beside them), in microseconds: `block` anchor presses, then
        `block` updates, and so on."""
        measured, anchors = [], []
        for start in range(0, len(updates), block):
            chunk = updates[start:start + block]
            anchors += await timed(self.dp, self.bot, [self.update() for _ in chunk])
            measured += await timed(dp, self.bot, chunk)
        return measured, anchors


def line(name: str, values: list[float], anchors: list[float] | None = None) -> str:
    median = statistics.median(values)
    ratio = f" = {median / statistics.median(anchors):4.1f}× the anchor" if anchors else ""
    return f"{name:<44} median {median:7.0f} µs, p95 {percentile(values, 95):7.0f} µs{ratio}"


async def prepare(app) -> tuple[dict[int, int], dict[int, int]]:
    """Teachers with an open attempt (user -> attempt) and parents of the demo's pupils (user -> student)."""
    now = SYSTEM_CLOCK.now()
    pool = [f"{lesson}:{q}" for lesson in range(1, 25) for q in range(5)]
    async with app.sessions() as db:
        demo = await seed_demo(db, today=SYSTEM_CLOCK.now().date() - timedelta(days=1))
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
    parser.add_argument("--redis", default=None, help="run as instances sharing a database do (see above)")
    args = parser.parse_args()
    url = await fresh_database(args.database, "bench_hot")
    settings = Settings(bot_token="123456:BENCH", database_url=url, scheduler_enabled=False, redis_url=args.redis,
                        redis_prefix=f"bench-hot-{os.getpid()}", _env_file=None)
    app = await build_app(settings)
    bot = Bot("123456:BENCH", session=NullSession())
    attempts, children = await prepare(app)
    uid = iter(range(1, 10**9))
    anchor = Anchor(bot, uid)
    await timed(anchor.dp, bot, [anchor.update() for _ in range(200)])  # warm-up

    # Exam answers: each round every teacher answers the question at `position` (30 rounds at most); the first
    # round warms the caches up and is not counted.
    teachers = list(attempts)
    answers: list[float] = []
    exam_anchor: list[float] = []
    position = 0
    while len(answers) < args.presses + len(teachers) and position < 30:
        measured, beside = await anchor.beside(app.dispatcher, [
            callback_update(next(uid), user, f"xa:{attempts[user]}:{position}:{(user + position) % 4}")
            for user in teachers])
        answers, exam_anchor = answers + measured, exam_anchor + beside
        position += 1
    answers, exam_anchor = answers[len(teachers):], exam_anchor[len(teachers):]

    parents = list(children)
    weeks = [callback_update(next(uid), parents[i % len(parents)], f"ch:week:{children[parents[i % len(parents)]]}:0")
             for i in range(args.presses + len(parents))]
    week, week_anchor = (values[len(parents):] for values in await anchor.beside(app.dispatcher, weeks))

    mode = "; as shared instances (Redis, no memory of users' rows)" if args.redis else ""
    print(f"database: {url.split(':')[0]}{mode}; one press at a time, each beside an anchor press")
    print(line("anchor: bare callback handler, edit + answer", exam_anchor + week_anchor))
    print(line("exam answer (conditional UPDATE, next question)", answers, exam_anchor))
    print(line("parent's \"This week\"", week, week_anchor))
    await app.close()


if __name__ == "__main__":
    asyncio.run(main())
