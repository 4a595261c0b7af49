"""Queries behind the reminders: set-based, for a chunk of schools at a time (never one query per lesson).

Journal rows are reached through `classes` (indexed by school) and the (class_id, lesson_date) index of
`journal_lessons`, so a day's computation reads only that day's rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import BigInteger, and_, exists, func, literal, or_, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reminders import WORK_WEEK, ExpectedLesson, Pref, SchoolCalendar, TermSpan, school_weekdays
from storage.models import (
    ExamAttempt,
    Holiday,
    JournalLesson,
    JournalMark,
    LessonProgress,
    Outbox,
    ParentLink,
    ReminderSetting,
    School,
    SchoolClass,
    Staff,
    Student,
    Subject,
    Summative,
    Term,
    TimetableLesson,
    User,
)
from storage.repositories.id_sets import one_of


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    country: str
    timezone: str


@dataclass(frozen=True)
class StaffUser:
    staff_id: int
    user_id: int
    school_id: int
    position: str


@dataclass(frozen=True)
class ClassInfo:
    id: int
    school_id: int
    grade: int
    class_teacher_id: int | None


@dataclass(frozen=True)
class SummativeInfo:
    id: int
    school_id: int
    class_id: int
    subject_id: int
    kind: str
    due_on: date


@dataclass(frozen=True)
class AlertMark:
    mark_id: int
    student_id: int
    school_id: int
    subject_id: int
    lesson_date: date
    grade: int | None
    attendance: str
    #: What the grade is: a lesson mark, or a summative (a per cent where scored as points over a maximum).
    kind: str = "regular"
    points: int | None = None
    max_points: int | None = None


async def begin_planning(session: AsyncSession) -> None:
    """PostgreSQL, for this transaction: no JIT compilation (the planner's queries are many and mid-sized;
    compiling each cost 70-110 ms, more than it saved), index lookups priced as on an SSD with the data cached
    (random_page_cost 1.1: otherwise a chunk's marks were read by scanning the whole table), room to sort in
    memory, and no parallel workers (the planner runs a few chunks at once instead; a parallel scan of a whole
    table per chunk is what the indexes are there to avoid). A server tuned so already loses nothing."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT set_config('jit', 'off', true), set_config('random_page_cost', '1.1', true),"
                                   " set_config('work_mem', '32MB', true),"
                                   " set_config('max_parallel_workers_per_gather', '0', true)"))


async def schools_by_timezone(session: AsyncSession) -> dict[str, list[SchoolInfo]]:
    rows = await session.execute(select(School.id, School.country, School.timezone).order_by(School.id))
    groups: dict[str, list[SchoolInfo]] = defaultdict(list)
    for school_id, country, tz in rows:
        groups[tz or "Asia/Tashkent"].append(SchoolInfo(school_id, country, tz or "Asia/Tashkent"))
    return dict(groups)


async def calendars(session: AsyncSession, school_ids: list[int], since: date) -> dict[int, SchoolCalendar]:
    """Terms (of the school years around `since`), holidays and timetable weekdays beyond Monday-Friday (which
    are school days anyway): three queries."""
    terms: dict[int, list[TermSpan]] = defaultdict(list)
    for row in await session.execute(
        select(Term.school_id, Term.id, Term.number, Term.school_year, Term.starts_on, Term.ends_on)
        .where(Term.school_id.in_(school_ids), Term.ends_on >= since)
    ):
        terms[row[0]].append(TermSpan(*row[1:]))
    holidays: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for school_id, start, end in await session.execute(
        select(Holiday.school_id, Holiday.starts_on, Holiday.ends_on)
        .where(Holiday.school_id.in_(school_ids), Holiday.ends_on >= since)
    ):
        holidays[school_id].append((start, end))
    weekdays: dict[int, set[int]] = defaultdict(set)
    for school_id, weekday in await session.execute(
        select(TimetableLesson.school_id, TimetableLesson.weekday)
        .where(TimetableLesson.school_id.in_(school_ids), TimetableLesson.weekday.notin_(sorted(WORK_WEEK))).distinct()
    ):
        weekdays[school_id].add(weekday)
    return {sid: SchoolCalendar(terms=tuple(sorted(terms[sid], key=lambda t: t.starts_on)),
                                holidays=tuple(holidays[sid]), weekdays=school_weekdays(weekdays[sid]))
            for sid in school_ids}


async def expected_lessons(session: AsyncSession, school_ids: list[int], day: date
                           ) -> dict[int, list[ExpectedLesson]]:
    """Every timetable slot of the day's weekday with what the journal holds: one query for all the schools."""
    graded = exists().where(JournalMark.lesson_id == JournalLesson.id, JournalMark.grade.isnot(None))
    rows = await session.execute(
        select(TimetableLesson.school_id, TimetableLesson.id, TimetableLesson.class_id, TimetableLesson.subject_id,
               TimetableLesson.teacher_id, TimetableLesson.period, SchoolClass.grade,
               JournalLesson.attendance_taken_at.isnot(None), graded)
        .join(SchoolClass, SchoolClass.id == TimetableLesson.class_id)
        .outerjoin(JournalLesson, and_(JournalLesson.class_id == TimetableLesson.class_id,
                                       JournalLesson.lesson_date == day,
                                       JournalLesson.subject_id == TimetableLesson.subject_id,
                                       JournalLesson.period == TimetableLesson.period))
        .where(TimetableLesson.school_id.in_(school_ids), TimetableLesson.weekday == day.weekday())
    )
    by_school: dict[int, list[ExpectedLesson]] = defaultdict(list)
    for school_id, tt_id, class_id, subject_id, teacher_id, period, grade, taken, has_grade in rows:
        by_school[school_id].append(ExpectedLesson(tt_id, class_id, subject_id, teacher_id, period, grade,
                                                   bool(taken), bool(has_grade)))
    return by_school


async def staff_users(session: AsyncSession, school_ids: list[int]) -> dict[int, StaffUser]:
    """Staff linked to a Telegram user who has not blocked the bot, by staff id."""
    rows = await session.execute(
        select(Staff.id, Staff.user_id, Staff.school_id, Staff.position)
        .join(User, User.id == Staff.user_id)
        .where(Staff.school_id.in_(school_ids), User.blocked_at.is_(None))
    )
    return {sid: StaffUser(sid, uid, school, position) for sid, uid, school, position in rows}


async def classes_of(session: AsyncSession, school_ids: list[int]) -> dict[int, ClassInfo]:
    rows = await session.execute(select(SchoolClass.id, SchoolClass.school_id, SchoolClass.grade,
                                        SchoolClass.class_teacher_id).where(SchoolClass.school_id.in_(school_ids)))
    return {row[0]: ClassInfo(*row) for row in rows}


async def subject_teachers(session: AsyncSession, school_ids: list[int]) -> dict[tuple[int, int], set[int]]:
    """Who teaches each (class, subject), from the timetable: staff ids."""
    rows = await session.execute(
        select(TimetableLesson.class_id, TimetableLesson.subject_id, TimetableLesson.teacher_id)
        .where(TimetableLesson.school_id.in_(school_ids), TimetableLesson.teacher_id.isnot(None)).distinct()
    )
    teachers: dict[tuple[int, int], set[int]] = defaultdict(set)
    for class_id, subject_id, teacher_id in rows:
        teachers[(class_id, subject_id)].add(teacher_id)
    return dict(teachers)


async def prefs_for(session: AsyncSession, user_ids: list[int], kinds: list[str]) -> dict[tuple[int, str], Pref]:
    """Stored reminder settings of these users (absent: the defaults)."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(ReminderSetting.user_id, ReminderSetting.kind, ReminderSetting.enabled, ReminderSetting.hour,
               ReminderSetting.weekday)
        .where(one_of(session, ReminderSetting.user_id, set(user_ids)), ReminderSetting.kind.in_(kinds)))
    return {(user_id, kind): Pref(bool(enabled), hour, weekday) for user_id, kind, enabled, hour, weekday in rows}


async def hour_chosen_between(session: AsyncSession, kinds: list[str], after: int, until: int) -> bool:
    """Has anyone set one of these kinds to an hour in (after, until]? (A small table: no user filter.)"""
    found = await session.scalar(select(ReminderSetting.id).where(
        ReminderSetting.kind.in_(kinds), ReminderSetting.enabled.is_(True), ReminderSetting.hour > after,
        ReminderSetting.hour <= until).limit(1))
    return found is not None


async def summatives_between(session: AsyncSession, school_ids: list[int], start: date, end: date
                             ) -> list[SummativeInfo]:
    rows = await session.execute(
        select(Summative.id, Summative.school_id, Summative.class_id, Summative.subject_id, Summative.kind,
               Summative.due_on)
        .where(Summative.school_id.in_(school_ids), Summative.due_on >= start, Summative.due_on <= end)
        .order_by(Summative.due_on, Summative.id)  # a bundle's items (and its key) the same on every database
    )
    return [SummativeInfo(*row) for row in rows]


async def summative_marks(session: AsyncSession, summatives: list[SummativeInfo], since: date
                          ) -> dict[int, list[tuple[date, int | None]]]:
    """Per summative: (lesson date, linked summative id) of its class/subject's marks of its kind since `since`.
    Reached through the (class, subject, date, period) unique index, one query per 300 summatives."""
    found: dict[int, list[tuple[date, int | None]]] = defaultdict(list)
    for chunk in _chunks(summatives, 2000):
        rows = await session.execute(
            select(Summative.id, JournalLesson.lesson_date, JournalMark.summative_id)
            .join(JournalLesson, and_(JournalLesson.class_id == Summative.class_id,
                                      JournalLesson.subject_id == Summative.subject_id,
                                      JournalLesson.lesson_date >= since))
            .join(JournalMark, and_(JournalMark.lesson_id == JournalLesson.id, JournalMark.kind == Summative.kind))
            .where(one_of(session, Summative.id, [s.id for s in chunk]))
            .distinct()
        )
        for summative_id, day, linked in rows:
            found[summative_id].append((day, linked))
    return found


async def course_candidates(session: AsyncSession, school_ids: list[int], course_id: str
                            ) -> list[tuple[int, int, int]]:
    """(user id, school id, lessons passed) of staff users (or teachers who picked the school themselves)
    who have not passed the course's exam and have not blocked the bot. A staff member's school is the lowest of
    these where they are on staff. The two ways in are looked up by their own indexes (staff by school, users by
    school) and joined, not tested for every user."""
    ways_in = union_all(
        select(Staff.user_id.label("user_id"), Staff.school_id.label("staff_school"),
               literal(None, BigInteger).label("own_school")).where(Staff.school_id.in_(school_ids)),
        select(User.id, literal(None, BigInteger), User.school_id).where(User.school_id.in_(school_ids)),
    ).subquery()
    people = (select(ways_in.c.user_id, func.coalesce(func.min(ways_in.c.staff_school),
                                                      func.min(ways_in.c.own_school)).label("school_id"))
              .group_by(ways_in.c.user_id).subquery())
    passed_exam = exists().where(ExamAttempt.user_id == people.c.user_id, ExamAttempt.course_id == course_id,
                                 ExamAttempt.passed.is_(True))
    lessons = (select(func.count()).where(LessonProgress.user_id == people.c.user_id,
                                          LessonProgress.course_id == course_id, LessonProgress.passed.is_(True))
               .scalar_subquery())
    rows = await session.execute(
        select(people.c.user_id, people.c.school_id, lessons)
        .join(User, User.id == people.c.user_id)
        .where(User.blocked_at.is_(None), ~passed_exam)
    )
    return [(uid, school, n or 0) for uid, school, n in rows]


async def parents_with_all_children(session: AsyncSession, school_ids: list[int]) -> list[tuple[int, int, int]]:
    """(parent user id, student id, school id) of every child of the parents (not blocked) who have a child in
    these schools, wherever the other children are: one weekly digest covers them all."""
    here = (select(ParentLink.user_id).join(Student, Student.id == ParentLink.student_id)
            .where(Student.school_id.in_(school_ids)))
    rows = await session.execute(
        select(ParentLink.user_id, Student.id, Student.school_id)
        .join(Student, Student.id == ParentLink.student_id)
        .join(User, User.id == ParentLink.user_id)
        .where(ParentLink.user_id.in_(here), User.blocked_at.is_(None))
    )
    return [tuple(row) for row in rows]


async def class_data_counts(session: AsyncSession, class_ids: list[int]) -> list[tuple[str, int, int]]:
    """(class name, pupils, pupils with no parent linked) per class, by name: one grouped query."""
    linked = exists().where(ParentLink.student_id == Student.id)
    rows = await session.execute(
        select(SchoolClass.name, func.count(Student.id), func.count(Student.id).filter(~linked))
        .join(Student, Student.class_id == SchoolClass.id)
        .where(SchoolClass.id.in_(class_ids)).group_by(SchoolClass.id, SchoolClass.name).order_by(SchoolClass.name))
    return [(name, pupils, unlinked) for name, pupils, unlinked in rows]


async def recent_alert_marks(session: AsyncSession, school_ids: list[int], since: datetime, from_day: date,
                             max_grade: int) -> list[AlertMark]:
    """Marks changed since `since` on lessons from `from_day` on that are an absence, a grade <= max_grade, or a
    summative (its per cent is judged by domain.grading.is_low_mark, not against max_grade).
    Lessons are found by school and update time (index ix_journal_lessons_school_updated: a mark's change
    touches its lesson), then their marks by lesson."""
    rows = await session.execute(
        select(JournalMark.id, JournalMark.student_id, JournalLesson.school_id, JournalLesson.subject_id,
               JournalLesson.lesson_date, JournalMark.grade, JournalMark.attendance, JournalMark.kind,
               JournalMark.points, JournalMark.max_points)
        .join(JournalMark, JournalMark.lesson_id == JournalLesson.id)
        .where(JournalLesson.school_id.in_(school_ids), JournalLesson.updated_at >= since,
               JournalLesson.lesson_date >= from_day, JournalMark.updated_at >= since,
               or_(JournalMark.attendance == "absent", JournalMark.grade <= max_grade,
                   and_(JournalMark.grade.isnot(None), JournalMark.kind != "regular")))
    )
    return [AlertMark(*row) for row in rows]


async def parent_users_of(session: AsyncSession, student_ids: list[int]) -> dict[int, list[int]]:
    """Parent user ids (not blocked) per student."""
    found: dict[int, list[int]] = defaultdict(list)
    if not student_ids:
        return found
    for user_id, student_id in await session.execute(
        select(ParentLink.user_id, ParentLink.student_id).join(User, User.id == ParentLink.user_id)
        .where(one_of(session, ParentLink.student_id, set(student_ids)), User.blocked_at.is_(None))
    ):
        found[student_id].append(user_id)
    return dict(found)


async def planned_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    """Those of `keys` the outbox holds already."""
    if not keys:
        return set()
    return set(await session.scalars(select(Outbox.key).where(one_of(session, Outbox.key, keys))))


# --- what the messages show -------------------------------------------------------------------------------


async def names(session: AsyncSession, model, ids: set[int] | list[int], column=None) -> dict[int, str]:
    """id -> name (or `column`) of schools, classes, subjects, staff or students."""
    if not ids:
        return {}
    column = column if column is not None else (model.full_name if hasattr(model, "full_name") else model.name)
    rows = await session.execute(select(model.id, column).where(model.id.in_(list(ids))))
    return {i: n for i, n in rows}


async def slots_with_state(session: AsyncSession, timetable_ids: list[int], day: date
                           ) -> list[tuple[int, int, str, str, bool, bool]]:
    """(timetable id, period, class name, subject name, attendance taken, graded) for these slots on a day."""
    if not timetable_ids:
        return []
    graded = exists().where(JournalMark.lesson_id == JournalLesson.id, JournalMark.grade.isnot(None))
    rows = await session.execute(
        select(TimetableLesson.id, TimetableLesson.period, SchoolClass.name, Subject.name,
               JournalLesson.attendance_taken_at.isnot(None), graded)
        .join(SchoolClass, SchoolClass.id == TimetableLesson.class_id)
        .join(Subject, Subject.id == TimetableLesson.subject_id)
        .outerjoin(JournalLesson, and_(JournalLesson.class_id == TimetableLesson.class_id,
                                       JournalLesson.lesson_date == day,
                                       JournalLesson.subject_id == TimetableLesson.subject_id,
                                       JournalLesson.period == TimetableLesson.period))
        .where(TimetableLesson.id.in_(timetable_ids))
        .order_by(TimetableLesson.period, SchoolClass.name)
    )
    return [(t, p, c, s, bool(a), bool(g)) for t, p, c, s, a, g in rows]


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


async def summatives_named(session: AsyncSession, summative_ids: list[int]) -> list[tuple[Summative, str, str, str]]:
    """(summative, class name, subject name, the school's country), by due date and class."""
    rows = await session.execute(
        select(Summative, SchoolClass.name, Subject.name, School.country)
        .join(SchoolClass, SchoolClass.id == Summative.class_id).join(School, School.id == Summative.school_id)
        .join(Subject, Subject.id == Summative.subject_id).where(Summative.id.in_(summative_ids))
        .order_by(Summative.due_on, SchoolClass.name))
    return [tuple(row) for row in rows.all()]


async def linked_children(session: AsyncSession, user_id: int, student_ids: list[int]) -> set[int]:
    """Those of `student_ids` the parent is (still) linked to."""
    return set(await session.scalars(select(ParentLink.student_id).where(
        ParentLink.user_id == user_id, ParentLink.student_id.in_(student_ids))))
