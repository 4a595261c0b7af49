"""Reminders end to end over the Bot API stand-in: planned at the school-local hour, sent once, retried after
429, closed on 403, neither lost nor repeated across a restart or two senders. Jobs are called directly."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.demo import seed_demo
from bot.keyboards.journal import LessonCB
from bot.scheduler import kick_outbox, plan_reminders, send_outbox, stop_outbox
from bot.screens.reminder_messages import render
from bot.services.outbox import OutboxSender
from bot.services.rate_limit import RateLimiter
from storage.models import (
    JournalLesson,
    JournalMark,
    Outbox,
    ParentLink,
    ReminderSetting,
    SchoolClass,
    Staff,
    Student,
    TimetableLesson,
    User,
)
from storage.repositories.reminder_settings import save_pref
from tests.harness import Harness, find_button, press_data, sqlite_url
from usecases.reminder_planner import ReminderPlanner

TASHKENT = ZoneInfo("Asia/Tashkent")
DAY = date(2025, 10, 1)  # a Wednesday in the demo's first term
TEACHER = 7001
PARENT = 7101


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """A school-local (Tashkent) moment, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TASHKENT).astimezone(UTC)


def moving_clock(start: datetime):
    """A clock that starts at `start` and runs at real speed (the sender waits for real)."""
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


async def wait_until(condition, *, timeout: float = 5.0) -> None:
    """Wait until `condition()` holds (checked every 10 ms); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.01)


async def link_teacher(h: Harness, phone: str, user_id: int = TEACHER, *, quiet_kinds: bool = True) -> int:
    """A demo staff member becomes a bot user; their other reminder kinds are switched off to keep chats short."""
    async with h.db() as session:
        session.add(User(id=user_id, tg_name="T", created_at=datetime.now(UTC), role="teacher", language="ru"))
        await session.flush()
        staff = await session.scalar(select(Staff).where(Staff.phone == phone))
        staff.user_id = user_id
        if quiet_kinds:
            for kind in ("deadlines", "course", "head_summary", "class_daily", "class_weekly", "data_check"):
                await save_pref(session, user_id, kind, enabled=False)
        return staff.id


async def fill(h: Harness, staff_id: int, day: date, *, graded: bool, only: int | None = None) -> None:
    """The teacher's lessons of `day` (or the one slot `only`): attendance taken, with a grade or none."""
    now = datetime.now(UTC)
    async with h.db() as session:
        slots = list(await session.scalars(select(TimetableLesson).where(
            TimetableLesson.teacher_id == staff_id, TimetableLesson.weekday == day.weekday())))
        for slot in slots:
            if only is not None and slot.id != only:
                continue
            lesson = await session.scalar(select(JournalLesson).where(
                JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
                JournalLesson.lesson_date == day, JournalLesson.period == slot.period))
            if lesson is None:
                lesson = JournalLesson(school_id=slot.school_id, class_id=slot.class_id, subject_id=slot.subject_id,
                                       teacher_id=staff_id, lesson_date=day, period=slot.period, updated_at=now)
                session.add(lesson)
                await session.flush()
            lesson.attendance_taken_at = now
            student = await session.scalar(select(Student.id).where(Student.class_id == slot.class_id).limit(1))
            mark = await session.scalar(select(JournalMark).where(JournalMark.lesson_id == lesson.id,
                                                                  JournalMark.student_id == student))
            if mark is None:
                session.add(JournalMark(lesson_id=lesson.id, student_id=student, attendance="present",
                                        grade=5 if graded else None, updated_at=now))
            else:
                mark.grade = 5 if graded else None


async def teacher_slots(h: Harness, staff_id: int, day: date) -> list[TimetableLesson]:
    async with h.db() as session:
        return list(await session.scalars(select(TimetableLesson).where(
            TimetableLesson.teacher_id == staff_id, TimetableLesson.weekday == day.weekday())
            .order_by(TimetableLesson.class_id)))


async def outbox(h: Harness, kind: str | None = None) -> list[Outbox]:
    async with h.db() as session:
        query = select(Outbox).order_by(Outbox.id)
        if kind:
            query = query.where(Outbox.kind == kind)
        return list(await session.scalars(query))


def sent_to(h: Harness, chat_id: int) -> list:
    return [c for c in h.api.calls_of("sendMessage") if c.ok and int(c.params["chat_id"]) == chat_id]


@pytest.fixture
async def school(database_url):
    h = await Harness.start(database_url)
    async with h.db() as session:
        demo = await seed_demo(session, today=DAY)
    try:
        yield h, demo
    finally:
        await h.stop()


async def test_unfilled_lesson_reminded_once_at_local_hour_not_after_grades(school):
    h, demo = school
    staff_id = await link_teacher(h, demo.teacher_phone)
    teacher = h.user(TEACHER, "Dilnoza")
    first, second, *others = await teacher_slots(h, staff_id, DAY)
    await fill(h, staff_id, DAY, graded=True, only=first.id)
    for slot in others:
        await fill(h, staff_id, DAY, graded=True, only=slot.id)
    await fill(h, staff_id, DAY, graded=False, only=second.id)  # attendance taken, no grades

    assert (await plan_reminders(h.app, at(17, 59)))["lessons"] == 0
    assert (await plan_reminders(h.app, at(18, 0)))["lessons"] == 1
    # Later passes, and another instance's planner, add nothing.
    assert (await plan_reminders(h.app, at(18, 30)))["lessons"] == 0
    assert (await ReminderPlanner(h.app.settings).run(h.app.sessions, at(19, 5)))["lessons"] == 0
    rows = await outbox(h, "lessons")
    assert [r.key for r in rows] == [f"lessons:{TEACHER}:{demo.school_id}:{DAY}"]

    stats = await send_outbox(h.app, h.bot, clock=moving_clock(at(18, 1)))
    assert stats.sent == 1
    assert len(sent_to(h, TEACHER)) == 1
    reminder = teacher.last()
    async with h.db() as session:
        klass = (await session.get(SchoolClass, second.class_id)).name
    assert klass in reminder.text and str(second.period) in reminder.text
    _text, data = find_button(teacher, "jl:open")
    assert data == LessonCB(a="open", t=second.id, d=DAY.toordinal()).pack()
    # The button opens that lesson's entry (the journal's own screen, with the class list).
    sheet = await press_data(teacher, data)
    assert klass in sheet.text and find_button(teacher, f"jl:att:{second.id}:{DAY.toordinal()}")
    assert (await send_outbox(h.app, h.bot, clock=moving_clock(at(18, 2)))).sent == 0

    # Next day everything is filled: no reminder at all.
    next_day = DAY + timedelta(days=1)
    await fill(h, staff_id, next_day, graded=True)
    assert (await plan_reminders(h.app, at(18, 0, next_day)))["lessons"] == 0

    # Grades entered between planning and sending: the reminder is dropped, not sent.
    friday = DAY + timedelta(days=2)
    await fill(h, staff_id, friday, graded=False)
    assert (await plan_reminders(h.app, at(18, 0, friday)))["lessons"] == 1
    await fill(h, staff_id, friday, graded=True)
    stats = await send_outbox(h.app, h.bot, clock=moving_clock(at(18, 3, friday)))
    assert stats.sent == 0 and stats.skipped == 1
    assert len(sent_to(h, TEACHER)) == 1
    # Quiet hours and weekends: nothing planned.
    assert not await plan_reminders(h.app, at(21, 30, DAY + timedelta(days=5)))
    assert (await plan_reminders(h.app, at(18, 0, DAY + timedelta(days=3))))["lessons"] == 0  # Saturday


async def test_restart_between_planning_and_sending_neither_loses_nor_duplicates(database_url):
    h = await Harness.start(database_url)
    async with h.db() as session:
        demo = await seed_demo(session, today=DAY)
    await link_teacher(h, demo.teacher_phone)
    created = await plan_reminders(h.app, at(18, 0))
    assert created["lessons"] == 1
    # The process stops before sending; another row was being sent when it died.
    async with h.db() as session:
        session.add(Outbox(key="course:7001:crashed", kind="course", user_id=TEACHER, status="sending",
                           payload={"course": "criteria_journal", "done": 1}, created_at=at(17, 0), tries=1,
                           next_try_at=at(17, 10), claimed_by="old-host:1:dead"))
    await h.stop()

    h2 = await Harness.start(database_url)
    try:
        h2.user(TEACHER, "Dilnoza")
        assert sum((await plan_reminders(h2.app, at(18, 0))).values()) == 0  # the new process plans nothing again
        stats = await send_outbox(h2.app, h2.bot, clock=moving_clock(at(18, 20)))
        assert (stats.sent, stats.unknown) == (1, 1)
        assert (await send_outbox(h2.app, h2.bot, clock=moving_clock(at(18, 21)))).sent == 0
        assert len(sent_to(h2, TEACHER)) == 1
        statuses = {r.key: r.status for r in await outbox(h2)}
        assert statuses["course:7001:crashed"] == "unknown"  # may have reached the user: never resent
        assert statuses[f"lessons:{TEACHER}:{demo.school_id}:{DAY}"] == "sent"
    finally:
        await h2.stop()


async def test_flood_wait_is_waited_out_and_delivered(school):
    h, demo = school
    await link_teacher(h, demo.teacher_phone)
    h.user(TEACHER)
    await plan_reminders(h.app, at(18, 0))
    h.api.fail_next("sendMessage", error_code=429, retry_after=1)
    started = time.monotonic()
    stats = await send_outbox(h.app, h.bot, clock=moving_clock(at(18, 1)))
    assert stats.sent == 1 and stats.retried == 1
    assert time.monotonic() - started >= 1.0
    calls = h.api.calls_of("sendMessage")
    assert [c.error_code for c in calls if not c.ok] == [429] and len([c for c in calls if c.ok]) == 1
    assert calls[-1].time - calls[0].time >= 1.0
    [row] = await outbox(h, "lessons")
    assert (row.status, row.tries) == ("sent", 2)


async def test_blocked_user_is_marked_and_not_retried(school):
    h, demo = school
    await link_teacher(h, demo.teacher_phone)
    h.user(TEACHER)
    await plan_reminders(h.app, at(18, 0))
    h.api.block(TEACHER)
    stats = await send_outbox(h.app, h.bot, clock=moving_clock(at(18, 1)))
    assert stats.blocked == 1 and stats.sent == 0
    async with h.db() as session:
        assert (await session.get(User, TEACHER)).blocked_at is not None
    [row] = await outbox(h, "lessons")
    assert row.status == "blocked"
    attempts = len(h.api.calls_of("sendMessage"))
    await send_outbox(h.app, h.bot, clock=moving_clock(at(18, 30)))
    assert len(h.api.calls_of("sendMessage")) == attempts
    # Nothing more is planned for a user who blocked the bot.
    assert (await plan_reminders(h.app, at(18, 0, DAY + timedelta(days=1))))["lessons"] == 0


async def test_two_senders_never_send_the_same_row(tmp_path):
    h = await Harness.start(sqlite_url(tmp_path / "two.db"))
    try:
        users = list(range(9000, 9030))
        async with h.db() as session:
            session.add_all(User(id=u, tg_name="T", created_at=datetime.now(UTC), language="uz") for u in users)
            session.add_all(Outbox(key=f"course:{u}:2025W40", kind="course", user_id=u, status="pending",
                                   payload={"course": "criteria_journal", "done": 3}, created_at=at(16, 0),
                                   next_try_at=at(16, 0), tries=0) for u in users)
        for u in users:
            h.user(u)

        def sender(name: str) -> OutboxSender:
            return OutboxSender(sessions=h.app.sessions, bot=h.bot, i18n=h.app.i18n, render=render,
                                limiter=RateLimiter(200), clock=moving_clock(at(16, 1)), claimed_by=name, workers=4)

        first, second = await asyncio.gather(sender("a").run(), sender("b").run())
        assert first.sent + second.sent == len(users)
        delivered = [int(c.params["chat_id"]) for c in h.api.calls_of("sendMessage") if c.ok]
        assert sorted(delivered) == users
        async with h.db() as session:
            assert await session.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "sent")) == 30
    finally:
        await h.stop()


async def test_parent_weekly_summary_and_low_grade_notice(school):
    h, demo = school
    child = demo.student_ids[0]
    async with h.db() as session:
        session.add(User(id=PARENT, tg_name="P", created_at=datetime.now(UTC), role="parent", language="uz"))
        await session.flush()
        session.add(ParentLink(user_id=PARENT, student_id=child, created_at=datetime.now(UTC)))
    parent = h.user(PARENT, "Ota", language_code="uz")

    # The parent moves the weekly summary to Friday 09:00 with the buttons.
    await parent.send("/reminders")
    await parent.wait_for()
    await press_data(parent, "rm:kind:parent_weekly")
    await press_data(parent, "rm:day:parent_weekly:4")
    await press_data(parent, "rm:hour:parent_weekly:9")
    async with h.db() as session:
        setting = await session.scalar(select(ReminderSetting).where(ReminderSetting.user_id == PARENT,
                                                                     ReminderSetting.kind == "parent_weekly"))
        assert (setting.enabled, setting.weekday, setting.hour) == (True, 4, 9)

    friday = DAY + timedelta(days=2)
    assert (await plan_reminders(h.app, at(8, 30, friday)))["parent_weekly"] == 0
    assert (await plan_reminders(h.app, at(9, 0, friday)))["parent_weekly"] == 1
    assert (await plan_reminders(h.app, at(18, 0, DAY + timedelta(days=3))))["parent_weekly"] == 0  # not Saturday
    await send_outbox(h.app, h.bot, clock=moving_clock(at(9, 1, friday)))
    summary = parent.last()
    async with h.db() as session:
        name = (await session.get(Student, child)).full_name
    assert name in summary.text and find_button(parent, f"ch:card:{child}")

    # A grade of 2 entered at 21:40 is noticed at once, but delivered after the quiet hours.
    evening = at(21, 40, friday)
    async with h.db() as session:
        lesson = await session.scalar(select(JournalLesson).join(Student, Student.class_id == JournalLesson.class_id)
                                      .where(Student.id == child, JournalLesson.lesson_date == DAY - timedelta(days=1))
                                      .limit(1))
        lesson.updated_at = evening
        mark = await session.scalar(select(JournalMark).where(JournalMark.lesson_id == lesson.id,
                                                              JournalMark.student_id == child))
        mark.grade, mark.attendance, mark.updated_at = 2, "present", evening
    plan_at = evening + timedelta(minutes=2)
    assert (await plan_reminders(h.app, plan_at))["parent_alert"] == 1
    assert (await plan_reminders(h.app, plan_at + timedelta(minutes=2)))["parent_alert"] == 0
    [alert] = await outbox(h, "parent_alert")
    assert alert.next_try_at == at(8, 0, friday + timedelta(days=1))
    before = len(sent_to(h, PARENT))
    await send_outbox(h.app, h.bot, clock=moving_clock(plan_at + timedelta(minutes=1)))
    assert len(sent_to(h, PARENT)) == before
    await send_outbox(h.app, h.bot, clock=moving_clock(at(8, 0, friday + timedelta(days=1))))
    assert len(sent_to(h, PARENT)) == before + 1 and "2" in parent.last().text


async def test_settings_menu_toggles_and_hours(school):
    h, demo = school
    await link_teacher(h, demo.class_teacher_phone, quiet_kinds=False)
    teacher = h.user(TEACHER)
    await teacher.send("/menu")
    await teacher.wait_for()
    home = await press_data(teacher, "m:remind")
    assert "rm:kind:lessons" in str(home.inline_buttons()) and "rm:kind:class_daily" in str(home.inline_buttons())
    assert "parent_weekly" not in str(home.inline_buttons())
    assert "rm:kind:data_check" in str(home.inline_buttons())  # a class teacher: the term's data check
    deadlines = await press_data(teacher, "rm:kind:deadlines")
    assert "БСБ" in deadlines.text and "СОР" not in deadlines.text  # the Uzbek school's names, in Russian
    await press_data(teacher, "rm:home")
    await press_data(teacher, "rm:kind:lessons")
    await press_data(teacher, "rm:hour:lessons:15")
    screen = await press_data(teacher, "rm:toggle:lessons")
    assert "rm:hour" not in str(screen.inline_buttons())  # switched off: no hours to pick
    async with h.db() as session:
        setting = await session.scalar(select(ReminderSetting).where(ReminderSetting.user_id == TEACHER,
                                                                     ReminderSetting.kind == "lessons"))
        assert (setting.enabled, setting.hour) == (False, 15)
    # A forged hour inside the quiet window changes nothing.
    await teacher.click_data("rm:hour:lessons:23")
    await teacher.wait_idle()
    async with h.db() as session:
        assert (await session.get(ReminderSetting, setting.id)).hour == 15
    # Switched off: nothing planned for this teacher's lessons.
    assert (await plan_reminders(h.app, at(18, 0)))["lessons"] == 0


async def test_summatives_told_once_per_stage_in_one_message(school):
    h, demo = school
    await link_teacher(h, demo.teacher_phone, quiet_kinds=False)
    async with h.db() as session:
        for kind in ("course", "lessons", "head_summary", "class_daily", "class_weekly", "data_check"):
            await save_pref(session, TEACHER, kind, enabled=False)
    teacher = h.user(TEACHER)
    # The demo's section summatives are due on Saturday (DAY + 3).
    days = {"wed": DAY, "thu": DAY + timedelta(days=1), "fri": DAY + timedelta(days=2),
            "mon": DAY + timedelta(days=5)}
    assert (await plan_reminders(h.app, at(8, 59, days["wed"])))["summatives"] == 0
    assert (await plan_reminders(h.app, at(9, 0, days["wed"])))["summatives"] == 1
    assert (await plan_reminders(h.app, at(10, 0, days["wed"])))["summatives"] == 0
    await send_outbox(h.app, h.bot, clock=moving_clock(at(10, 1, days["wed"])))
    told = teacher.last().text
    assert "3" in told and told.count("•") >= 1
    # An Uzbek school's summatives keep their Uzbek name in a Russian interface (БСБ, never СОР).
    assert "БСБ" in told and "СОР" not in told
    assert (await plan_reminders(h.app, at(9, 0, days["thu"])))["summatives"] == 0   # still the 3-day stage
    assert (await plan_reminders(h.app, at(9, 0, days["fri"])))["summatives"] == 1   # the day before
    assert (await plan_reminders(h.app, at(9, 0, days["mon"])))["summatives"] == 1   # overdue, no results
    await send_outbox(h.app, h.bot, clock=moving_clock(at(9, 1, days["mon"])))
    assert len(sent_to(h, TEACHER)) == 3
    markers = [r for r in await outbox(h, "summative")]
    assert markers and all(r.status == "merged" for r in markers)
    assert len({r.key for r in markers}) == len(markers)


async def test_each_user_at_their_own_hour_after_the_default_pass(school):
    h, demo = school
    await link_teacher(h, demo.teacher_phone)                     # lessons at the default 18:00
    await link_teacher(h, demo.class_teacher_phone, user_id=7002)  # lessons moved to 20:00
    async with h.db() as session:
        await save_pref(session, 7002, "lessons", hour=20)
    assert dict(await plan_reminders(h.app, at(17, 0))) == {}
    assert [r.user_id for r in await outbox(h, "lessons")] == []
    await plan_reminders(h.app, at(18, 0))
    assert [r.user_id for r in await outbox(h, "lessons")] == [TEACHER]
    await plan_reminders(h.app, at(19, 0))
    assert [r.user_id for r in await outbox(h, "lessons")] == [TEACHER]
    await plan_reminders(h.app, at(20, 0))
    assert [r.user_id for r in await outbox(h, "lessons")] == [TEACHER, 7002]
    # After a restart (a fresh planner) at 20:30, everyone due is considered again; nothing is repeated.
    assert sum((await ReminderPlanner(h.app.settings).run(h.app.sessions, at(20, 30))).values()) == 0


async def test_background_run_started_by_the_job_stops_cleanly(tmp_path):
    h = await Harness.start(sqlite_url(tmp_path / "kick.db"), broadcast_rate=10)
    try:
        users = list(range(9100, 9140))
        now = datetime.now(UTC)
        async with h.db() as session:
            session.add_all(User(id=u, tg_name="T", created_at=now, language="ru") for u in users)
            session.add_all(Outbox(key=f"course:{u}:stop", kind="course", user_id=u, status="pending", tries=0,
                                   payload={"course": "criteria_journal", "done": 1}, created_at=now, next_try_at=now)
                            for u in users)
        for u in users:
            h.user(u)
        await kick_outbox(h.app, h.bot)
        first = h.app.extras["outbox_task"]
        await kick_outbox(h.app, h.bot)  # the job again while the run goes on: no second run
        assert h.app.extras["outbox_task"] is first
        await wait_until(lambda: any(c.ok for c in h.api.calls_of("sendMessage")))  # the run is under way
        await stop_outbox(h.app)
        assert first.done()
        statuses = [r.status for r in await outbox(h)]
        sent = statuses.count("sent")
        assert 0 < sent < len(users) and statuses.count("pending") == len(users) - sent  # none left "sending"
        assert len([c for c in h.api.calls_of("sendMessage") if c.ok]) == sent
    finally:
        await h.stop()
