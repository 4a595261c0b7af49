"""Issue #12's hot paths, counted in SQL statements through the real dispatcher (no network): an exam tap is
one conditional UPDATE … RETURNING and one read of the next question, never a load of the attempt's 30 rows;
a parent's "This week" checks the link and reads the child, class and school in one query."""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from aiogram import Bot
from sqlalchemy import event, select

from bot.config import Settings
from bot.courses import course_text
from bot.demo import seed_demo
from bot.factory import build_app
from domain.exam import draw_exam
from storage.models import ExamAnswer, ParentLink, User
from storage.repositories import exams

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from common import NullSession, callback_update

COURSE = "criteria_journal"


async def app_with_statements(database_url: str):
    app = await build_app(Settings(bot_token="123456:TEST", database_url=database_url, scheduler_enabled=False,
                                   _env_file=None))
    statements: list[str] = []
    event.listen(app.engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, sql, _p, _ctx, _many: statements.append(" ".join(sql.split())))
    return app, statements


async def test_exam_tap_is_one_update_and_one_read(database_url):
    app, statements = await app_with_statements(database_url)
    bot = Bot("123456:TEST", session=NullSession())
    now = datetime.now(UTC)
    course = course_text(COURSE)
    async with app.sessions() as db:
        db.add(User(id=501, tg_name="T", created_at=now, language="ru", role="teacher", last_seen_at=now))
        await db.flush()
        attempt = await exams.create_attempt(db, user_id=501, course_id=COURSE,
                                             questions=draw_exam(course.question_keys(), 30, random.Random(5)),
                                             started_at=now, deadline_at=now + timedelta(minutes=45),
                                             correct_of=lambda key: course.question(key).correct)
        await db.commit()
        first = await db.scalar(select(ExamAnswer).where(ExamAnswer.attempt_id == attempt.id,
                                                         ExamAnswer.position == 0))
    try:
        statements.clear()
        await app.dispatcher.feed_update(bot, callback_update(1, 501, f"xa:{attempt.id}:0:{first.correct_shown}"))
        data = [s for s in statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
        assert sum(s.startswith("UPDATE exam_answers") for s in data) == 1
        assert not any(s.startswith("SELECT exam_answers.") for s in data)  # the 30 rows are not loaded
        assert len(data) <= 3, data  # the user, the UPDATE … RETURNING, the next question with its attempt
        async with app.sessions() as db:
            answered = await db.get(ExamAnswer, first.id)
            assert (answered.chosen, answered.is_correct) == (first.correct_shown, True)
        # A repeated tap changes nothing and is told "already answered" by the full path.
        other = (first.correct_shown + 1) % 4
        await app.dispatcher.feed_update(bot, callback_update(2, 501, f"xa:{attempt.id}:0:{other}"))
        async with app.sessions() as db:
            assert (await db.get(ExamAnswer, first.id)).chosen == first.correct_shown
    finally:
        await app.close()


async def test_parent_week_press_reads_the_child_once(database_url):
    app, statements = await app_with_statements(database_url)
    bot = Bot("123456:TEST", session=NullSession())
    now = datetime.now(UTC)
    async with app.sessions() as db:
        demo = await seed_demo(db, today=date.today() - timedelta(days=1))
        db.add(User(id=601, tg_name="P", created_at=now, language="uz", role="parent", last_seen_at=now))
        await db.flush()
        db.add(ParentLink(user_id=601, student_id=demo.student_ids[0], created_at=now))
        await db.commit()
    try:
        statements.clear()
        await app.dispatcher.feed_update(bot, callback_update(1, 601, f"ch:week:{demo.student_ids[0]}:0"))
        data = [s for s in statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
        assert len(data) == 3, data  # the user, the child with the link check, the week's marks
        assert "parent_links" in data[1] and "schools" in data[1]
        statements.clear()
        await app.dispatcher.feed_update(bot, callback_update(2, 601, f"ch:week:{demo.student_ids[1]}:0"))
        assert bot.session.calls and not any("journal_marks" in s for s in statements)  # not their child
    finally:
        await app.close()
