"""Reminder rules of issue #10 and the capacity measures of issue #12, through the planner and the stand-in:
the class teacher's data check once a term, one weekly digest per parent for all their children on their
school's summary day, and the term-end minimum of marks by the subject's lessons a week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.scheduler import plan_reminders, send_outbox
from domain.reminders import summary_weekday
from storage.models import ParentLink, SchoolClass, Staff, Student, User
from storage.repositories.reminder_settings import save_pref
from tests.test_e2e_reminders import DAY, PARENT, TEACHER, at, link_teacher, moving_clock, outbox, school, sent_to

__all__ = ["school"]  # the fixture, shared with the reminders' end-to-end tests


async def test_class_teacher_checks_data_once_a_term_at_their_hour(school):
    h, demo = school
    await link_teacher(h, demo.class_teacher_phone, quiet_kinds=False)
    h.user(TEACHER)
    async with h.db() as session:
        for kind in ("course", "lessons", "head_summary", "class_daily", "class_weekly", "deadlines"):
            await save_pref(session, TEACHER, kind, enabled=False)
        staff = await session.scalar(select(Staff).where(Staff.user_id == TEACHER))
        klass = await session.scalar(select(SchoolClass.name).where(SchoolClass.class_teacher_id == staff.id))
    assert (await plan_reminders(h.app, at(9, 0)))["data_check"] == 0   # the default hour is 10:00
    assert (await plan_reminders(h.app, at(10, 0)))["data_check"] == 1
    assert (await plan_reminders(h.app, at(10, 0, DAY + timedelta(days=1))))["data_check"] == 0  # once a term
    [row] = await outbox(h, "data_check")
    assert row.user_id == TEACHER and row.key.startswith(f"data_check:{TEACHER}:")
    await send_outbox(h.app, h.bot, clock=moving_clock(at(10, 1)))
    [told] = sent_to(h, TEACHER)
    assert "📇" in told.params["text"] and f"• {klass}:" in told.params["text"]


async def test_data_check_can_be_switched_off(school):
    h, demo = school
    await link_teacher(h, demo.class_teacher_phone)  # every kind but lessons off, data_check included
    assert (await plan_reminders(h.app, at(10, 0)))["data_check"] == 0


async def test_one_weekly_digest_per_parent_for_all_children_on_the_school_day(school):
    h, demo = school
    first, second = demo.student_ids[0], demo.student_ids[-1]
    async with h.db() as session:
        session.add(User(id=PARENT, tg_name="P", created_at=datetime.now(UTC), role="parent", language="ru"))
        await session.flush()
        session.add_all([ParentLink(user_id=PARENT, student_id=s, created_at=datetime.now(UTC))
                         for s in (first, second)])
        names = [(await session.get(Student, s)).full_name for s in (first, second)]
    h.user(PARENT, "Ota", language_code="ru")
    day = summary_weekday(demo.school_id)
    summary_day = DAY + timedelta(days=(day - DAY.weekday()) % 7)
    assert (await plan_reminders(h.app, at(18, 0, summary_day - timedelta(days=1))))["parent_weekly"] == 0
    assert (await plan_reminders(h.app, at(17, 0, summary_day)))["parent_weekly"] == 0
    assert (await plan_reminders(h.app, at(18, 0, summary_day)))["parent_weekly"] == 1  # one for both children
    await send_outbox(h.app, h.bot, clock=moving_clock(at(18, 1, summary_day)))
    [digest] = sent_to(h, PARENT)
    assert all(name in digest.params["text"] for name in names)
    assert f"ch:card:{first}" in str(digest.params["reply_markup"]) and f"ch:card:{second}" in str(
        digest.params["reply_markup"])


async def test_paid_broadcast_is_opt_in_on_reminder_sends(tmp_path):
    from bot.demo import seed_demo
    from tests.harness import Harness, sqlite_url

    for paid in (False, True):
        h = await Harness.start(sqlite_url(tmp_path / f"paid-{paid}.db"), paid_broadcast=paid)
        try:
            async with h.db() as session:
                demo = await seed_demo(session, today=DAY)
            await link_teacher(h, demo.teacher_phone)
            h.user(TEACHER)
            assert (await plan_reminders(h.app, at(18, 0)))["lessons"] == 1
            await send_outbox(h.app, h.bot, clock=moving_clock(at(18, 1)))
            [sent] = sent_to(h, TEACHER)
            assert (str(sent.params.get("allow_paid_broadcast")).lower() == "true") is paid
        finally:
            await h.stop()


async def test_settings_use_cases_refuse_what_the_user_cannot_choose_and_save_nothing(school):
    """The settings' use cases without the chat: a kind the roles do not get, an hour in the quiet window or a
    weekday for a daily kind is refused and nothing is written; a change is committed once, at once."""
    from domain.reminders import QuietWindow
    from storage.models import ReminderSetting
    from usecases import reminders as settings
    from usecases.uow import UnitOfWork

    h, demo = school
    await link_teacher(h, demo.teacher_phone, quiet_kinds=False)
    quiet = QuietWindow(21, 8)
    async with UnitOfWork(h.app.sessions) as uow:
        user = await uow.session.get(User, TEACHER)
        home = await settings.reminders_home(uow, user, quiet)
        assert "lessons" in [p.kind for p in home.prefs] and "parent_weekly" not in [p.kind for p in home.prefs]
        for refused in (settings.kind_settings(uow, user, "parent_weekly", quiet),
                        settings.set_hour(uow, user, "lessons", 23, quiet),
                        settings.set_day(uow, user, "lessons", 2, quiet),
                        settings.toggle(uow, user, "no_such_kind", quiet)):
            with pytest.raises(settings.ReminderButtonStale):
                await refused
        assert not uow.committed
        view = await settings.set_hour(uow, user, "lessons", 15, quiet)
        assert uow.committed and (view.pref.hour, view.pref.enabled, view.weekly) == (15, True, False)
        assert 23 not in view.hours and 15 in view.hours
        assert not (await settings.toggle(uow, user, "lessons", quiet)).pref.enabled
    async with h.db() as session:
        rows = list(await session.scalars(select(ReminderSetting).where(ReminderSetting.user_id == TEACHER,
                                                                        ReminderSetting.kind == "lessons")))
        assert [(r.enabled, r.hour) for r in rows] == [(False, 15)]
