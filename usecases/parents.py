"""Parents: a parent's view of their own children, for the chat and the Mini App alike. The week, the term's
attendance, the term grades with a forecast, the latest homework and a chart's figures. Every read checks
the link in the same query that loads the child, so anyone else's child is `ChildNotLinked` (a
`NotYourChild`), whatever id is asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean

from domain.countries import local_day, rules_for
from domain.grading import Mark, is_percent_kind, term_grade, weighted_term_percent
from domain.journal import (
    AttendanceSummary,
    MarkRow,
    WeekSummary,
    round_half_up,
    summarize_attendance,
    summarize_week,
    week_start,
)
from storage.models import School, SchoolClass, Student
from storage.repositories import journal
from storage.repositories.schools import children_of
from usecases.errors import N_, NotYourChild
from usecases.uow import UnitOfWork

#: How far back a parent may page through weeks.
OLDEST_WEEK = -52
#: The chart reads four weeks: a week often has one or two marks per subject.
CHART_WEEKS = 4


class ChildNotLinked(NotYourChild):
    """Not this parent's child (or no such child): the chat's message id of this refusal, kept."""

    text = N_("You can only see your own children.")


@dataclass(frozen=True)
class ChildRef:
    id: int
    name: str
    class_name: str


@dataclass(frozen=True)
class Child:
    """The child a screen is about, with what every screen needs of the class and school."""

    id: int
    name: str
    class_id: int
    class_name: str
    school_id: int
    school_name: str
    country: str
    timezone: str | None  # the school's: its calendar day is the child's today


@dataclass(frozen=True)
class ChildWeek:
    child: Child
    start: date  # Monday
    offset: int  # weeks back from this week (0, -1, ...); 0 for a week named by its date (the digest's)
    summary: WeekSummary


@dataclass(frozen=True)
class ChildAttendance:
    child: Child
    term: int | None  # None: the school has not set its terms
    summary: AttendanceSummary | None


@dataclass(frozen=True)
class ChildTerms:
    child: Child
    today: date
    grades: list[tuple[str, str, int]]  # (subject, period "2025-2026/T1", grade) set by the school
    terms: list[tuple[int, date, date]]  # the school's terms: (number, first day, last day)
    term: int | None  # the current term's number, if the school has terms
    term_marks: list[MarkRow]  # the current term's marks so far (for a forecast)


@dataclass(frozen=True)
class ChildHomework:
    child: Child
    day: date | None  # the last day homework was set, None: none yet
    items: list[tuple[str, str]]  # (subject, homework)


@dataclass(frozen=True)
class ChildChart:
    child: Child
    summary: WeekSummary  # the last four weeks


async def my_children(uow: UnitOfWork, parent_user_id: int) -> list[ChildRef]:
    """The Mini App's list: names and classes."""
    return [ChildRef(id=s.id, name=s.full_name, class_name=c.name)
            for s, c, _school in await children_of(uow.session, parent_user_id)]


async def children(uow: UnitOfWork, parent_user_id: int) -> list[Child]:
    """The chat's list: enough of each child to open its card at once when there is only one."""
    return [_child(found) for found in await children_of(uow.session, parent_user_id)]


async def open_child(uow: UnitOfWork, parent_user_id: int, student_id: int) -> Child:
    """The child with class and school, only if linked to this parent (one query: the check and the read)."""
    found = await journal.own_child(uow.session, parent_user_id, student_id)
    if found is None:
        raise ChildNotLinked("not a child of this parent")
    return _child(found)


def _child(found: tuple[Student, SchoolClass, School]) -> Child:
    student, klass, school = found
    return Child(id=student.id, name=student.full_name, class_id=klass.id, class_name=klass.name,
                 school_id=school.id, school_name=school.name, country=school.country, timezone=school.timezone)


async def child_week(uow: UnitOfWork, parent_user_id: int, student_id: int, now: datetime,
                     offset: int = 0) -> ChildWeek:
    """The week `offset` weeks back from this one (never ahead, at most a year back)."""
    child = await open_child(uow, parent_user_id, student_id)
    offset = max(min(offset, 0), OLDEST_WEEK)
    return await _week(uow, child, week_start(local_day(child.timezone, now)) + timedelta(weeks=offset), offset)


async def week_on(uow: UnitOfWork, parent_user_id: int, student_id: int, start: date) -> ChildWeek:
    """The week that contains `start` (the weekly digest names its week)."""
    return await _week(uow, await open_child(uow, parent_user_id, student_id), week_start(start), 0)


async def _week(uow: UnitOfWork, child: Child, start: date, offset: int) -> ChildWeek:
    rows = await journal.child_marks(uow.session, child.id, start, start + timedelta(days=6))
    return ChildWeek(child=child, start=start, offset=offset, summary=summarize_week(rows, child.country))


async def child_attendance(uow: UnitOfWork, parent_user_id: int, student_id: int, now: datetime) -> ChildAttendance:
    child = await open_child(uow, parent_user_id, student_id)
    term = await journal.term_for(uow.session, child.school_id, local_day(child.timezone, now))
    if term is None:
        return ChildAttendance(child=child, term=None, summary=None)
    values = await journal.child_term_attendance(uow.session, child.id, term)
    return ChildAttendance(child=child, term=term.number, summary=summarize_attendance(values))


async def child_terms(uow: UnitOfWork, parent_user_id: int, student_id: int, now: datetime) -> ChildTerms:
    """Term grades set by the school, the school's terms, and the current term's marks for a forecast."""
    child = await open_child(uow, parent_user_id, student_id)
    today = local_day(child.timezone, now)
    grades = await journal.child_term_grades(uow.session, child.id)
    terms = await journal.school_terms(uow.session, child.school_id)
    term = await journal.term_for(uow.session, child.school_id, today)
    marks = await journal.child_marks(uow.session, child.id, term.starts_on, term.ends_on) if term else []
    return ChildTerms(child=child, today=today, grades=grades, terms=terms, term=term.number if term else None,
                      term_marks=marks)


async def child_homework(uow: UnitOfWork, parent_user_id: int, student_id: int, now: datetime) -> ChildHomework:
    child = await open_child(uow, parent_user_id, student_id)
    return await _homework(uow, child, local_day(child.timezone, now))


async def child_chart(uow: UnitOfWork, parent_user_id: int, student_id: int, now: datetime) -> ChildChart:
    """The marks of this week and the three before it, summarized per subject."""
    child = await open_child(uow, parent_user_id, student_id)
    start = week_start(local_day(child.timezone, now))
    rows = await journal.child_marks(uow.session, child.id, start - timedelta(weeks=CHART_WEEKS - 1),
                                     start + timedelta(days=6))
    return ChildChart(child=child, summary=summarize_week(rows, child.country))


# --- the Mini App's page of one child: everything at once -----------------------------------------------------


@dataclass
class SubjectTerm:
    subject: str
    marks: list[MarkRow]  # the term's marks (summatives with their points over a maximum)
    average: float | None
    forecast: int | None
    term_grades: list[tuple[str, int]]  # ("T1", 5) ...
    #: Where the country weighs the term mark in per cents (Kazakhstan), the forecast's per cent.
    forecast_percent: float | None = None


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
    #: As the chat's screens show them: the week's summative per cents, the term's absences with and without a
    #: reason, and the term grades set by the school with the school's terms (for half-year and year marks).
    week_percents: dict[str, float] = field(default_factory=dict)
    week_overall_percent: float | None = None
    term_excused: int = 0
    term_unexcused: int = 0
    term_grade_rows: list[tuple[str, str, int]] = field(default_factory=list)  # (subject, "2025-2026/T1", grade)
    terms: list[tuple[int, date, date]] = field(default_factory=list)
    oldest_week: date | None = None  # the earliest week a parent may page back to (as in chat)


async def child_view(uow: UnitOfWork, parent_user_id: int, student_id: int, week_of: date | None,
                     now: datetime) -> ChildView:
    """The child's week (containing `week_of`, default this week; never ahead, at most a year back, as in chat)
    and current term."""
    child = await open_child(uow, parent_user_id, student_id)
    today = local_day(child.timezone, now)
    oldest = week_start(today) + timedelta(weeks=OLDEST_WEEK)
    start = max(week_start(min(week_of or today, today)), oldest)
    week_rows = await journal.child_marks(uow.session, child.id, start, start + timedelta(days=6))
    week = summarize_week(week_rows, child.country)
    view = ChildView(id=child.id, name=child.name, class_name=child.class_name, school_name=child.school_name,
                     country=child.country, today=today, week_start=start,
                     week=sorted(week_rows, key=lambda r: (r.day, r.subject)), week_averages=week.averages,
                     week_overall=week.overall, week_absences=week.absences, week_late=week.late, term_number=None,
                     week_percents=week.percents, week_overall_percent=week.overall_percent, oldest_week=oldest)
    await _fill_term(uow, child, today, view)
    homework = await _homework(uow, child, today)
    view.homework_day, view.homework = homework.day, homework.items
    return view


async def _fill_term(uow: UnitOfWork, child: Child, today: date, view: ChildView) -> None:
    """The current term's attendance and marks per subject, and every term grade set by the school."""
    view.term_grade_rows = await journal.child_term_grades(uow.session, child.id)
    view.terms = await journal.school_terms(uow.session, child.school_id)
    term = await journal.term_for(uow.session, child.school_id, today)
    if term is None:
        return
    rows = await journal.child_marks(uow.session, child.id, term.starts_on, term.ends_on)
    attendance = summarize_attendance([row.attendance for row in rows])
    view.term_number, view.term_lessons = term.number, attendance.lessons
    view.term_missed, view.term_late = attendance.missed, attendance.late
    view.term_excused, view.term_unexcused = attendance.absent_excused, attendance.absent_unexcused
    view.subjects = _subjects(child.country, rows, view.term_grade_rows)


async def _homework(uow: UnitOfWork, child: Child, today: date) -> ChildHomework:
    day = await journal.last_homework_day(uow.session, child.class_id, today)
    items = await journal.homework_on(uow.session, child.class_id, day) if day is not None else []
    return ChildHomework(child=child, day=day, items=items)


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
        scored = [Mark(m.grade, m.kind, m.points, m.max_points) for m in values]
        result.append(SubjectTerm(
            subject=subject, marks=values, average=round_half_up(mean(counted)) if counted else None,
            forecast=term_grade(country, scored), term_grades=grades.get(subject, []),
            forecast_percent=weighted_term_percent(country, scored)
            if any(is_percent_kind(country, m.kind) for m in scored) else None))
    return result
