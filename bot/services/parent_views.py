"""What a parent reads about a child, as short texts in the current locale (also used by the weekly summary)."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from bot.formatting import fmt_date, fmt_number, fmt_percent, summative_names
from documents.charts import Bar, bar_chart, stack_charts
from domain.grading import Mark, half_year_and_year, is_percent_kind, scale_top, school_year_start, term_grade
from domain.grading import weighted_term_percent as term_percent
from domain.journal import AttendanceSummary, MarkRow, WeekSummary, summarize_attendance, summarize_week
from storage.models import School, SchoolClass, Student
from storage.repositories import journal

ATTENDANCE_ICONS = {"absent": "✗", "excused": "🤒", "late": "⏰"}


def line_start(text: str) -> str:
    """A formatted date that opens a line, capitalised: CLDR writes weekdays lowercase in ru, uz, ky and kk
    ("жұма, 4 желтоқсан") while the lines beside it ("Бүгін, 5 желтоқсан") start with a capital."""
    return text[:1].upper() + text[1:]


#: (student, class, school), as storage.repositories.journal.student_with_class gives it.
Child = tuple[Student, SchoolClass, School]


async def load_child(session: AsyncSession, student_id: int, child: Child | None) -> Child | None:
    """The child's rows, unless the caller (the parents' handler) already has them."""
    return child or await journal.student_with_class(session, student_id)


def mark_text(country: str, grade: int, kind: str, points: int | None = None, max_points: int | None = None) -> str:
    """A mark as the school's country writes it: "4", "5 (BSB)", "SOR 17/20 (85 %)", "SOCh 85 %".
    Summatives are named by the school's country (BSB/ChSB, СОР/СОЧ, БЖБ/ТЖБ), whatever the interface."""
    if kind not in ("section", "term"):
        return str(grade)
    name = summative_names(country)[0 if kind == "section" else 1]
    if max_points is None and not is_percent_kind(country, kind):
        return f"{grade} ({name})"
    if points is not None and max_points not in (None, 100):
        return f"{name} {points}/{max_points} ({fmt_percent(grade)})"
    return f"{name} {fmt_percent(grade)}"


def summatives_label(country: str) -> str:
    return "/".join(summative_names(country))


def _row_text(row: MarkRow, country: str) -> str:
    return f"{row.subject} {mark_text(country, row.grade, row.kind, row.points, row.max_points)}"


def render_week(name: str, class_name: str, start: date, summary: WeekSummary, country: str = "UZ") -> str:
    """Key figures first: the marks' average, absences, and (Kazakhstan) the summatives' per cent apart."""
    end = start + timedelta(days=6)
    lines = [_("{name}, {klass} · {start} – {end}").format(
        name=name, klass=class_name, start=fmt_date(start, fmt="d MMM"), end=fmt_date(end, fmt="d MMM"))]
    overall = fmt_number(summary.overall) if summary.overall is not None else "—"
    lines.append(_("Average {average} · absent {absent} · late {late}").format(
        average=overall, absent=summary.absences, late=summary.late))
    if summary.overall_percent is not None:
        lines.append(_("{names}: {percent} of the points").format(
            names=summatives_label(country), percent=fmt_percent(summary.overall_percent)))
    if not summary.days:
        lines += ["", _("No grades or absences this week.")]
        return "\n".join(lines)
    icons = False
    for day, rows in sorted(summary.days.items()):
        items = []
        for row in rows:
            if row.grade is not None:
                items.append(_row_text(row, country))
            if row.attendance in ATTENDANCE_ICONS:
                items.append(f"{ATTENDANCE_ICONS[row.attendance]} {row.subject}")
                icons = True
        if items:
            lines += ["", f"{line_start(fmt_date(day, fmt='EEE d MMM'))}: " + "; ".join(items)]
    if icons:
        lines += ["", attendance_legend()]
    subjects = sorted(set(summary.averages) | set(summary.percents))
    if subjects:
        lines += ["", _("Averages by subject:")]
        for subject in subjects:
            parts = [fmt_number(summary.averages[subject])] if subject in summary.averages else []
            if subject in summary.percents:
                parts.append(f"{summatives_label(country)} {fmt_percent(summary.percents[subject])}")
            lines.append(f"• {subject}: " + " · ".join(parts))
    return "\n".join(lines)


def attendance_legend() -> str:
    """The week's symbols, explained once."""
    return _("✗ absent · 🤒 absent with a reason · ⏰ late")


async def week_summary_text(session: AsyncSession, student_id: int, week_start: date,
                            child: Child | None = None) -> str:
    """The child's week (Monday..Sunday from `week_start`), per day and per subject, with averages."""
    found = await load_child(session, student_id, child)
    if found is None:
        return _("No such student.")
    student, klass, school = found
    rows = await journal.child_marks(session, student_id, week_start, week_start + timedelta(days=6))
    return render_week(student.full_name, klass.name, week_start, summarize_week(rows, school.country),
                       school.country)


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
    """Term grades set by the school with the half-year and year marks they make (seed 001), and the
    current term's forecast from the marks so far (Kazakhstan: marks and points kept apart)."""
    found = await load_child(session, student_id, child)
    if found is None:
        return _("No such student.")
    student, _klass, school = found
    lines = [_("{name}: term grades").format(name=student.full_name)]
    rows = await journal.child_term_grades(session, student_id)
    terms = await journal.school_terms(session, school.id)
    lines += term_grade_lines(rows, terms, today)
    if not rows:
        lines.append(_("No term grades have been set yet."))
    term = await journal.term_for(session, school.id, today)
    if term is not None:
        lines += forecast_lines(school.country, term.number,
                                await journal.child_marks(session, student_id, term.starts_on, term.ends_on))
    return "\n".join(lines)


#: Terms, then half-years, then the year ("2025-2026/T1" is stored as such; the current year's prefix is dropped).
PERIOD_ORDER = {"T": 0, "H": 1, "Y": 2}


def _period_label(code: str) -> str:
    if code.startswith("H") and code[1:].isdigit():
        return _("half-year {n}").format(n=code[1:])
    if code == "Y":
        return _("year")
    return code


def term_grade_lines(rows: list[tuple[str, str, int]], terms: list[tuple[int, date, date]], today: date) -> list[str]:
    """One line per subject: its term grades, then the half-year and year marks, set or computed from them."""
    year = school_year_start(today)
    label = f"{year}-{year + 1}/"
    by_subject: dict[str, dict[str, int]] = {}
    for subject, period, grade in rows:
        by_subject.setdefault(subject, {})[period.removeprefix(label)] = grade
    lines = []
    for subject, grades in by_subject.items():
        term_marks = {int(code[1:]): g for code, g in grades.items() if code[:1] == "T" and code[1:].isdigit()}
        for code, grade in half_year_and_year(term_marks, terms, today).items():
            grades.setdefault(code, grade)
        order = sorted(grades, key=lambda c: ("/" in c, PERIOD_ORDER.get(c[:1], 3), c))  # other years last
        lines.append(f"• {subject} — " + ", ".join(f"{_period_label(code)}: {grades[code]}" for code in order))
    return lines


def forecast_lines(country: str, term_no: int, rows: list[MarkRow]) -> list[str]:
    """The term mark the marks so far point to, per subject; with the weighted per cent where the country
    computes the term mark so (Kazakhstan: ФО 25 % + СОР 25 % + СОЧ 50 %, summatives as points over maximum)."""
    marks: dict[str, list[Mark]] = {}
    for row in rows:
        if row.grade is not None:
            marks.setdefault(row.subject, []).append(Mark(row.grade, row.kind, row.points, row.max_points))
    if not marks:
        return []
    count = sum(len(v) for v in marks.values())  # "forecast from 17 grades", not "forecast: 17"
    lines = ["", ngettext("Term {term} so far (forecast from {n} grade):",
                          "Term {term} so far (forecast from {n} grades):", count).format(term=term_no, n=count)]
    for subject, values in sorted(marks.items()):
        grade = term_grade(country, values)
        if grade is None:
            continue
        percent = term_percent(country, values) if any(is_percent_kind(country, m.kind) for m in values) else None
        lines.append(f"• {subject}: {grade}" + (f" ({fmt_percent(percent)})" if percent is not None else ""))
    return lines


def chart_series(summary: WeekSummary, country: str) -> list[tuple[bool, list[Bar], float]]:
    """(per cents?, bars, axis end) per scale: the marks' averages on the country's scale (5, or 10 in
    Kazakhstan) and, apart, the summatives' per cents on 0–100 — never one axis for both."""
    series = []
    if summary.averages or not summary.percents:
        series.append((False, [Bar(subject, avg, fmt_number(avg)) for subject, avg in summary.averages.items()],
                       float(scale_top(country))))
    if summary.percents:
        series.append((True, [Bar(subject, pct, fmt_percent(pct)) for subject, pct in summary.percents.items()],
                       100.0))
    return series


def week_chart(name: str, summary: WeekSummary, country: str) -> bytes:
    """The chart a parent gets: one panel per scale, stacked in one picture."""
    panels = []
    for percents, bars, top in chart_series(summary, country):
        subtitle = _("{names}: per cent of the points, last 4 weeks").format(names=summatives_label(country)) \
            if percents else _("Average grade by subject, last 4 weeks")
        title = summatives_label(country) if panels else name
        panels.append(bar_chart(bars, title=title, subtitle=subtitle, horizontal=True, max_value=top))
    return stack_charts(panels)


def chart_caption(name: str, class_name: str, summary: WeekSummary, country: str) -> str:
    average = fmt_number(summary.overall) if summary.overall is not None else "—"
    caption = _("{name}, {klass}: average {average}").format(name=name, klass=class_name, average=average)
    if summary.overall_percent is not None:
        caption += " · " + _("{names}: {percent} of the points").format(
            names=summatives_label(country), percent=fmt_percent(summary.overall_percent))
    return caption


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
