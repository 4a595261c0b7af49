"""A parent's view of one of their children: the week, the term (attendance, marks per subject, the school's
term grades, a forecast), the latest homework and a chart's figures. Only their own children: anything else
is `NotYourChild`, whatever id is asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean

from domain.countries import local_day, rules_for
from domain.grading import Mark, term_grade
from domain.journal import MarkRow, round_half_up, summarize_attendance, summarize_week, week_start
from storage.repositories import journal
from storage.repositories.schools import children_of
from usecases.errors import NotFound, NotYourChild
from usecases.uow import UnitOfWork


@dataclass(frozen=True)
class ChildRef:
    id: int
    name: str
    class_name: str


@dataclass
class SubjectTerm:
    subject: str
    marks: list[MarkRow]  # the term's marks (summatives with their points over a maximum)
    average: float | None
    forecast: int | None
    term_grades: list[tuple[str, int]]  # ("T1", 5) ...


@dataclass
class ChildView:
    id: int
    name: str
    class_name: str
    school_name: str
    country: str
    today: date
    week_start: date
    week: list[MarkRow]
    week_averages: dict[str, float]
    week_overall: float | None
    week_absences: int
    week_late: int
    term_number: int | None
    term_lessons: int = 0
    term_missed: int = 0
    term_late: int = 0
    subjects: list[SubjectTerm] = field(default_factory=list)
    homework_day: date | None = None
    homework: list[tuple[str, str]] = field(default_factory=list)


async def my_children(uow: UnitOfWork, parent_user_id: int) -> list[ChildRef]:
    return [ChildRef(id=s.id, name=s.full_name, class_name=c.name)
            for s, c in await children_of(uow.session, parent_user_id)]


async def child_view(uow: UnitOfWork, parent_user_id: int, student_id: int, week_of: date | None,
                     now: datetime) -> ChildView:
    """The child's week (containing `week_of`, default this week) and current term."""
    if student_id not in {child.id for child in await my_children(uow, parent_user_id)}:
        raise NotYourChild("not a child of this parent")
    found = await journal.student_with_class(uow.session, student_id)
    if found is None:
        raise NotFound("student")
    student, klass, school = found
    today = local_day(school.timezone, now)
    start = week_start(week_of or today)
    week_rows = await journal.child_marks(uow.session, student_id, start, start + timedelta(days=6))
    week = summarize_week(week_rows)
    view = ChildView(id=student.id, name=student.full_name, class_name=klass.name, school_name=school.name,
                     country=school.country, today=today, week_start=start,
                     week=sorted(week_rows, key=lambda r: (r.day, r.subject)), week_averages=week.averages,
                     week_overall=week.overall, week_absences=week.absences, week_late=week.late, term_number=None)
    term = await journal.term_for(uow.session, school.id, today)
    if term is not None:
        rows = await journal.child_marks(uow.session, student_id, term.starts_on, term.ends_on)
        attendance = summarize_attendance([row.attendance for row in rows])
        view.term_number, view.term_lessons = term.number, attendance.lessons
        view.term_missed, view.term_late = attendance.missed, attendance.late
        view.subjects = _subjects(school.country, rows, await journal.child_term_grades(uow.session, student_id))
    view.homework_day = await journal.last_homework_day(uow.session, klass.id, today)
    if view.homework_day is not None:
        view.homework = await journal.homework_on(uow.session, klass.id, view.homework_day)
    return view


def _subjects(country: str, rows: list[MarkRow], term_grades: list[tuple[str, str, int]]) -> list[SubjectTerm]:
    percent = bool(rules_for(country).summative_as_percent.value)
    marks: dict[str, list[MarkRow]] = {}
    for row in sorted(rows, key=lambda r: r.day):
        if row.grade is not None:
            marks.setdefault(row.subject, []).append(row)
    grades: dict[str, list[tuple[str, int]]] = {}
    for subject, period, grade in term_grades:
        grades.setdefault(subject, []).append((period.split("/")[-1], grade))
    result = []
    for subject in sorted(set(marks) | set(grades)):
        values = marks.get(subject, [])
        # Per cents (Kazakhstan's СОР/СОЧ) are not marks of the scale: the mean is of the marks alone.
        counted = [m.grade for m in values if m.kind == "regular" or not percent]
        result.append(SubjectTerm(
            subject=subject, marks=values, average=round_half_up(mean(counted)) if counted else None,
            forecast=term_grade(country, [Mark(m.grade, m.kind, m.points, m.max_points) for m in values]),
            term_grades=grades.get(subject, [])))
    return result
