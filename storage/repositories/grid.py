"""What the Mini App's journal grid reads: one class × subject over a span of days, in a handful of indexed
queries (the lessons by the (class, date) index, their marks by the (lesson, student) key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Holiday,
    JournalLesson,
    JournalMark,
    School,
    SchoolClass,
    Student,
    Subject,
    TimetableLesson,
)


@dataclass
class GridData:
    school: School
    klass: SchoolClass
    subject: Subject
    slots: list[TimetableLesson]
    lessons: list[JournalLesson]
    #: (lesson_id, student_id, attendance, grade, kind, points, max_points) rows, not ORM objects: a term's
    #: grid has over a thousand of them and building entities would cost most of its time.
    marks: list[Row]
    students: list[Student]
    holidays: list[tuple[date, date]]


async def class_with_school(session: AsyncSession, class_id: int) -> tuple[SchoolClass, School] | None:
    row = (await session.execute(select(SchoolClass, School).join(School, School.id == SchoolClass.school_id)
                                 .where(SchoolClass.id == class_id))).first()
    return (row[0], row[1]) if row else None


async def grid_data(session: AsyncSession, klass: SchoolClass, school: School, subject_id: int, start: date,
                    end: date) -> GridData | None:
    """Slots, held lessons (with their marks) and pupils of one class and subject between two dates."""
    subject = await session.get(Subject, subject_id)
    if subject is None or subject.school_id != school.id:
        return None
    slots = list(await session.scalars(select(TimetableLesson).where(
        TimetableLesson.class_id == klass.id, TimetableLesson.subject_id == subject_id)
        .order_by(TimetableLesson.weekday, TimetableLesson.period)))
    lessons = list(await session.scalars(select(JournalLesson).where(
        JournalLesson.class_id == klass.id, JournalLesson.lesson_date >= start, JournalLesson.lesson_date <= end,
        JournalLesson.subject_id == subject_id).order_by(JournalLesson.lesson_date, JournalLesson.period)))
    marks: list[Row] = []
    if lessons:
        marks = list(await session.execute(select(
            JournalMark.lesson_id, JournalMark.student_id, JournalMark.attendance, JournalMark.grade, JournalMark.kind,
            JournalMark.points, JournalMark.max_points).where(
            JournalMark.lesson_id.in_([lesson.id for lesson in lessons]))))
    students = list(await session.scalars(select(Student).where(Student.class_id == klass.id)
                                          .order_by(Student.full_name, Student.id)))
    holidays = [(s, e) for s, e in await session.execute(select(Holiday.starts_on, Holiday.ends_on).where(
        Holiday.school_id == school.id, Holiday.ends_on >= start, Holiday.starts_on <= end))]
    return GridData(school=school, klass=klass, subject=subject, slots=slots, lessons=lessons, marks=marks,
                    students=students, holidays=holidays)


async def mark_counts(session: AsyncSession, class_id: int, subject_id: int, start: date, end: date
                      ) -> dict[int, int]:
    """Marks per pupil of a class in one subject between two dates: one grouped query."""
    rows = await session.execute(
        select(JournalMark.student_id, func.count(JournalMark.grade))
        .join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
        .where(JournalLesson.class_id == class_id, JournalLesson.subject_id == subject_id,
               JournalLesson.lesson_date >= start, JournalLesson.lesson_date <= end,
               JournalMark.grade.isnot(None))
        .group_by(JournalMark.student_id))
    return {student_id: n for student_id, n in rows}


async def teacher_classes(session: AsyncSession, staff_ids: list[int], class_ids: list[int]
                          ) -> list[tuple[int, str, int, str, bool]]:
    """(class id, class name, subject id, subject name, teaches it) the teacher can open: the pairs of their
    timetable, and every subject of the classes they are class teacher of."""
    if not staff_ids and not class_ids:
        return []
    rows = await session.execute(
        select(SchoolClass.id, SchoolClass.name, Subject.id, Subject.name, TimetableLesson.teacher_id)
        .join(SchoolClass, SchoolClass.id == TimetableLesson.class_id)
        .join(Subject, Subject.id == TimetableLesson.subject_id)
        .where(TimetableLesson.teacher_id.in_(staff_ids) | TimetableLesson.class_id.in_(class_ids))
        .distinct())
    pairs: dict[tuple[int, int], tuple[int, str, int, str, bool]] = {}
    for class_id, class_name, subject_id, subject_name, teacher_id in rows:
        own = teacher_id in staff_ids or ((class_id, subject_id) in pairs and pairs[(class_id, subject_id)][4])
        pairs[(class_id, subject_id)] = (class_id, class_name, subject_id, subject_name, bool(own))
    return sorted(pairs.values(), key=lambda p: (not p[4], p[1], p[3]))
