"""Onboarding's and the course's use cases on their own (no aiogram, no dispatcher): a SQLite file with the demo
school, a unit of work per request, and a clock the test moves. A refusal writes nothing; phone linking is one
function for a user sharing their number and for the roster import."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.demo import seed_demo
from content.catalogue import MAIN_COURSE, catalogue
from domain.roles import Role
from storage.db import create_engine, migrate, session_factory
from storage.models import CourseProgress, LessonProgress, ParentLink, QuizRun, Staff, User
from storage.repositories.invites import create_invite
from storage.repositories.memberships import link_listed_phones
from usecases import course, onboarding
from usecases.clock import FakeClock
from usecases.onboarding import (
    ExpiredCode,
    NotACode,
    NotSchoolHead,
    OutdatedButton,
    PhoneLink,
    UnknownCode,
    UsedCode,
)
from usecases.uow import UnitOfWork

T0 = datetime(2026, 9, 3, 9, 0, tzinfo=UTC)
NEWCOMER, OTHER, HEAD = 8001, 8002, 8003


@pytest.fixture
async def demo(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'onboarding.db'}")
    await migrate(engine)
    sessions = session_factory(engine)
    async with sessions() as session:
        school = await seed_demo(session, today=date(2026, 9, 3))
        session.add_all(User(id=uid, tg_name=f"User {uid}", created_at=T0, language="ru") for uid in
                        (NEWCOMER, OTHER, HEAD))
        await session.commit()
    try:
        yield sessions, school
    finally:
        await engine.dispose()


async def run(sessions, use_case, *args, **kwargs):
    async with UnitOfWork(sessions) as uow:
        return await use_case(uow, *args, **kwargs)


async def count(sessions, model, *where) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def test_a_shared_phone_links_once_then_says_already_taken_or_unknown(demo):
    sessions, school = demo
    shared = await run(sessions, onboarding.share_phone, NEWCOMER, NEWCOMER, "+" + school.teacher_phone,
                       Role.TEACHER, T0)
    assert shared.link is PhoneLink.LINKED and shared.menu.role is Role.TEACHER
    again = await run(sessions, onboarding.share_phone, NEWCOMER, NEWCOMER, school.teacher_phone, Role.TEACHER, T0)
    assert again.link is PhoneLink.ALREADY and again.menu is not None
    taken = await run(sessions, onboarding.share_phone, OTHER, OTHER, school.teacher_phone, Role.TEACHER, T0)
    assert taken.link is PhoneLink.TAKEN and taken.menu is None
    unknown = await run(sessions, onboarding.share_phone, OTHER, OTHER, "+998 99 999 99 99", Role.PARENT, T0)
    assert unknown.link is PhoneLink.UNKNOWN
    async with sessions() as session:
        staff = await session.scalar(select(Staff).where(Staff.phone == school.teacher_phone))
        assert (staff.user_id, staff.confirmed_via, staff.confirmed_at) == (NEWCOMER, "phone", T0.replace(tzinfo=UTC))
        assert (await session.get(User, NEWCOMER)).role == Role.TEACHER.value


async def test_someone_elses_contact_changes_nothing(demo):
    sessions, school = demo
    foreign = await run(sessions, onboarding.share_phone, NEWCOMER, OTHER, school.teacher_phone, Role.TEACHER, T0)
    assert foreign == onboarding.PhoneShared(PhoneLink.FOREIGN, None)
    async with sessions() as session:
        assert (await session.get(User, NEWCOMER)).phone is None
    assert await count(sessions, Staff, Staff.user_id == NEWCOMER) == 0


async def test_a_parents_phone_links_every_listed_child(demo):
    sessions, school = demo
    shared = await run(sessions, onboarding.share_phone, NEWCOMER, NEWCOMER, school.parent_phone, Role.PARENT, T0)
    assert shared.link is PhoneLink.LINKED and shared.menu.role is Role.PARENT
    children = await count(sessions, ParentLink, ParentLink.user_id == NEWCOMER)
    assert children >= 1
    again = await run(sessions, onboarding.share_phone, NEWCOMER, NEWCOMER, school.parent_phone, Role.PARENT, T0)
    assert again.link is PhoneLink.ALREADY
    assert await count(sessions, ParentLink, ParentLink.user_id == NEWCOMER) == children


async def test_an_import_links_people_who_shared_their_phone_the_same_way(demo):
    sessions, school = demo
    async with sessions() as session:
        (await session.get(User, NEWCOMER)).phone = school.teacher_phone
        (await session.get(User, OTHER)).phone = school.parent_phone
        linked = await link_listed_phones(session, T0, school_id=school.school_id)
        await session.commit()
    assert linked.staff == 1 and linked.children >= 1
    async with sessions() as session:
        staff = await session.scalar(select(Staff).where(Staff.phone == school.teacher_phone))
        assert (staff.user_id, staff.confirmed_via) == (NEWCOMER, "phone")
        again = await link_listed_phones(session, T0, school_id=school.school_id)
    assert not again.any  # a second import links nothing twice
    with pytest.raises(ValueError):
        async with sessions() as session:
            await link_listed_phones(session, T0)


async def test_invite_codes_link_once_and_refusals_write_nothing(demo):
    sessions, school = demo
    clock = FakeClock(T0)
    async with sessions() as session:
        invite = await create_invite(session, kind="parent", school_id=school.school_id,
                                     student_id=school.student_ids[0], now=T0, valid_days=3, created_by=None)
        late = await create_invite(session, kind="parent", school_id=school.school_id,
                                   student_id=school.student_ids[1], now=T0, valid_days=3, created_by=None)
        await session.commit()
    with pytest.raises(NotACode):
        await run(sessions, onboarding.redeem_code, NEWCOMER, "NOT-A-CODE", Role.PARENT, clock.now())
    with pytest.raises(UnknownCode):
        await run(sessions, onboarding.redeem_code, NEWCOMER, "ABCD-EFGH-JKMN", Role.PARENT, clock.now())
    linked = await run(sessions, onboarding.redeem_code, NEWCOMER, invite.display.lower(), Role.TEACHER, clock.now())
    assert linked.for_parent and linked.child and linked.class_name and linked.menu.role is Role.PARENT
    with pytest.raises(UsedCode):
        await run(sessions, onboarding.redeem_code, OTHER, invite.display, Role.PARENT, clock.now())
    clock.advance(days=4)
    with pytest.raises(ExpiredCode):
        await run(sessions, onboarding.redeem_code, OTHER, late.display, Role.PARENT, clock.now())
    assert await count(sessions, ParentLink, ParentLink.user_id == OTHER) == 0
    async with sessions() as session:
        assert (await session.get(User, OTHER)).role is None


async def test_roles_offered_and_chosen(demo):
    sessions, school = demo
    with pytest.raises(OutdatedButton):
        await run(sessions, onboarding.choose_role, NEWCOMER, "pilot")
    choice = await run(sessions, onboarding.choose_role, NEWCOMER, "admin")
    assert choice.role is Role.ADMIN and choice.menu is None  # must link themselves first
    assert (await run(sessions, onboarding.role_choices, NEWCOMER)).onboarded is False
    await run(sessions, onboarding.share_phone, NEWCOMER, NEWCOMER, school.head_phone, Role.ADMIN, T0)
    roles = await run(sessions, onboarding.role_choices, NEWCOMER)
    assert roles.onboarded and roles.roles[0] is Role.TEACHER and Role.ADMIN in roles.roles[:2]
    choice = await run(sessions, onboarding.choose_role, NEWCOMER, "teacher")
    assert choice.menu == onboarding.MenuView(Role.TEACHER, True)
    assert await run(sessions, onboarding.current_role, NEWCOMER) is Role.TEACHER


async def test_language_is_one_of_the_supported(demo):
    sessions, _school = demo
    with pytest.raises(OutdatedButton):
        await run(sessions, onboarding.set_language, NEWCOMER, "en", ("uz", "ru"))
    menu = await run(sessions, onboarding.set_language, NEWCOMER, "uz", ("uz", "ru"))
    assert menu.role is None  # before onboarding: the choice of roles
    async with sessions() as session:
        assert (await session.get(User, NEWCOMER)).language == "uz"


async def test_a_picked_school_is_confirmed_by_its_head_only(demo):
    sessions, school = demo
    await run(sessions, onboarding.share_phone, HEAD, HEAD, school.head_phone, Role.ADMIN, T0)
    page = await run(sessions, onboarding.schools_page, 0)
    assert page.total == 1 and page.schools[0][0] == school.school_id and not page.has_next
    with pytest.raises(OutdatedButton):
        await run(sessions, onboarding.pick_school, NEWCOMER, 999_999)
    picked = await run(sessions, onboarding.pick_school, NEWCOMER, school.school_id)
    assert not picked.confirmed and [h.id for h in picked.heads] == [HEAD]
    assert picked.menu.role is Role.TEACHER and picked.teacher.id == NEWCOMER
    with pytest.raises(NotSchoolHead):
        await run(sessions, onboarding.answer_join, OTHER, NEWCOMER, school.school_id, True, T0)
    assert await count(sessions, Staff, Staff.user_id == NEWCOMER) == 0
    answer = await run(sessions, onboarding.answer_join, HEAD, NEWCOMER, school.school_id, True, T0)
    assert answer.approved and not answer.already and answer.teacher.id == NEWCOMER
    again = await run(sessions, onboarding.answer_join, HEAD, NEWCOMER, school.school_id, False, T0)
    assert again.already  # the first answer counts
    async with sessions() as session:
        staff = await session.scalar(select(Staff).where(Staff.user_id == NEWCOMER))
        assert staff.confirmed_via == "head"
    assert (await run(sessions, onboarding.pick_school, NEWCOMER, school.school_id)).confirmed


async def test_blocking_is_noted_and_undone(demo):
    sessions, _school = demo
    await run(sessions, onboarding.note_blocked, NEWCOMER, T0)
    async with sessions() as session:
        assert (await session.get(User, NEWCOMER)).blocked_at is not None
    await run(sessions, onboarding.note_unblocked, NEWCOMER)
    async with sessions() as session:
        assert (await session.get(User, NEWCOMER)).blocked_at is None


# --- the course ----------------------------------------------------------------------------------------------------


async def test_reading_remembers_the_page_and_refuses_unknown_lessons(demo):
    sessions, _school = demo
    home = await run(sessions, course.course_home, NEWCOMER, MAIN_COURSE, "ru")
    assert (home.lesson, home.page, home.started, home.passed) == (1, 0, False, 0)
    page = await run(sessions, course.read_page, NEWCOMER, MAIN_COURSE, 2, 99, "ru", T0)
    assert page.lesson.number == 2 and page.page == len(page.lesson.pages) - 1  # clamped to the last page
    home = await run(sessions, course.course_home, NEWCOMER, MAIN_COURSE, "ru")
    assert (home.lesson, home.page, home.started) == (2, page.page, True)
    for course_id, lesson_no in (("no_such_course", 1), (MAIN_COURSE, 0), (MAIN_COURSE, 999)):
        with pytest.raises(course.StaleCourseButton):
            await run(sessions, course.read_page, OTHER, course_id, lesson_no, 0, "ru", T0)
    assert await count(sessions, CourseProgress, CourseProgress.user_id == OTHER) == 0


def _right_choice(task: course.Task) -> int:
    return task.order.index(task.question.correct)


async def test_lesson_tasks_count_each_answer_once_and_pass_the_lesson(demo):
    sessions, _school = demo
    clock = FakeClock(T0)
    task = await run(sessions, course.start_tasks, NEWCOMER, MAIN_COURSE, 1, "ru", clock.now(), random.Random(1))
    assert task.position == 0 and task.total == len(catalogue()[MAIN_COURSE].text("ru").lesson(1).questions)
    with pytest.raises(course.StaleCourseButton):  # another teacher's run
        await run(sessions, course.answer_task, OTHER, task.run_id, 0, 0, "ru", 60.0, clock.now())
    answer = None
    while task is not None:
        answer = await run(sessions, course.answer_task, NEWCOMER, task.run_id, task.position, _right_choice(task),
                           "ru", 60.0, clock.advance(seconds=5))
        assert answer.right is True
        double = await run(sessions, course.answer_task, NEWCOMER, task.run_id, task.position, 0, "ru", 60.0,
                           clock.now())
        assert double.right is None  # a double tap: nothing recorded
        task = answer.task
    result = answer.result
    assert result.passed and result.correct == result.total and result.lesson_no == 1 and not result.last_lesson
    async with sessions() as session:
        progress = await session.scalar(select(LessonProgress).where(LessonProgress.user_id == NEWCOMER))
        assert progress.passed and progress.tries == 1
        assert (await session.scalar(select(CourseProgress.lesson_no).where(CourseProgress.user_id == NEWCOMER))) == 2
    listed = await run(sessions, course.lesson_list, NEWCOMER, MAIN_COURSE, 1, "ru")
    assert 1 in listed.passed


async def test_begun_tasks_resume_at_the_next_question(demo):
    sessions, _school = demo
    first = await run(sessions, course.start_tasks, NEWCOMER, MAIN_COURSE, 2, "ru", T0)
    await run(sessions, course.answer_task, NEWCOMER, first.run_id, 0, 0, "ru", 60.0, T0 + timedelta(seconds=5))
    resumed = await run(sessions, course.start_tasks, NEWCOMER, MAIN_COURSE, 2, "ru", T0 + timedelta(minutes=1))
    assert (resumed.run_id, resumed.position) == (first.run_id, 1)
    assert await count(sessions, QuizRun, QuizRun.user_id == NEWCOMER) == 1
