"""Journal quality: lessons written on the day, grades where the class gets marks, summatives on time, and
pupils with the marks a fair term mark needs (seed 001's minimum by the subject's lessons a week)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.formatting import fmt_date
from bot.services.reports.common import (
    WORST_LIMIT,
    SchoolScope,
    made_line,
    num,
    pct,
    period_line,
    plain,
    share_text,
    summative_names,
)
from documents.charts import Bar, bar_chart
from documents.report_files import Column, ColumnKind, ReportDocument, Section, Table
from domain.countries import rules_for
from domain.fair_marks import FairMarks, fair_marks
from domain.grading import allowed_grades, first_half_end
from domain.reports import (
    JournalQuality,
    JournalTally,
    Share,
    SummativeFact,
    SummativeState,
    journal_quality,
    lesson_outcomes,
)
from storage.repositories import report_usage
from storage.repositories import reports as repo
from storage.repositories.journal import weekly_hours


@dataclass(frozen=True)
class JournalReport:
    scope: SchoolScope
    quality: JournalQuality
    classes: dict[int, repo.ClassRow]
    staff: dict[int, str]

    summatives: list[SummativeFact]
    fair: FairMarks = field(default_factory=lambda: FairMarks(Share(0, 0)))

    def teacher_name(self, staff_id: int | None) -> str:
        name = self.staff.get(staff_id) if staff_id is not None else None
        return name or _("(no teacher set)")


async def journal_report(session: AsyncSession, scope: SchoolScope) -> JournalReport:
    school_id = scope.school.id
    classes = {c.id: c for c in await repo.school_classes(session, school_id)}
    term = scope.term
    half_ends = first_half_end([(t.number, t.starts_on, t.ends_on) for t in scope.terms], scope.start)

    @functools.cache
    def needs_grades(class_id: int, day: date) -> bool:
        klass = classes.get(class_id)
        return klass is None or bool(allowed_grades(scope.school.country, klass.grade, day, half_ends))

    facts = await repo.lesson_facts(session, school_id, scope.start, scope.cutoff)
    timetable = await repo.school_timetable(session, school_id)
    holidays = await repo.school_holidays(session, school_id)
    outcomes = lesson_outcomes(facts, timetable, start=scope.start, end=scope.cutoff, holidays=holidays, tz=scope.tz,
                               needs_grades=needs_grades)
    summatives = await repo.summative_facts(session, school_id, term_id=term.id if term else None,
                                            start=scope.start, end=term.ends_on if term else scope.cutoff)
    quality = journal_quality(outcomes, summatives, today=scope.today, tz=scope.tz)
    graded = {c for c in classes if needs_grades(c, max(scope.cutoff, scope.start))}
    fair = await fair_marks_of(session, scope, graded)
    return JournalReport(scope, quality, classes, await repo.staff_names(session, school_id), summatives, fair)


async def fair_marks_of(session: AsyncSession, scope: SchoolScope, graded_classes: set[int]) -> FairMarks:
    """Pupils with the marks a fair term mark needs (seed 001), by the subject's lessons a week."""
    if not graded_classes:
        return FairMarks(Share(0, 0))
    pupils = {c: s for c, s in (await report_usage.students_by_class(session, scope.school.id)).items()
              if c in graded_classes}
    hours = await weekly_hours(session, graded_classes)
    marks = await report_usage.marks_per_pupil(session, scope.school.id, scope.start, scope.cutoff)
    return fair_marks(pupils, hours, marks, rules_for(scope.school.country).min_marks)


def fair_marks_lines(fair: FairMarks) -> list[str]:
    if not fair.total.total:
        return []
    minima = ", ".join(f"{hours} → {need}" for hours, need in fair.minimum_by_hours.items())
    return [_("📏 Pupils with enough marks for a fair term mark so far: {share}").format(
                share=share_text(fair.total)),
            "   " + _("minimum marks by the subject's lessons a week (lessons → marks): {minima}").format(
                minima=minima)]


def tally_lines(tally: JournalTally, country: str) -> list[str]:
    return [
        _("📅 Attendance entered on the day: {share}").format(share=share_text(tally.attendance_share)),
        _("✍️ Lessons with grades: {share}").format(share=share_text(tally.grades_share)),
        _("📝 {names} entered by the due date: {share}").format(names=summative_names(country),
                                                               share=share_text(tally.summatives_share)),
    ]


def _worst(table: dict, min_lessons: int = 1) -> list:
    ranked = [(k, t) for k, t in table.items() if t.lessons >= min_lessons]
    ranked.sort(key=lambda kt: (kt[1].attendance_share.ratio or 0.0, kt[1].grades_share.ratio or 0.0))
    return ranked[:WORST_LIMIT]


def journal_text(report: JournalReport) -> str:
    q, scope = report.quality, report.scope
    lines = [_("📒 Journal quality"), scope.school.name, period_line(scope), "",
             *tally_lines(q.total, scope.school.country), *fair_marks_lines(report.fair)]
    missing = q.total.lessons - q.total.held
    lines.append(_("Lessons counted: {lessons}, of them not in the journal: {missing}").format(
        lessons=num(q.total.lessons), missing=num(missing)))
    upcoming = q.summatives.get(SummativeState.UPCOMING, 0)
    late = q.summatives.get(SummativeState.LATE, 0)
    not_entered = q.summatives.get(SummativeState.MISSING, 0)
    if late or not_entered or upcoming:
        lines.append(_("{names}: late {late}, not entered {missing}, not yet due {upcoming}").format(
            names=summative_names(scope.school.country), late=num(late), missing=num(not_entered),
            upcoming=num(upcoming)))
    worst_teachers = _worst({k: v for k, v in q.by_teacher.items() if k is not None})
    if worst_teachers:
        lines += ["", _("Lowest share entered on the day, teachers:")]
        lines += [_("• {name}: {percent} of {lessons} lessons").format(
            name=report.teacher_name(k), percent=pct(t.attendance_share.percent), lessons=num(t.lessons))
            for k, t in worst_teachers]
    worst_classes = _worst(q.by_class)
    if worst_classes:
        lines += ["", _("Lowest share entered on the day, classes:")]
        lines += [_("• {name}: {percent} of {lessons} lessons").format(
            name=report.classes[k].name if k in report.classes else "?", percent=pct(t.attendance_share.percent),
            lessons=num(t.lessons)) for k, t in worst_classes]
    lines += ["", _("Every teacher and class: in the PDF or XLSX.")]
    return "\n".join(lines)


def _tally_columns(first: str, country: str) -> list[Column]:
    return [Column(first, width=3.0), Column(_("Lessons"), ColumnKind.INTEGER, 0.9),
            Column(_("Not in the journal"), ColumnKind.INTEGER, 1.1),
            Column(_("Attendance on the day, %"), ColumnKind.PERCENT, 1.4),
            Column(_("With grades, %"), ColumnKind.PERCENT, 1.1),
            Column(_("{names} due").format(names=summative_names(country)), ColumnKind.INTEGER, 1.1),
            Column(_("On time, %"), ColumnKind.PERCENT, 1.0)]


def _tally_cells(name: str, t: JournalTally) -> list:
    return [name, t.lessons, t.lessons - t.held, t.attendance_share.percent, t.grades_share.percent,
            t.summatives_due, t.summatives_share.percent]


def journal_document(report: JournalReport) -> ReportDocument:
    q, scope = report.quality, report.scope
    country = scope.school.country
    teachers = sorted(q.by_teacher.items(), key=lambda kt: report.teacher_name(kt[0]).casefold())
    classes = sorted(q.by_class.items(), key=lambda kt: (report.classes[kt[0]].grade, report.classes[kt[0]].name)
                     if kt[0] in report.classes else (99, "?"))
    weeks = [[fmt_date(monday, fmt="d MMM"), *_tally_cells("", t)[1:]] for monday, t in q.by_week.items()]
    summary = Section(heading=_("Summary"), sheet_name=_("Summary"), paragraphs=[
        *map(plain, tally_lines(q.total, country)), *map(plain, fair_marks_lines(report.fair)),
        _("Lessons counted: {lessons}, of them not in the journal: {missing}").format(
            lessons=num(q.total.lessons), missing=num(q.total.lessons - q.total.held)),
        _("How it is counted: the timetable's lessons on school days (holidays left out) up to the day before "
          "the report, and lessons written outside the timetable. \"On the day\": attendance was taken on the "
          "lesson's date, school time. Grades are expected where the class gets marks. A {names} is on time "
          "when its results were saved by its due date.").format(names=summative_names(country))])
    return ReportDocument(
        title=_("Journal quality"), lines=[scope.school.name, period_line(scope), made_line(scope.today)],
        sections=[summary,
                  Section(heading=_("By teacher"), table=Table(
                      _tally_columns(_("Teacher"), country),
                      [_tally_cells(report.teacher_name(k), t) for k, t in teachers],
                      total=_tally_cells(_("Total"), q.total))),
                  Section(heading=_("By class"), table=Table(
                      _tally_columns(_("Class"), country),
                      [_tally_cells(report.classes[k].name if k in report.classes else "?", t) for k, t in classes])),
                  Section(heading=_("By week"), table=Table(_tally_columns(_("Week from"), country), weeks))],
        footer=scope.school.name)


def journal_chart(report: JournalReport) -> bytes:
    bars = [Bar(fmt_date(monday, fmt="d MMM"), t.attendance_share.percent or 0.0, pct(t.attendance_share.percent))
            for monday, t in list(report.quality.by_week.items())[-12:]]
    return bar_chart(bars, title=_("Attendance entered on the day, by week"),
                     subtitle=f"{report.scope.school.name} · {period_line(report.scope)}", horizontal=False,
                     max_value=100, target=100)
