"""The journal's use cases without a bot: the one gate every lesson edit passes (own lesson, not in the future,
screen not stale, a pupil of the class, a value of the scale), each write committed once with its history row.
SQLite in a temporary file, the demo school, a clock that stands still."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.demo import seed_demo
from storage.db import create_engine, migrate, session_factory
from storage.models import JournalChange, JournalLesson, JournalMark, School, Staff, Student, TimetableLesson, User
from usecases import journal, journal_grid
from usecases.clock import FakeClock
from usecases.errors import BadValue, NotAllowed, NotFound, StaleScreen, TooEarly
from usecases.journal import LessonState, SheetMode
from usecases.uow import UnitOfWork

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # a Thursday, 11:00 in Tashkent
TODAY = date(2026, 12, 3)
TEACHER, COLLEAGUE = 7001, 7002


class DemoLessons:
    """The demo school with its teacher linked, and the teacher's first lesson today."""

    def __init__(self, sessions, slot: TimetableLesson, pupil: int, foreign_pupil: int, colleagues_slot: int) -> None:
        self.sessions, self.slot, self.pupil = sessions, slot, pupil
        self.foreign_pupil, self.colleagues_slot = foreign_pupil, colleagues_slot

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    async def version(self) -> int:
        async with self.sessions() as session:
            return await session.scalar(select(JournalLesson.version).where(
                JournalLesson.class_id == self.slot.class_id, JournalLesson.subject_id == self.slot.subject_id,
                JournalLesson.lesson_date == TODAY, JournalLesson.period == self.slot.period)) or 0

    async def changes(self) -> int:
        async with self.sessions() as session:
            return await session.scalar(select(func.count()).select_from(JournalChange))


async def _link(session, user_id: int, phone: str) -> Staff:
    session.add(User(id=user_id, tg_name="T", created_at=NOW, role="teacher", language="ru"))
    await session.flush()
    staff = await session.scalar(select(Staff).where(Staff.phone == phone))
    staff.user_id = user_id
    return staff


@pytest.fixture
async def school(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'journal.db'}")
    await migrate(engine)
    sessions = session_factory(engine)
    async with sessions() as session:
        demo = await seed_demo(session, today=TODAY, clock=FakeClock(NOW))
        mine = await _link(session, TEACHER, demo.teacher_phone)
        theirs = await _link(session, COLLEAGUE, demo.class_teacher_phone)
        slot = await session.scalar(select(TimetableLesson).where(
            TimetableLesson.teacher_id == mine.id, TimetableLesson.weekday == TODAY.weekday())
            .order_by(TimetableLesson.period).limit(1))
        colleagues = await session.scalar(select(TimetableLesson.id).where(
            TimetableLesson.teacher_id == theirs.id, TimetableLesson.weekday == TODAY.weekday()).limit(1))
        pupil = await session.scalar(select(Student.id).where(Student.class_id == slot.class_id).limit(1))
        foreign = await session.scalar(select(Student.id).where(Student.class_id != slot.class_id).limit(1))
        await session.commit()
    try:
        yield DemoLessons(sessions, slot, pupil, foreign, colleagues)
    finally:
        await engine.dispose()


async def test_a_mark_is_written_once_with_its_history_row(school):
    before = await school.changes()
    async with school.uow() as uow:
        view = await journal.set_grade(uow, TEACHER, school.slot.id, TODAY, school.pupil, 0, 5, "regular", NOW)
        assert uow.committed
    assert view.row(school.pupil).cell.grade == 5 and view.version == 1 and view.mode is SheetMode.GRADES
    assert view.graded == 1 and view.note == ""
    async with school.sessions() as session:
        mark = await session.scalar(select(JournalMark).where(JournalMark.student_id == school.pupil,
                                                              JournalMark.grade.isnot(None))
                                    .order_by(JournalMark.id.desc()).limit(1))
        change = await session.scalar(select(JournalChange).where(JournalChange.student_id == school.pupil,
                                                                  JournalChange.field == "grade")
                                      .order_by(JournalChange.id.desc()).limit(1))
    assert mark.grade == 5 and mark.updated_by == TEACHER
    assert (change.old_value, change.new_value, change.changed_by, change.changed_at.replace(tzinfo=UTC)) == (
        None, "5", TEACHER, NOW)
    assert await school.changes() == before + 1


async def test_a_stale_screen_is_refused_with_the_fresh_sheet_and_nothing_written(school):
    async with school.uow() as uow:
        await journal.cycle_attendance(uow, TEACHER, school.slot.id, TODAY, school.pupil, 0, NOW)
    before = await school.changes()
    async with school.uow() as uow:
        with pytest.raises(StaleScreen) as refused:
            await journal.set_grade(uow, TEACHER, school.slot.id, TODAY, school.pupil, 0, 4, "regular", NOW)
        assert not uow.committed
    fresh = refused.value.view
    assert refused.value.code == "stale" and refused.value.data["version"] == 1
    assert fresh is not None and fresh.version == 1 and fresh.mode is SheetMode.GRADES
    assert fresh.row(school.pupil).cell.attendance == "absent"
    assert await school.changes() == before and await school.version() == 1
    # The Mini App's write goes through the same check: the same refusal, its fresh cell in the data.
    async with school.uow() as uow:
        with pytest.raises(StaleScreen) as refused:
            await journal_grid.set_cell(uow, TEACHER, school.slot.id, TODAY, school.pupil, 0, NOW, attendance="late")
    assert refused.value.data["cell"].attendance == "absent" and refused.value.view is None


@pytest.mark.parametrize("forged", ["colleagues_lesson", "other_weekday", "no_such_lesson", "foreign_pupil",
                                    "not_on_staff"])
async def test_forged_ids_are_refused(school, forged):
    slot, day, pupil, user = school.slot.id, TODAY, school.pupil, TEACHER
    if forged == "colleagues_lesson":
        slot = school.colleagues_slot
    elif forged == "other_weekday":
        day = TODAY - timedelta(days=1)
    elif forged == "no_such_lesson":
        slot = 10**6
    elif forged == "foreign_pupil":
        pupil = school.foreign_pupil
    else:
        user = 999
    before = await school.changes()
    async with school.uow() as uow:
        with pytest.raises(NotAllowed if forged != "no_such_lesson" else NotFound) as refused:
            await journal.cycle_attendance(uow, user, slot, day, pupil, 0, NOW)
    assert refused.value.text == "This is not your lesson, or the button is out of date."
    assert await school.changes() == before


@pytest.mark.parametrize("grade, kind", [(7, "regular"), (1, "regular"), (5, "weekly")])
async def test_a_mark_outside_the_scale_is_refused(school, grade, kind):
    async with school.uow() as uow:
        with pytest.raises(BadValue) as refused:
            await journal.set_grade(uow, TEACHER, school.slot.id, TODAY, school.pupil, 0, grade, kind, NOW)
    assert refused.value.code == "bad_value"
    assert await school.version() == 0


async def test_the_journal_is_not_filled_before_the_lesson_day(school):
    async with school.uow() as uow:
        with pytest.raises(TooEarly):
            await journal.open_sheet(uow, TEACHER, school.slot.id, TODAY + timedelta(days=7), NOW)


async def test_attendance_cycles_and_saving_moves_on_to_the_marks(school):
    async with school.uow() as uow:
        view = await journal.cycle_attendance(uow, TEACHER, school.slot.id, TODAY, school.pupil, 0, NOW)
    assert view.row(school.pupil).cell.attendance == "absent" and view.mode is SheetMode.ATTENDANCE
    assert view.present == len(view.rows) - 1 and not view.attendance_taken
    async with school.uow() as uow:
        view = await journal.save_attendance(uow, TEACHER, school.slot.id, TODAY, view.version, NOW)
    assert view.attendance_taken and view.mode is SheetMode.GRADES
    assert all(row.cell.attendance for row in view.rows)  # everyone else: an explicit "present"
    async with school.uow() as uow:  # a mark for the absent pupil is kept, with a note
        view = await journal.set_grade(uow, TEACHER, school.slot.id, TODAY, school.pupil, view.version, 4,
                                       "section", NOW)
    assert view.note == "absent_with_grade" and view.row(school.pupil).cell.kind == "section"


async def test_topic_and_homework_are_trimmed_and_cut(school):
    async with school.uow() as uow:
        view = await journal.set_text(uow, TEACHER, school.slot.id, TODAY, "topic", "  Kasrlar " + "x" * 400, NOW,
                                      SheetMode.GRADES)
    assert view.topic == ("Kasrlar " + "x" * 400)[:300] and view.mode is SheetMode.GRADES
    async with school.uow() as uow:
        with pytest.raises(BadValue):
            await journal.set_text(uow, TEACHER, school.slot.id, TODAY, "version", "1", NOW)


async def test_kazakh_summative_is_typed_as_points(school):
    async with school.sessions() as session:
        await session.execute(update(School).values(country="KZ", timezone="Asia/Almaty"))
        await session.commit()
    async with school.uow() as uow:
        with pytest.raises(journal.BadScore):
            await journal.set_summative(uow, TEACHER, school.slot.id, TODAY, school.pupil, 0, "section", "21/20",
                                        NOW)
    async with school.uow() as uow:  # a СОР is not a button mark in Kazakhstan
        with pytest.raises(journal.GradeNotUsed):
            await journal.set_grade(uow, TEACHER, school.slot.id, TODAY, school.pupil, 0, 5, "section", NOW)
    async with school.uow() as uow:
        view = await journal.set_summative(uow, TEACHER, school.slot.id, TODAY, school.pupil, 0, "section",
                                           "17/20", NOW)
    cell = view.row(school.pupil).cell
    assert (cell.grade, cell.points, cell.max_points, cell.kind) == (85, 17, 20, "section")
    assert view.summatives_scored and view.scale == tuple(range(1, 11))


async def test_the_day_lists_the_teachers_lessons_with_what_is_missing(school):
    async with school.uow() as uow:
        today = await journal.day_view(uow, TEACHER, None, NOW)
        yesterday = await journal.day_view(uow, TEACHER, TODAY - timedelta(days=1), NOW)
        later = await journal.day_view(uow, TEACHER, TODAY + timedelta(days=1), NOW)
        nobody = await journal.day_view(uow, 999, None, NOW)
    assert today.day == today.today == TODAY and today.items
    assert {item.state for item in today.items} == {LessonState.NO_ATTENDANCE}
    assert {item.state for item in yesterday.items} <= {LessonState.DONE, LessonState.NO_GRADES}
    assert {item.state for item in later.items} == {LessonState.FUTURE}
    assert not nobody.on_staff and not nobody.items


def test_the_sheet_and_the_picker_are_drawn_from_the_view_alone():
    """Screens are pure functions of a view: no bot, no database."""
    from dataclasses import replace

    from aiogram.utils.i18n import I18n

    from bot.i18n import compile_catalogues
    from bot.screens.journal import picker_screen, sheet_screen
    from usecases.journal import Cell, SheetRow, SheetView

    rows = (SheetRow(1, "Aliyev Sardor", Cell("absent", None, "regular")),
            SheetRow(2, "Karimova Madina", Cell("present", 85, "section", 17, 20)))
    view = SheetView(timetable_id=5, day=TODAY, period=2, class_name="7-B", subject_name="Tarix", country="KZ",
                     version=3, topic=None, homework="§4", attendance_taken=False, scale=tuple(range(1, 11)),
                     summatives_scored=True, mode=SheetMode.ATTENDANCE, rows=rows)
    data = lambda markup: [b.callback_data for row in markup.inline_keyboard for b in row]  # noqa: E731
    d = TODAY.toordinal()
    with (i18n := I18n(path=compile_catalogues(), default_locale="ru", domain="messages")).context(), \
            i18n.use_locale("ru"):
        text, markup = sheet_screen(view)
        assert "Присутствуют: 1/2" in text and "§4" in text
        assert data(markup)[:3] == [f"jl:att:5:{d}:1:0:3:", f"jl:att:5:{d}:2:0:3:", f"jl:save:5:{d}:0:0:3:"]
        assert "СОР (БЖБ) 17/20 (85 %)" in markup.inline_keyboard[0][1].text
        text, markup = picker_screen(view, 1)
        assert "Aliyev Sardor" in text and "17/20" in text
        assert f"jl:pct:5:{d}:1:0:3:section" in data(markup) and f"jl:grade:5:{d}:1:10:3:" in data(markup)
        uz = replace(view, country="UZ", scale=(2, 3, 4, 5), summatives_scored=False)
        assert f"jl:grade:5:{d}:1:4:3:term" in data(picker_screen(uz, 1)[1])
