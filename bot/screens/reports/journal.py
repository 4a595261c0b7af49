"""Journal quality, worded: lessons written on the day, grades where the class gets marks, summatives on time,
and pupils with the marks a fair term mark needs (in chat, as PDF/XLSX, as a chart of the weeks)."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.formatting import fmt_date
from bot.screens.reports.common import (
    WORST_LIMIT,
    made_line,
    num,
    pct,
    period_line,
    plain,
    share_text,
    summative_names,
    term_label,
)
from documents.charts import Bar, bar_chart
from documents.report_files import Column, ColumnKind, ReportDocument, Section, Table
from domain.fair_marks import FairMarks
from domain.reports import JournalTally, SummativeState
from usecases.report_figures import JournalReport


def teacher_name(report: JournalReport, staff_id: int | None) -> str:
    name = report.staff.get(staff_id) if staff_id is not None else None
    return name or _("(no teacher set)")


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


def _summatives_line(report: JournalReport) -> list[str]:
    counted, country = report.quality.summatives, report.scope.school.country
    upcoming = counted.get(SummativeState.UPCOMING, 0)
    late = counted.get(SummativeState.LATE, 0)
    not_entered = counted.get(SummativeState.MISSING, 0)
    if not (late or not_entered or upcoming):
        return []
    return [_("{names}: late {late}, not entered {missing}, not yet due {upcoming}").format(
        names=summative_names(country), late=num(late), missing=num(not_entered), upcoming=num(upcoming))]


def _worst_lines(heading: str, worst: list, name) -> list[str]:
    if not worst:
        return []
    return ["", heading, *(_("• {name}: {percent} of {lessons} lessons").format(
        name=name(k), percent=pct(t.attendance_share.percent), lessons=num(t.lessons)) for k, t in worst)]


def class_name(report: JournalReport, class_id: int) -> str:
    return report.classes[class_id].name if class_id in report.classes else "?"


def lessons_line(report: JournalReport) -> str:
    total = report.quality.total
    return _("Lessons counted: {lessons}, of them not in the journal: {missing}").format(
        lessons=num(total.lessons), missing=num(total.lessons - total.held))


def journal_text(report: JournalReport) -> str:
    q, scope = report.quality, report.scope
    lines = [_("📒 Journal quality"), scope.school.name, period_line(scope), "",
             *tally_lines(q.total, scope.school.country), *fair_marks_lines(report.fair), lessons_line(report),
             *_summatives_line(report)]
    lines += _worst_lines(_("Lowest share entered on the day, teachers:"),
                          _worst({k: v for k, v in q.by_teacher.items() if k is not None}),
                          lambda k: teacher_name(report, k))
    lines += _worst_lines(_("Lowest share entered on the day, classes:"), _worst(q.by_class),
                          lambda k: class_name(report, k))
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


def _summary(report: JournalReport) -> Section:
    q, country = report.quality, report.scope.school.country
    return Section(heading=_("Summary"), sheet_name=_("Summary"), paragraphs=[
        *map(plain, tally_lines(q.total, country)), *map(plain, fair_marks_lines(report.fair)), lessons_line(report),
        _("How it is counted: the timetable's lessons on school days (holidays left out) up to the day before "
          "the report, and lessons written outside the timetable. \"On the day\": attendance was taken on the "
          "lesson's date, school time. Grades are expected where the class gets marks. A {names} is on time "
          "when its results were saved by its due date.").format(names=summative_names(country))])


def journal_document(report: JournalReport) -> ReportDocument:
    q, scope = report.quality, report.scope
    country = scope.school.country
    teachers = sorted(q.by_teacher.items(), key=lambda kt: teacher_name(report, kt[0]).casefold())
    classes = sorted(q.by_class.items(), key=lambda kt: (report.classes[kt[0]].grade, report.classes[kt[0]].name)
                     if kt[0] in report.classes else (99, "?"))
    weeks = [[fmt_date(monday, fmt="d MMM"), *_tally_cells("", t)[1:]] for monday, t in q.by_week.items()]
    return ReportDocument(
        title=_("Journal quality"), lines=[scope.school.name, period_line(scope), made_line(scope.today)],
        sections=[_summary(report),
                  Section(heading=_("By teacher"), table=Table(
                      _tally_columns(_("Teacher"), country),
                      [_tally_cells(teacher_name(report, k), t) for k, t in teachers],
                      total=_tally_cells(_("Total"), q.total))),
                  Section(heading=_("By class"), table=Table(
                      _tally_columns(_("Class"), country),
                      [_tally_cells(class_name(report, k), t) for k, t in classes])),
                  Section(heading=_("By week"), table=Table(_tally_columns(_("Week from"), country), weeks))],
        footer=scope.school.name)


def journal_chart(report: JournalReport) -> bytes:
    bars = [Bar(fmt_date(monday, fmt="d MMM"), t.attendance_share.percent or 0.0, pct(t.attendance_share.percent))
            for monday, t in list(report.quality.by_week.items())[-12:]]
    return bar_chart(bars, title=_("Attendance entered on the day, by week"),
                     subtitle=f"{report.scope.school.name} · {period_line(report.scope)}", horizontal=False,
                     max_value=100, target=100)


def journal_file_title(report: JournalReport) -> str:
    scope = report.scope
    return _("Journal quality {school} {term}").format(school=scope.school.name, term=term_label(scope.term))
