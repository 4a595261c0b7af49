"""The journal: lessons of a teacher's day, a lesson's sheet, edits with history and a version check,
and what parents read (a child's week, term attendance, term grades, homework)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.journal import MarkRow
from storage.models import (
    JournalChange,
    JournalLesson,
    JournalMark,
    ParentLink,
    School,
    SchoolClass,
    Student,
    Subject,
    Term,
    TermGrade,
    TimetableLesson,
)


@dataclass
class DaySlot:
    slot: TimetableLesson
    class_name: str
    subject_name: str
    lesson: JournalLesson | None
    graded: int


async def teacher_day(session: AsyncSession, staff_ids: list[int], day: date) -> list[DaySlot]:
    """A teacher's timetable for the day with what is already entered: one query."""
    if not staff_ids:
        return []
    # Correlated per lesson (index on journal_marks.lesson_id), never a scan of all marks.
    graded = (select(func.count(JournalMark.grade)).where(JournalMark.lesson_id == JournalLesson.id)
              .correlate(JournalLesson).scalar_subquery())
    rows = await session.execute(
        select(TimetableLesson, SchoolClass.name, Subject.name, JournalLesson, graded)
        .join(SchoolClass, SchoolClass.id == TimetableLesson.class_id)
        .join(Subject, Subject.id == TimetableLesson.subject_id)
        .outerjoin(JournalLesson, and_(JournalLesson.class_id == TimetableLesson.class_id,
                                       JournalLesson.subject_id == TimetableLesson.subject_id,
                                       JournalLesson.period == TimetableLesson.period,
                                       JournalLesson.lesson_date == day))
        .where(TimetableLesson.teacher_id.in_(staff_ids), TimetableLesson.weekday == day.weekday())
        .order_by(TimetableLesson.period, SchoolClass.name)
    )
    return [DaySlot(slot=s, class_name=c, subject_name=sub, lesson=jl, graded=n or 0) for s, c, sub, jl, n in rows]


@dataclass
class LessonSheet:
    slot: TimetableLesson
    school: School
    klass: SchoolClass
    subject: Subject
    lesson: JournalLesson | None
    students: list[Student]
    marks: dict[int, JournalMark]


async def lesson_sheet(session: AsyncSession, timetable_id: int, day: date) -> LessonSheet | None:
    slot = await session.get(TimetableLesson, timetable_id)
    if slot is None:
        return None
    klass = await session.get(SchoolClass, slot.class_id)
    subject = await session.get(Subject, slot.subject_id)
    school = await session.get(School, slot.school_id)
    lesson = await session.scalar(select(JournalLesson).where(
        JournalLesson.class_id == slot.class_id, JournalLesson.subject_id == slot.subject_id,
        JournalLesson.period == slot.period, JournalLesson.lesson_date == day))
    students = list(await session.scalars(select(Student).where(Student.class_id == slot.class_id)
                                          .order_by(Student.full_name, Student.id)))
    marks: dict[int, JournalMark] = {}
    if lesson is not None:
        marks = {m.student_id: m for m in await session.scalars(
            select(JournalMark).where(JournalMark.lesson_id == lesson.id))}
    return LessonSheet(slot=slot, school=school, klass=klass, subject=subject, lesson=lesson, students=students,
                       marks=marks)


async def ensure_lesson(session: AsyncSession, sheet: LessonSheet, day: date, user_id: int,
                        now: datetime) -> JournalLesson:
    if sheet.lesson is None:
        sheet.lesson = JournalLesson(school_id=sheet.slot.school_id, class_id=sheet.slot.class_id,
                                     subject_id=sheet.slot.subject_id, teacher_id=sheet.slot.teacher_id,
                                     lesson_date=day, period=sheet.slot.period, version=0, updated_at=now,
                                     updated_by=user_id)
        session.add(sheet.lesson)
        await session.flush()
    return sheet.lesson


def _log(session: AsyncSession, lesson: JournalLesson, student_id: int | None, field: str, old, new,
         user_id: int, now: datetime) -> None:
    session.add(JournalChange(lesson_id=lesson.id, student_id=student_id, field=field,
                              old_value=None if old is None else str(old)[:300],
                              new_value=None if new is None else str(new)[:300], changed_by=user_id, changed_at=now))


def _score_text(points: int | None, maximum: int | None) -> str | None:
    return None if points is None or maximum is None else f"{points}/{maximum}"


def _touch(lesson: JournalLesson, user_id: int, now: datetime) -> None:
    lesson.version += 1
    lesson.updated_at, lesson.updated_by = now, user_id


async def set_mark(session: AsyncSession, sheet: LessonSheet, student_id: int, *, user_id: int, now: datetime,
                   attendance: str | None = None, reason: str | None = None, grade: int | None = None,
                   clear_grade: bool = False, kind: str | None = None,
                   score: tuple[int, int] | None = None) -> JournalMark:
    """Change one student's mark on a lesson, keeping history; the lesson's version goes up.

    `score` is a summative's (points, maximum): kept with the mark, whose grade is then the per cent.
    A lesson mark or a cleared grade drops any points kept before."""
    lesson = sheet.lesson
    assert lesson is not None
    mark = _mark_of(session, sheet, student_id)
    if attendance is not None and attendance != mark.attendance:
        _log(session, lesson, student_id, "attendance", mark.attendance, attendance, user_id, now)
        mark.attendance, mark.reason = attendance, reason
    if grade is not None or clear_grade:
        _set_grade(session, lesson, mark, grade, score, user_id, now)
    if kind is not None and kind != mark.kind:
        _log(session, lesson, student_id, "kind", mark.kind, kind, user_id, now)
        mark.kind = kind
    mark.version = (mark.version or 0) + 1
    mark.updated_at, mark.updated_by = now, user_id
    _touch(lesson, user_id, now)
    await session.flush()
    return mark


def _mark_of(session: AsyncSession, sheet: LessonSheet, student_id: int) -> JournalMark:
    """The student's mark on the sheet's lesson; a new one (present, a lesson mark) when there is none yet."""
    mark = sheet.marks.get(student_id)
    if mark is None:
        mark = JournalMark(lesson_id=sheet.lesson.id, student_id=student_id, attendance="present", version=0,
                           kind="regular")
        session.add(mark)
        sheet.marks[student_id] = mark
    return mark


def _set_grade(session: AsyncSession, lesson: JournalLesson, mark: JournalMark, grade: int | None,
               score: tuple[int, int] | None, user_id: int, now: datetime) -> None:
    """The grade and a summative's (points, maximum), none for a lesson mark or a cleared grade; changes logged."""
    if grade != mark.grade:
        _log(session, lesson, mark.student_id, "grade", mark.grade, grade, user_id, now)
        mark.grade = grade
    points, maximum = score if score is not None else (None, None)
    if (points, maximum) != (mark.points, mark.max_points):
        _log(session, lesson, mark.student_id, "score", _score_text(mark.points, mark.max_points),
             _score_text(points, maximum), user_id, now)
        mark.points, mark.max_points = points, maximum


async def set_lesson_text(session: AsyncSession, lesson: JournalLesson, field: str, value: str, *, user_id: int,
                          now: datetime) -> None:
    old = getattr(lesson, field)
    if old != value:
        _log(session, lesson, None, field, old, value, user_id, now)
        setattr(lesson, field, value)
        _touch(lesson, user_id, now)


async def mark_attendance_taken(session: AsyncSession, sheet: LessonSheet, *, user_id: int, now: datetime) -> None:
    """Saving attendance also writes an explicit 'present' row for everyone not marked otherwise."""
    lesson = sheet.lesson
    assert lesson is not None
    for student in sheet.students:
        if student.id not in sheet.marks:
            mark = JournalMark(lesson_id=lesson.id, student_id=student.id, attendance="present", version=1,
                               kind="regular", updated_at=now, updated_by=user_id)
            session.add(mark)
            sheet.marks[student.id] = mark
    if lesson.attendance_taken_at is None:
        lesson.attendance_taken_at = now
        _log(session, lesson, None, "attendance_taken", None, "yes", user_id, now)
    _touch(lesson, user_id, now)
    await session.flush()


# --- what parents read ---------------------------------------------------------------------------------------


async def child_marks(session: AsyncSession, student_id: int, start: date, end: date) -> list[MarkRow]:
    """A child's grades and attendance between two dates (inclusive): one indexed query."""
    rows = await session.execute(
        select(JournalLesson.lesson_date, Subject.name, JournalMark.grade, JournalMark.attendance, JournalMark.kind,
               JournalMark.points, JournalMark.max_points)
        .join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
        .join(Subject, Subject.id == JournalLesson.subject_id)
        .where(JournalMark.student_id == student_id, JournalLesson.lesson_date >= start,
               JournalLesson.lesson_date <= end)
    )
    return [MarkRow(day=d, subject=s, grade=g, attendance=a, kind=k, points=p, max_points=m)
            for d, s, g, a, k, p, m in rows]


async def term_for(session: AsyncSession, school_id: int, day: date) -> Term | None:
    term = await session.scalar(select(Term).where(Term.school_id == school_id, Term.starts_on <= day,
                                                   Term.ends_on >= day))
    if term is None:  # in a holiday: the last term that ended
        term = await session.scalar(select(Term).where(Term.school_id == school_id, Term.ends_on < day)
                                    .order_by(Term.ends_on.desc()).limit(1))
    return term


async def child_term_attendance(session: AsyncSession, student_id: int, term: Term) -> list[str]:
    return list(await session.scalars(
        select(JournalMark.attendance).join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
        .where(JournalMark.student_id == student_id, JournalLesson.lesson_date >= term.starts_on,
               JournalLesson.lesson_date <= term.ends_on)))


async def child_term_grades(session: AsyncSession, student_id: int) -> list[tuple[str, str, int]]:
    rows = await session.execute(
        select(Subject.name, TermGrade.period, TermGrade.grade).join(Subject, Subject.id == TermGrade.subject_id)
        .where(TermGrade.student_id == student_id).order_by(Subject.name, TermGrade.period))
    return [(s, p, g) for s, p, g in rows]


async def homework_on(session: AsyncSession, class_id: int, day: date) -> list[tuple[str, str]]:
    """Homework set for the given day's lessons (what is due the next school day)."""
    rows = await session.execute(
        select(Subject.name, JournalLesson.homework).join(Subject, Subject.id == JournalLesson.subject_id)
        .where(JournalLesson.class_id == class_id, JournalLesson.lesson_date == day,
               JournalLesson.homework.isnot(None)).order_by(JournalLesson.period))
    return [(s, h) for s, h in rows if h]


async def last_homework_day(session: AsyncSession, class_id: int, before: date) -> date | None:
    return await session.scalar(select(func.max(JournalLesson.lesson_date)).where(
        JournalLesson.class_id == class_id, JournalLesson.lesson_date <= before, JournalLesson.homework.isnot(None)))


async def student_with_class(session: AsyncSession, student_id: int) -> tuple[Student, SchoolClass, School] | None:
    row = (await session.execute(
        select(Student, SchoolClass, School).join(SchoolClass, SchoolClass.id == Student.class_id)
        .join(School, School.id == Student.school_id).where(Student.id == student_id))).first()
    return (row[0], row[1], row[2]) if row else None


async def own_child(session: AsyncSession, user_id: int, student_id: int
                    ) -> tuple[Student, SchoolClass, School] | None:
    """The student with class and school, only if linked to this parent: the check and the read in one query
    (a parent's button press, issue #12's hot path)."""
    row = (await session.execute(
        select(Student, SchoolClass, School).join(SchoolClass, SchoolClass.id == Student.class_id)
        .join(School, School.id == Student.school_id)
        .join(ParentLink, and_(ParentLink.student_id == Student.id, ParentLink.user_id == user_id))
        .where(Student.id == student_id).limit(1))).first()
    return (row[0], row[1], row[2]) if row else None


async def class_day_absences(session: AsyncSession, class_id: int, day: date) -> list[tuple[str, str, str]]:
    """(student, subject, attendance) of the class's absences and lateness on a day."""
    rows = await session.execute(
        select(Student.full_name, Subject.name, JournalMark.attendance)
        .join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
        .join(Student, Student.id == JournalMark.student_id)
        .join(Subject, Subject.id == JournalLesson.subject_id)
        .where(JournalLesson.class_id == class_id, JournalLesson.lesson_date == day,
               JournalMark.attendance.in_(("absent", "excused", "late")))
        .order_by(Student.full_name, JournalLesson.period))
    return [(s, sub, a) for s, sub, a in rows]


async def class_grade_counts(session: AsyncSession, class_id: int, start: date, end: date
                             ) -> dict[tuple[int, str], int]:
    """Grades per (student, subject) in a period: one grouped query."""
    rows = await session.execute(
        select(JournalMark.student_id, Subject.name, func.count(JournalMark.grade))
        .join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
        .join(Subject, Subject.id == JournalLesson.subject_id)
        .where(JournalLesson.class_id == class_id, JournalLesson.lesson_date >= start,
               JournalLesson.lesson_date <= end, JournalMark.grade.isnot(None))
        .group_by(JournalMark.student_id, Subject.name))
    return {(sid, subject): n for sid, subject, n in rows}


async def class_subjects(session: AsyncSession, class_id: int) -> list[str]:
    rows = await session.scalars(select(Subject.name).join(TimetableLesson, TimetableLesson.subject_id == Subject.id)
                                 .where(TimetableLesson.class_id == class_id).distinct().order_by(Subject.name))
    return list(rows)


async def class_subject_hours(session: AsyncSession, class_id: int) -> dict[str, int]:
    """{subject name: lessons a week} of a class's timetable, in name order: one grouped query."""
    rows = await session.execute(
        select(Subject.name, func.count(TimetableLesson.id)).join(TimetableLesson, TimetableLesson.subject_id ==
                                                                  Subject.id)
        .where(TimetableLesson.class_id == class_id).group_by(Subject.name).order_by(Subject.name))
    return {name: n for name, n in rows}


async def ungraded_lessons(session: AsyncSession, class_id: int, start: date, end: date) -> list[tuple[str, int]]:
    """(subject, number of held lessons without a single grade) for the class in a period."""
    graded = select(JournalMark.lesson_id).where(JournalMark.grade.isnot(None)).distinct().subquery()
    rows = await session.execute(
        select(Subject.name, func.count(JournalLesson.id))
        .join(Subject, Subject.id == JournalLesson.subject_id)
        .outerjoin(graded, graded.c.lesson_id == JournalLesson.id)
        .where(JournalLesson.class_id == class_id, JournalLesson.lesson_date >= start,
               JournalLesson.lesson_date <= end, graded.c.lesson_id.is_(None))
        .group_by(Subject.name).order_by(Subject.name))
    return [(s, n) for s, n in rows]


async def school_terms(session: AsyncSession, school_id: int) -> list[tuple[int, date, date]]:
    rows = await session.execute(select(Term.number, Term.starts_on, Term.ends_on).where(Term.school_id == school_id))
    return [(n, s, e) for n, s, e in rows]


async def weekly_hours(session: AsyncSession, class_ids: list[int] | set[int]) -> dict[tuple[int, int], int]:
    """{(class_id, subject_id): lessons a week}, counted from the timetable's slots: one grouped query.

    The minimum number of marks a term needs depends on it (`rules_for(country).min_marks(hours)`, seed 001).
    """
    if not class_ids:
        return {}
    rows = await session.execute(
        select(TimetableLesson.class_id, TimetableLesson.subject_id, func.count(TimetableLesson.id))
        .where(TimetableLesson.class_id.in_(list(class_ids)))
        .group_by(TimetableLesson.class_id, TimetableLesson.subject_id))
    return {(class_id, subject_id): n for class_id, subject_id, n in rows}
