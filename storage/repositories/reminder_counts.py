"""The planner's counting done in SQL: a few grouped rows per school instead of a row per lesson or pupil.

Run on the database's side (in aiosqlite's thread or the PostgreSQL server), these queries return what the
planner needs already counted, so a pass never turns hundreds of thousands of rows into Python objects on the
event loop that answers the users (issue #12).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, Date, Integer, and_, case, exists, func, literal, not_, or_, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reminders import ExpectedLesson, LessonGap
from storage.models import JournalLesson, JournalMark, School, SchoolClass, Student, TimetableLesson

#: A gap's place in the order the journal lists gaps (day, then period, then class), as one sortable number:
#: day index * _DAY_WEIGHT + period * _PERIOD_WEIGHT + class id.
_DAY_WEIGHT, _PERIOD_WEIGHT = 1_000 * 10**10, 10**10


async def unfilled_lessons(session: AsyncSession, school_ids: Collection[int], day: date,
                           unmarked_grades: Collection[int]) -> dict[int, list[LessonGap]]:
    """The day's timetable slots at these schools (school days all) that the journal left without attendance,
    or without a grade in classes whose grade level is not in `unmarked_grades`: per school, by period and
    class (domain.reminders.lesson_gaps, with the filtering done by the database)."""
    if not school_ids:
        return {}
    tt = TimetableLesson
    marked = SchoolClass.grade.notin_(list(unmarked_grades)) if unmarked_grades else true()
    attended = JournalLesson.attendance_taken_at.isnot(None)
    graded = exists().where(JournalMark.lesson_id == JournalLesson.id, JournalMark.grade.isnot(None))
    rows = await session.execute(
        select(tt.school_id, tt.id, tt.class_id, tt.subject_id, tt.teacher_id, tt.period, SchoolClass.grade,
               attended, graded)
        .join(SchoolClass, and_(SchoolClass.id == tt.class_id, SchoolClass.school_id.in_(list(school_ids))))
        .outerjoin(JournalLesson, and_(JournalLesson.class_id == tt.class_id, JournalLesson.lesson_date == day,
                                       JournalLesson.subject_id == tt.subject_id, JournalLesson.period == tt.period))
        .where(tt.school_id.in_(list(school_ids)), tt.weekday == day.weekday(),
               or_(not_(attended), and_(marked, not_(graded))))
        .order_by(tt.school_id, tt.period, tt.class_id))
    unmarked = frozenset(unmarked_grades)
    gaps: dict[int, list[LessonGap]] = defaultdict(list)
    for school_id, tt_id, class_id, subject_id, teacher_id, period, grade, taken, has_grade in rows:
        lesson = ExpectedLesson(tt_id, class_id, subject_id, teacher_id, period, grade, bool(taken), bool(has_grade))
        gaps[school_id].append(LessonGap(lesson, day, not taken, grade not in unmarked and not has_grade))
    return gaps


@dataclass(frozen=True)
class TeacherFilling:
    """One teacher's timetable slots at one school over some days, and how many the journal left unfilled."""

    school_id: int
    teacher_id: int  # 0: slots without a teacher
    expected: int
    unfilled: int
    no_attendance: int
    no_grades: int
    #: The place (see _DAY_WEIGHT) of the teacher's first unfilled slot (None: none unfilled).
    first_gap: int | None


async def filling_by_teacher(session: AsyncSession, school_ids: Collection[int], days: Mapping[int, date],
                             unmarked_grades: Collection[int]) -> list[TeacherFilling]:
    """Per school and teacher: the timetable's slots on `days` (day index -> date, all school days of these
    schools) and those without attendance, or without a grade in classes whose grade level is not in
    `unmarked_grades` (no marks given there on these days): one grouped query."""
    if not school_ids or not days:
        return []
    day_rows = [select(literal(i, Integer).label("idx"), literal(d, Date).label("day"),
                       literal(d.weekday(), Integer).label("weekday")) for i, d in sorted(days.items())]
    span = (union_all(*day_rows) if len(day_rows) > 1 else day_rows[0]).cte("span")
    tt = TimetableLesson
    marked = SchoolClass.grade.notin_(list(unmarked_grades)) if unmarked_grades else true()
    attended = JournalLesson.attendance_taken_at.isnot(None)
    graded = exists().where(JournalMark.lesson_id == JournalLesson.id, JournalMark.grade.isnot(None))
    no_grade = and_(marked, not_(graded))
    slots = (
        select(tt.school_id.label("school_id"), func.coalesce(tt.teacher_id, 0).label("teacher_id"),
               case((attended, 0), else_=1).label("no_att"), case((no_grade, 1), else_=0).label("no_grade"),
               case((or_(not_(attended), no_grade), 1), else_=0).label("gap"),
               (span.c.idx * literal(_DAY_WEIGHT, BigInteger) + tt.period * literal(_PERIOD_WEIGHT, BigInteger)
                + tt.class_id).label("place"))
        .join(SchoolClass, and_(SchoolClass.id == tt.class_id, SchoolClass.school_id.in_(list(school_ids))))
        .join(span, span.c.weekday == tt.weekday)
        .outerjoin(JournalLesson, and_(JournalLesson.class_id == tt.class_id, JournalLesson.lesson_date == span.c.day,
                                       JournalLesson.subject_id == tt.subject_id, JournalLesson.period == tt.period,
                                       # the same, said so that the database reads only these lessons
                                       JournalLesson.lesson_date.between(min(days.values()), max(days.values())),
                                       JournalLesson.class_id.in_(select(SchoolClass.id)
                                                                  .where(SchoolClass.school_id.in_(list(school_ids))))))
        .where(tt.school_id.in_(list(school_ids)))
    ).subquery()
    rows = await session.execute(
        select(slots.c.school_id, slots.c.teacher_id, func.count(), func.sum(slots.c.gap), func.sum(slots.c.no_att),
               func.sum(slots.c.no_grade), func.min(case((slots.c.gap == 1, slots.c.place))))
        .group_by(slots.c.school_id, slots.c.teacher_id))
    return [TeacherFilling(s, t, n, int(gaps or 0), int(no_att or 0), int(no_grades or 0),
                           None if first is None else int(first))
            for s, t, n, gaps, no_att, no_grades, first in rows]


async def short_of_grades(session: AsyncSession, class_ids: Collection[int], start: date, end: date,
                          minimum_steps: Mapping[str, Sequence[tuple[int, int]]]
                          ) -> dict[tuple[int, int], tuple[int, int]]:
    """Per (class, subject) taught in these classes (a timetable slot with a teacher): (the pupils with fewer
    grades from `start` to `end`, in lessons of these classes, than the minimum; the minimum), where some are
    short. The minimum by the school's country and the subject's lessons a week: `minimum_steps[country]` is
    [(from hours, minimum), ...] ascending from 0 (see `usecases.reminder_steps`). One grouped query."""
    if not class_ids:
        return {}
    tt, ids = TimetableLesson, list(class_ids)
    taught = (select(tt.class_id.label("class_id"), tt.subject_id.label("subject_id"))
              .where(tt.class_id.in_(ids), tt.teacher_id.isnot(None)).distinct().subquery())
    hours = (select(tt.class_id.label("class_id"), tt.subject_id.label("subject_id"), func.count().label("hours"))
             .where(tt.class_id.in_(ids)).group_by(tt.class_id, tt.subject_id).subquery())
    grades = (select(JournalMark.student_id.label("student_id"), JournalLesson.subject_id.label("subject_id"),
                     func.count(JournalMark.grade).label("n"))
              .join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
              .where(JournalLesson.class_id.in_(ids), JournalLesson.lesson_date >= start,
                     JournalLesson.lesson_date <= end, JournalMark.grade.isnot(None))
              .group_by(JournalMark.student_id, JournalLesson.subject_id).subquery())
    need = _minimum(School.country, hours.c.hours, minimum_steps)
    rows = await session.execute(
        select(taught.c.class_id, taught.c.subject_id, func.count(Student.id), need)
        .join(SchoolClass, SchoolClass.id == taught.c.class_id).join(School, School.id == SchoolClass.school_id)
        .join(hours, and_(hours.c.class_id == taught.c.class_id, hours.c.subject_id == taught.c.subject_id))
        .join(Student, Student.class_id == taught.c.class_id)
        .outerjoin(grades, and_(grades.c.student_id == Student.id, grades.c.subject_id == taught.c.subject_id))
        .where(func.coalesce(grades.c.n, 0) < need)
        .group_by(taught.c.class_id, taught.c.subject_id, need))
    return {(cid, subject): (short, minimum) for cid, subject, short, minimum in rows}


def _minimum(country, hours, steps: Mapping[str, Sequence[tuple[int, int]]]):
    """CASE country, then CASE hours: the minimum of marks as `steps` give it."""
    def by_hours(country_steps: Sequence[tuple[int, int]]):
        later = [(hours >= start, need) for start, need in reversed(country_steps[1:])]
        return case(*later, else_=country_steps[0][1]) if later else literal(country_steps[0][1], Integer)

    countries = sorted(steps)
    if len(countries) == 1:
        return by_hours(steps[countries[0]])
    return case(*[(country == c, by_hours(steps[c])) for c in countries[1:]], else_=by_hours(steps[countries[0]]))
