"""What a parent reads about a child, as short texts in the current locale (also used by the weekly summary)."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.formatting import fmt_date, fmt_number
from domain.grading import term_grade
from domain.journal import AttendanceSummary, WeekSummary, summarize_attendance, summarize_week
from storage.models import School, SchoolClass, Student
from storage.repositories import journal

ATTENDANCE_ICONS = {"absent": "✗", "excused": "🤒", "late": "⏰"}

#: (student, class, school), as storage.repositories.journal.student_with_class gives it.
Child = tuple[Student, SchoolClass, School]


async def load_child(session: AsyncSession, student_id: int, child: Child | None) -> Child | None:
    """The child's rows, unless the caller (the parents' handler) already has them."""
    return child or await journal.student_with_class(session, student_id)


def _grade_text(row) -> str:
    mark = str(row.grade)
    if row.kind == "section":
        mark += " " + _("(section summative)")
    elif row.kind == "term":
        mark += " " + _("(term summative)")
    return mark


def render_week(name: str, class_name: str, start: date, summary: WeekSummary) -> str:
    end = start + timedelta(days=6)
    lines = [_("{name}, {klass} · {start} – {end}").format(
        name=name, klass=class_name, start=fmt_date(start, fmt="d MMM"), end=fmt_date(end, fmt="d MMM"))]
    overall = fmt_number(summary.overall) if summary.overall is not None else "—"
    lines.append(_("Average {average} · absent {absent} · late {late}").format(
        average=overall, absent=summary.absences, late=summary.late))
    if not summary.days:
        lines += ["", _("No grades or absences this week.")]
        return "\n".join(lines)
    for day, rows in sorted(summary.days.items()):
        items = []
        for row in rows:
            if row.grade is not None:
                items.append(f"{row.subject} {_grade_text(row)}")
            if row.attendance in ATTENDANCE_ICONS:
                items.append(f"{ATTENDANCE_ICONS[row.attendance]} {row.subject}")
        if items:
            lines += ["", f"{fmt_date(day, fmt='EEE d MMM')}: " + "; ".join(items)]
    if summary.averages:
        lines += ["", _("Averages by subject:")]
        lines += [f"• {subject}: {fmt_number(avg)}" for subject, avg in summary.averages.items()]
    return "\n".join(lines)


async def week_summary_text(session: AsyncSession, student_id: int, week_start: date,
                            child: Child | None = None) -> str:
    """The child's week (Monday..Sunday from `week_start`), per day and per subject, with averages."""
    found = await load_child(session, student_id, child)
    if found is None:
        return _("No such student.")
    student, klass, _school = found
    rows = await journal.child_marks(session, student_id, week_start, week_start + timedelta(days=6))
    return render_week(student.full_name, klass.name, week_start, summarize_week(rows))


def render_attendance(name: str, term_no: int, summary: AttendanceSummary) -> str:
    return "\n".join([
        _("{name} · term {term}: missed {missed} of {lessons} lessons").format(
            name=name, term=term_no, missed=summary.missed, lessons=summary.lessons),
        _("• absent with a reason: {n}").format(n=summary.absent_excused),
        _("• absent without a reason: {n}").format(n=summary.absent_unexcused),
        _("• late: {n}").format(n=summary.late),
    ])


async def attendance_text(session: AsyncSession, student_id: int, today: date, child: Child | None = None) -> str:
    found = await load_child(session, student_id, child)
    if found is None:
        return _("No such student.")
    student, _klass, school = found
    term = await journal.term_for(session, school.id, today)
    if term is None:
        return _("The school has not set its terms yet.")
    values = await journal.child_term_attendance(session, student_id, term)
    return render_attendance(student.full_name, term.number, summarize_attendance(values))


async def term_grades_text(session: AsyncSession, student_id: int, today: date, child: Child | None = None) -> str:
    """Term grades set by the school, and the current term's forecast from the marks so far."""
    found = await load_child(session, student_id, child)
    if found is None:
        return _("No such student.")
    student, _klass, school = found
    lines = [_("{name}: term grades").format(name=student.full_name)]
    rows = await journal.child_term_grades(session, student_id)
    by_subject: dict[str, list[str]] = {}
    for subject, period, grade in rows:
        by_subject.setdefault(subject, []).append(f"{period.split('/')[-1]}: {grade}")
    lines += [f"• {subject} — " + ", ".join(items) for subject, items in by_subject.items()]
    if not rows:
        lines.append(_("No term grades have been set yet."))
    term = await journal.term_for(session, school.id, today)
    if term is not None:
        marks: dict[str, list[tuple[int, str]]] = {}
        for row in await journal.child_marks(session, student_id, term.starts_on, term.ends_on):
            if row.grade is not None:
                marks.setdefault(row.subject, []).append((row.grade, row.kind))
        forecast = {subject: term_grade(school.country, values) for subject, values in sorted(marks.items())}
        if forecast:
            lines += ["", _("Term {term} so far (forecast from {n} grades):").format(
                term=term.number, n=sum(len(v) for v in marks.values()))]
            lines += [f"• {subject}: {grade}" for subject, grade in forecast.items() if grade is not None]
    return "\n".join(lines)


async def homework_text(session: AsyncSession, student_id: int, today: date, child: Child | None = None) -> str:
    found = await load_child(session, student_id, child)
    if found is None:
        return _("No such student.")
    student, klass, _school = found
    day = await journal.last_homework_day(session, klass.id, today)
    if day is None:
        return _("{name}: no homework in the journal yet.").format(name=student.full_name)
    items = await journal.homework_on(session, klass.id, day)
    lines = [_("{name}: homework set on {date}").format(name=student.full_name, date=fmt_date(day, fmt="EEEE d MMM"))]
    lines += [f"• {subject}: {text}" for subject, text in items]
    return "\n".join(lines)
