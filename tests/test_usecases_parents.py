"""The parents' and the class teacher's use cases on their own: no dispatcher, no aiogram, a SQLite file with
the demo school and a fixed clock. Anyone else's child or class is refused, and nothing is written then."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.demo import seed_demo
from domain.countries import local_day
from domain.invites import InviteState
from domain.journal import week_start
from storage.db import create_engine, migrate, session_factory
from storage.models import InviteCode, ParentLink, Staff, User
from storage.repositories.invites import redeem_invite
from usecases import class_teacher, parents
from usecases.clock import FakeClock
from usecases.errors import NotAllowed, NotFound, NotYourChild
from usecases.uow import UnitOfWork

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # a Friday in the second term
PARENT, OTHER_PARENT, CLASS_TEACHER, TEACHER = 8100, 8101, 8200, 8201


@pytest.fixture
async def school(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'usecases.db'}")
    await migrate(engine)
    sessions = session_factory(engine)
    async with sessions() as session:
        demo = await seed_demo(session, clock=FakeClock(NOW - timedelta(hours=1)))
        session.add_all([User(id=uid, tg_name="U", created_at=NOW, role="parent", language="ru")
                         for uid in (PARENT, OTHER_PARENT, CLASS_TEACHER, TEACHER)])
        await session.flush()
        session.add(ParentLink(user_id=PARENT, student_id=demo.student_ids[0], created_at=NOW))
        session.add(ParentLink(user_id=OTHER_PARENT, student_id=demo.student_ids[-1], created_at=NOW))
        for uid, phone in ((CLASS_TEACHER, demo.class_teacher_phone), (TEACHER, demo.teacher_phone)):
            (await session.scalar(select(Staff).where(Staff.phone == phone))).user_id = uid
        await session.commit()
    try:
        yield sessions, demo
    finally:
        await engine.dispose()


def test_use_cases_need_no_aiogram():
    code = ("import sys, usecases.parents, usecases.class_teacher; "
            "sys.exit(any(m.split('.')[0] == 'aiogram' for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


async def test_parent_reads_their_child(school):
    sessions, demo = school
    mine = demo.student_ids[0]
    async with UnitOfWork(sessions) as uow:
        [child] = await parents.children(uow, PARENT)
        assert child.id == mine and child.class_name == "5-A" and child.country == "UZ"
        assert [c.id for c in await parents.my_children(uow, PARENT)] == [mine]
        this_week = week_start(local_day(child.timezone, NOW))
        week = await parents.child_week(uow, PARENT, mine, NOW)
        assert (week.start, week.offset) == (this_week, 0) and week.summary.days
        assert (await parents.child_week(uow, PARENT, mine, NOW, -1)).start == this_week - timedelta(weeks=1)
        assert (await parents.child_week(uow, PARENT, mine, NOW, 3)).offset == 0  # never ahead
        assert (await parents.child_week(uow, PARENT, mine, NOW, -99)).offset == parents.OLDEST_WEEK
        assert (await parents.week_on(uow, PARENT, mine, this_week + timedelta(days=3))).start == this_week
        attendance = await parents.child_attendance(uow, PARENT, mine, NOW)
        assert attendance.term == 2 and attendance.summary.lessons > 0
        terms = await parents.child_terms(uow, PARENT, mine, NOW)
        assert terms.term == 2 and terms.term_marks and len(terms.terms) == 4
        homework = await parents.child_homework(uow, PARENT, mine, NOW)
        assert homework.day is not None and homework.day <= NOW.date() and homework.items
        chart = await parents.child_chart(uow, PARENT, mine, NOW)
        assert chart.summary.averages
        view = await parents.child_view(uow, PARENT, mine, None, NOW)
        assert view.id == mine and view.subjects and view.week_start == this_week


CHILD_READS = [
    lambda uow, parent, student: parents.open_child(uow, parent, student),
    lambda uow, parent, student: parents.child_week(uow, parent, student, NOW),
    lambda uow, parent, student: parents.week_on(uow, parent, student, NOW.date()),
    lambda uow, parent, student: parents.child_attendance(uow, parent, student, NOW),
    lambda uow, parent, student: parents.child_terms(uow, parent, student, NOW),
    lambda uow, parent, student: parents.child_homework(uow, parent, student, NOW),
    lambda uow, parent, student: parents.child_chart(uow, parent, student, NOW),
    lambda uow, parent, student: parents.child_view(uow, parent, student, None, NOW),
]


@pytest.mark.parametrize("read", CHILD_READS)
async def test_someone_elses_child_is_refused(school, read):
    sessions, demo = school
    mine, theirs = demo.student_ids[0], demo.student_ids[-1]
    async with UnitOfWork(sessions) as uow:
        for parent, student in ((PARENT, theirs), (OTHER_PARENT, mine), (TEACHER, mine), (PARENT, 10**9)):
            with pytest.raises(NotYourChild) as refused:
                await read(uow, parent, student)
            assert refused.value.code == "not_your_child" and refused.value.status == 403
            assert refused.value.text == "You can only see your own children."  # the chat's message, translated


async def test_class_teacher_sees_their_class_only(school):
    sessions, demo = school
    mine, other = demo.class_ids
    async with UnitOfWork(sessions) as uow:
        assert [k.id for k in await class_teacher.my_classes(uow, CLASS_TEACHER)] == [mine]
        glance = await class_teacher.class_glance(uow, CLASS_TEACHER, mine, NOW)
        assert glance.class_name == "5-A" and glance.has_term and glance.few_marks
        pick = await class_teacher.pick_class(uow, CLASS_TEACHER, NOW, codes=True)
        assert pick.glance is None and pick.codes.class_id == mine
        linked = {p.id for p in pick.codes.pupils if p.parent_linked}
        assert linked == {demo.student_ids[0]}
        for refused in (class_teacher.class_glance(uow, CLASS_TEACHER, other, NOW),
                        class_teacher.class_codes(uow, CLASS_TEACHER, other),
                        class_teacher.class_glance(uow, PARENT, mine, NOW)):
            with pytest.raises(class_teacher.NotYourClass):
                await refused
        assert await class_teacher.my_classes(uow, PARENT) == []
        assert (await class_teacher.pick_class(uow, PARENT, NOW, codes=False)).classes == []


async def test_a_code_issued_then_revoked_no_longer_links(school):
    sessions, demo = school
    klass, pupil = demo.class_ids[0], demo.student_ids[1]
    async with UnitOfWork(sessions) as uow:
        issued = await class_teacher.issue_code(uow, CLASS_TEACHER, klass, pupil, NOW, valid_days=3)
        assert uow.committed and issued.expires_on == (NOW + timedelta(days=3)).date()
    async with UnitOfWork(sessions) as uow:
        [line] = (await class_teacher.student_codes(uow, CLASS_TEACHER, klass, pupil, NOW)).codes
        assert (line.state, line.hint) == (InviteState.VALID, issued.code[-4:])
        revoked = await class_teacher.revoke_code(uow, CLASS_TEACHER, klass, line.invite_id, NOW)
        assert revoked.done and revoked.codes.codes[0].state is InviteState.REVOKED
    async with UnitOfWork(sessions) as uow:
        assert not (await class_teacher.revoke_code(uow, CLASS_TEACHER, klass, line.invite_id, NOW)).done
    async with sessions() as session:
        assert await redeem_invite(session, issued.code, OTHER_PARENT, NOW) is InviteState.REVOKED
        await session.commit()
        assert await session.scalar(select(func.count()).select_from(ParentLink).where(
            ParentLink.student_id == pupil)) == 0


async def test_codes_of_another_class_are_refused_and_nothing_is_written(school):
    sessions, demo = school
    mine, other = demo.class_ids
    their_pupil = demo.student_ids[-1]  # in 7-B, whose class teacher is TEACHER
    async with UnitOfWork(sessions) as uow:
        theirs = await class_teacher.issue_code(uow, TEACHER, other, their_pupil, NOW, valid_days=3)
    async with sessions() as session:
        invite_id = await session.scalar(select(InviteCode.id).where(InviteCode.student_id == their_pupil))
    attempts = [
        (class_teacher.NotYourClass, lambda uow: class_teacher.issue_code(uow, CLASS_TEACHER, other, their_pupil,
                                                                          NOW, 3)),
        (class_teacher.NotYourClass, lambda uow: class_teacher.revoke_code(uow, CLASS_TEACHER, other, invite_id,
                                                                           NOW)),
        # Their pupil or code through my class: an old or forged button.
        (class_teacher.ButtonOutOfDate, lambda uow: class_teacher.issue_code(uow, CLASS_TEACHER, mine, their_pupil,
                                                                             NOW, 3)),
        (class_teacher.ButtonOutOfDate, lambda uow: class_teacher.revoke_code(uow, CLASS_TEACHER, mine, invite_id,
                                                                              NOW)),
        (class_teacher.ButtonOutOfDate, lambda uow: class_teacher.student_codes(uow, CLASS_TEACHER, mine,
                                                                                their_pupil, NOW)),
    ]
    for error, attempt in attempts:
        async with UnitOfWork(sessions) as uow:
            with pytest.raises(error):
                await attempt(uow)
            assert not uow.committed
    assert issubclass(class_teacher.NotYourClass, NotAllowed) and issubclass(class_teacher.ButtonOutOfDate, NotFound)
    async with sessions() as session:
        invites = list(await session.scalars(select(InviteCode)))
        assert [(i.student_id, i.revoked_at) for i in invites] == [(their_pupil, None)]
        assert await redeem_invite(session, theirs.code, PARENT, NOW) is not InviteState.REVOKED
