"""Queries behind the administration's reports: a few set-based queries per report, numbers done in
domain/reports.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.decree_263 import GradeStats
from domain.reminders import SUMMATIVE_EARLY_RESULTS_DAYS
from domain.reports import (
    CertificationCounts,
    LessonFact,
    SchoolCertification,
    SummativeFact,
    SummativeMark,
    TeacherStatus,
    TermSpan,
    TimetableSlot,
    attach_results,
)
from domain.term_sheet import TermSheet
from storage.models import (
    Certificate,
    CourseProgress,
    ExamAttempt,
    Holiday,
    JournalLesson,
    JournalMark,
    School,
    SchoolClass,
    Staff,
    Student,
    Subject,
    Summative,
    Supervisor,
    Term,
    TermGrade,
    TimetableLesson,
)

ADMIN_POSITIONS = ("head", "deputy")


# --- who may see what ---------------------------------------------------------------------------------


async def administered_schools(session: AsyncSession, user_id: int) -> list[School]:
    """Schools where the user is on staff as head or deputy."""
    return list(await session.scalars(
        select(School).join(Staff, Staff.school_id == School.id)
        .where(Staff.user_id == user_id, Staff.position.in_(ADMIN_POSITIONS))
        .distinct().order_by(School.name, School.id)))


async def supervisor_areas(session: AsyncSession, user_id: int) -> list[Supervisor]:
    return list(await session.scalars(select(Supervisor).where(Supervisor.user_id == user_id)
                                      .order_by(Supervisor.id)))


def _in_area(area: Supervisor):
    conditions = [School.country == area.country]
    if area.region is not None:
        conditions.append(School.region == area.region)
    if area.district is not None:
        conditions.append(School.district == area.district)
    return and_(*conditions)


async def school_in_area(session: AsyncSession, area: Supervisor, school_id: int) -> School | None:
    return await session.scalar(select(School).where(School.id == school_id, _in_area(area)))


# --- certification ------------------------------------------------------------------------------------


def _progress_flags(course_id: str):
    """Per staff row: started, passed, certificate sent to the head (correlated EXISTS on indexed user ids,
    so only the rows asked about are looked at)."""
    started = or_(
        exists().where(CourseProgress.user_id == Staff.user_id, CourseProgress.course_id == course_id),
        exists().where(ExamAttempt.user_id == Staff.user_id, ExamAttempt.course_id == course_id))
    passed = exists().where(ExamAttempt.user_id == Staff.user_id, ExamAttempt.course_id == course_id,
                            ExamAttempt.passed.is_(True))
    sent = exists().where(Certificate.user_id == Staff.user_id, Certificate.course_id == course_id,
                          Certificate.revoked_at.is_(None), Certificate.sent_to_head_at.is_not(None))
    return tuple(case((and_(Staff.user_id.is_not(None), flag), 1), else_=0) for flag in (started, passed, sent))


async def teacher_statuses(session: AsyncSession, school_id: int, course_id: str) -> list[TeacherStatus]:
    """The school's whole pedagogical staff (teachers, heads and deputies: seed 002 counts them all), in one
    query."""
    rows = await session.execute(
        select(Staff.id, Staff.full_name, Staff.user_id, *_progress_flags(course_id))
        .where(Staff.school_id == school_id)
        .order_by(Staff.full_name, Staff.id))
    return [TeacherStatus(staff_id=sid, name=name, user_id=uid, started=bool(s), passed=bool(p),
                          sent_to_head=bool(c)) for sid, name, uid, s, p, c in rows.all()]


async def area_certification(session: AsyncSession, area: Supervisor, course_id: str, *,
                             region: str | None = None, district: str | None = None) -> list[SchoolCertification]:
    """Per-school counts in a supervisor's area (optionally narrowed to a region or district of it):
    one grouped query, no person's name. A school's plan is its own (imported) or its whole staff."""
    started, passed, sent = _progress_flags(course_id)
    rows = await session.execute(
        select(School.id, School.name, School.region, School.district,
               func.coalesce(School.teachers_planned, func.count(Staff.id)),
               func.coalesce(func.sum(started), 0), func.coalesce(func.sum(passed), 0),
               func.coalesce(func.sum(sent), 0))
        .select_from(School)
        .outerjoin(Staff, Staff.school_id == School.id)
        .where(*_area_conditions(area, region, district))
        .group_by(School.id, School.name, School.region, School.district, School.teachers_planned))
    return [_school_certification(*row) for row in rows.all()]


def _area_conditions(area: Supervisor, region: str | None, district: str | None) -> list:
    conditions = [_in_area(area)]
    if region is not None:
        conditions.append(School.region == region)
    if district is not None:
        conditions.append(School.district == district)
    return conditions


def _school_certification(school_id: int, name: str, region: str | None, district: str | None, planned: int,
                          n_started: int, n_passed: int, n_sent: int) -> SchoolCertification:
    # passing implies starting (an attempt exists), a sent certificate implies passing
    counts = CertificationCounts(planned=int(planned), started=max(n_started, n_passed, n_sent),
                                 passed=max(n_passed, n_sent), sent_to_head=n_sent)
    return SchoolCertification(school_id=school_id, name=name, region=region, district=district, counts=counts)


# --- the school's calendar ----------------------------------------------------------------------------


async def school_terms(session: AsyncSession, school_id: int) -> list[TermSpan]:
    rows = await session.scalars(select(Term).where(Term.school_id == school_id).order_by(Term.starts_on))
    return [TermSpan(t.id, t.school_year, t.number, t.starts_on, t.ends_on) for t in rows]


async def school_holidays(session: AsyncSession, school_id: int) -> list[tuple[date, date]]:
    rows = await session.execute(select(Holiday.starts_on, Holiday.ends_on).where(Holiday.school_id == school_id))
    return [(a, b) for a, b in rows.all()]


@dataclass(frozen=True)
class ClassRow:
    id: int
    name: str
    grade: int


async def school_classes(session: AsyncSession, school_id: int) -> list[ClassRow]:
    rows = await session.execute(select(SchoolClass.id, SchoolClass.name, SchoolClass.grade)
                                 .where(SchoolClass.school_id == school_id))
    classes = [ClassRow(i, n, g) for i, n, g in rows.all()]
    return sorted(classes, key=lambda c: (c.grade, c.name.casefold(), c.id))


async def staff_names(session: AsyncSession, school_id: int) -> dict[int, str]:
    rows = await session.execute(select(Staff.id, Staff.full_name).where(Staff.school_id == school_id))
    return dict(rows.all())


async def subject_names(session: AsyncSession, school_id: int) -> dict[int, str]:
    rows = await session.execute(select(Subject.id, Subject.name).where(Subject.school_id == school_id))
    return dict(rows.all())


# --- journal quality ----------------------------------------------------------------------------------


async def school_timetable(session: AsyncSession, school_id: int) -> list[TimetableSlot]:
    rows = await session.execute(
        select(TimetableLesson.class_id, TimetableLesson.subject_id, TimetableLesson.teacher_id,
               TimetableLesson.weekday, TimetableLesson.period).where(TimetableLesson.school_id == school_id))
    return [TimetableSlot(*row) for row in rows.all()]


def school_lessons(school_id: int, start: date, end: date | None = None):
    """Lessons of a school's classes from a date: reached through the (class_id, lesson_date) index, since
    journal_lessons has no index on school_id and journal_marks none on summative_id."""
    conditions = [JournalLesson.class_id.in_(select(SchoolClass.id).where(SchoolClass.school_id == school_id)),
                  JournalLesson.school_id == school_id, JournalLesson.lesson_date >= start]
    if end is not None:
        conditions.append(JournalLesson.lesson_date <= end)
    return and_(*conditions)


async def lesson_facts(session: AsyncSession, school_id: int, start: date, end: date) -> list[LessonFact]:
    """The journal's lessons between two dates, each with whether any student got a grade."""
    graded = exists().where(JournalMark.lesson_id == JournalLesson.id, JournalMark.grade.is_not(None))
    rows = await session.execute(
        select(JournalLesson.class_id, JournalLesson.subject_id, JournalLesson.teacher_id, JournalLesson.lesson_date,
               JournalLesson.period, JournalLesson.attendance_taken_at, case((graded, 1), else_=0))
        .where(school_lessons(school_id, start, end)))
    return [LessonFact(c, s, t, d, p, at, bool(g)) for c, s, t, d, p, at, g in rows.all()]


async def summative_facts(session: AsyncSession, school_id: int, *, term_id: int | None, start: date,
                          end: date) -> list[SummativeFact]:
    """Section and term summatives of a term (or due within its dates) with their results: the count and
    when the last one was saved (see domain.reports.attach_results). Two queries."""
    summatives = await _term_summatives(session, school_id, term_id, start, end)
    if not summatives:
        return []
    since = min(start, min(s.due_on for s in summatives)) - timedelta(days=SUMMATIVE_EARLY_RESULTS_DAYS)
    return attach_results(summatives, await _summative_marks(session, school_id, since),
                          SUMMATIVE_EARLY_RESULTS_DAYS)


async def _term_summatives(session: AsyncSession, school_id: int, term_id: int | None, start: date,
                           end: date) -> list[SummativeFact]:
    """The term's summatives (or those without a term due within its dates), each with its timetable teacher."""
    slot_teacher = (
        select(TimetableLesson.class_id.label("cid"), TimetableLesson.subject_id.label("subj"),
               func.min(TimetableLesson.teacher_id).label("teacher"))
        .where(TimetableLesson.school_id == school_id)
        .group_by(TimetableLesson.class_id, TimetableLesson.subject_id).subquery())
    in_term = Summative.term_id == term_id if term_id is not None else false()
    rows = await session.execute(
        select(Summative.id, Summative.class_id, Summative.subject_id, slot_teacher.c.teacher, Summative.kind,
               Summative.due_on)
        .outerjoin(slot_teacher, and_(slot_teacher.c.cid == Summative.class_id,
                                      slot_teacher.c.subj == Summative.subject_id))
        .where(Summative.school_id == school_id,
               or_(in_term, and_(Summative.term_id.is_(None), Summative.due_on >= start, Summative.due_on <= end))))
    return [SummativeFact(id=sid, class_id=cid, subject_id=subj, teacher_id=teacher, kind=kind, due_on=due,
                          results=0, last_entry_at=None) for sid, cid, subj, teacher, kind, due in rows.all()]


async def _summative_marks(session: AsyncSession, school_id: int, since: date) -> list[SummativeMark]:
    """Section and term grades given since a date, with when each was saved."""
    marks = await session.execute(
        select(JournalLesson.class_id, JournalLesson.subject_id, JournalMark.kind, JournalLesson.lesson_date,
               JournalMark.summative_id, JournalMark.updated_at, JournalLesson.teacher_id)
        .join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
        .where(school_lessons(school_id, since), JournalMark.kind.in_(("section", "term")),
               JournalMark.grade.is_not(None)))
    return [SummativeMark(c, subj, kind, day, linked, _aware(saved), teacher)
            for c, subj, kind, day, linked, saved, teacher in marks.all()]


def _aware(value: datetime | str | None) -> datetime | None:
    """In case an aggregate bypasses the UTC column type: text or a naive datetime is UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- decree 263 inputs --------------------------------------------------------------------------------


async def _distribution(session: AsyncSession, stmt) -> GradeStats:
    return GradeStats.of({int(g): int(n) for g, n in (await session.execute(stmt)).all() if g is not None})


async def term_summative_grades(session: AsyncSession, school_id: int, start: date, end: date) -> dict[int, int]:
    """The ChSB (term summative) results between two dates: mark -> how many (a per cent in Kazakhstan)."""
    rows = await session.execute(select(JournalMark.grade, func.count())
                                 .join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
                                 .where(school_lessons(school_id, start, end), JournalMark.kind == "term",
                                        JournalMark.grade.is_not(None))
                                 .group_by(JournalMark.grade))
    return {int(g): int(n) for g, n in rows.all()}


async def regular_grades(session: AsyncSession, school_id: int, start: date, end: date) -> GradeStats:
    return await _distribution(session, select(JournalMark.grade, func.count())
                               .join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
                               .where(school_lessons(school_id, start, end), JournalMark.grade.is_not(None),
                                      JournalMark.kind == "regular")
                               .group_by(JournalMark.grade))


async def term_grade_stats(session: AsyncSession, school_id: int, period: str) -> GradeStats:
    return await _distribution(session, select(TermGrade.grade, func.count())
                               .join(Student, Student.id == TermGrade.student_id)
                               .where(Student.school_id == school_id, TermGrade.period == period)
                               .group_by(TermGrade.grade))


# --- the term sheet -----------------------------------------------------------------------------------


async def term_sheet(session: AsyncSession, class_id: int, period: str, *, year_terms: frozenset[int] = frozenset(),
                     first_half_terms: frozenset[int] = frozenset()) -> TermSheet:
    """Students of the class by subjects (those with a term grade or on the class's timetable), with the
    term marks of the period's whole school year for the half-year and year marks (one query)."""
    students = [(i, n) for i, n in (await session.execute(
        select(Student.id, Student.full_name).where(Student.class_id == class_id)
        .order_by(Student.full_name, Student.id))).all()]
    grades, year_grades = await _term_grades(session, class_id, period)
    subjects = await _sheet_subjects(session, class_id, {subj for _s, subj in grades})
    return TermSheet(students=students, subjects=subjects, grades=grades, year_grades=year_grades,
                     first_half_terms=first_half_terms, year_terms=year_terms)


async def _term_grades(session: AsyncSession, class_id: int, period: str
                       ) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], dict[int, int]]]:
    """The class's term grades of the period by (student, subject), and of every term of its school year."""
    school_year = period.split("/T")[0]
    grades_rows = (await session.execute(
        select(TermGrade.student_id, TermGrade.subject_id, TermGrade.period, TermGrade.grade)
        .join(Student, Student.id == TermGrade.student_id)
        .where(Student.class_id == class_id, TermGrade.period.like(f"{school_year}/T%")))).all()
    year_grades: dict[tuple[int, int], dict[int, int]] = {}
    grades: dict[tuple[int, int], int] = {}
    for student_id, subject_id, row_period, grade in grades_rows:
        number = row_period.rsplit("/T", 1)[-1]
        if number.isdigit():
            year_grades.setdefault((student_id, subject_id), {})[int(number)] = grade
        if row_period == period:
            grades[(student_id, subject_id)] = grade
    return grades, year_grades


async def _sheet_subjects(session: AsyncSession, class_id: int, subject_ids: set[int]) -> list[tuple[int, str]]:
    """Those subjects and the class's timetable subjects, by name."""
    subject_ids |= set(await session.scalars(select(TimetableLesson.subject_id)
                                             .where(TimetableLesson.class_id == class_id).distinct()))
    subjects = []
    if subject_ids:
        subjects = [(i, n) for i, n in (await session.execute(
            select(Subject.id, Subject.name).where(Subject.id.in_(subject_ids)))).all()]
    subjects.sort(key=lambda s: (s[1].casefold(), s[0]))
    return subjects
