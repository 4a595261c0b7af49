"""The term sheet ("vedomost", seed 001), worded: a class's term marks by subject, with the half-year and year
marks, and the lines where the class teacher, the deputy and the head sign and the school's seal goes."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.screens.reports.common import dec, made_line, num, pct, share_text, term_label
from documents.report_files import Column, ColumnKind, ReportDocument, Section, Table
from usecases.report_figures import SheetReport


def sheet_file_title(report: SheetReport) -> str:
    """ "Chorak vedomosti 7-A 2-chorak", "Ведомость 7-А 2-четверть": the file's name in the reader's words."""
    number = report.scope.term.number if report.scope.term else 0
    return _("Term sheet {klass} term {number}").format(klass=report.class_name, number=number)


def sheet_title(report: SheetReport) -> str:
    return _("Term sheet: class {klass}, {term}").format(klass=report.class_name, term=term_label(report.scope.term))


def sheet_text(report: SheetReport) -> str:
    sheet = report.sheet
    overall = sheet.overall
    lines = [_("📋 {title}").format(title=sheet_title(report)), report.scope.school.name, "",
             _("Students: {students} · subjects: {subjects}").format(students=num(len(sheet.students)),
                                                                      subjects=num(len(sheet.subjects))),
             _("Term grades given: {share}").format(share=share_text(overall.graded))]
    if overall.graded.done:
        lines.append(_("Mean grade {mean} · success {success} · quality {quality}").format(
            mean=dec(overall.mean), success=pct(overall.success.percent), quality=pct(overall.quality.percent)))
        lines += ["", _("By subject:")]
        for subject_id, name in sheet.subjects[:30]:
            stats = sheet.subject_stats(subject_id)
            lines.append(_("• {subject}: mean {mean}, graded {done} of {total}").format(
                subject=name, mean=dec(stats.mean), done=num(stats.graded.done), total=num(stats.graded.total)))
        lines += ["", _("Each student's grades: in the PDF or XLSX.")]
    else:
        lines += ["", _("No term grades for this term yet.")]
    return "\n".join(lines)


def sheet_document(report: SheetReport) -> ReportDocument:
    sheet = report.sheet
    columns = [Column(_("No."), ColumnKind.INTEGER, 0.5), Column(_("Student"), width=3.0)]
    columns += [Column(name, ColumnKind.INTEGER, 1.0) for _id, name in sheet.subjects]
    columns.append(Column(_("Mean"), ColumnKind.DECIMAL, 0.9))
    rows = [[i, name, *[sheet.grade(sid, subj) for subj, _n in sheet.subjects], sheet.student_mean(sid)]
            for i, (sid, name) in enumerate(sheet.students, start=1)]
    total = ["", _("Mean"), *[sheet.subject_stats(subj).mean for subj, _n in sheet.subjects], sheet.overall.mean]
    return ReportDocument(
        title=sheet_title(report), lines=[report.scope.school.name, made_line(report.scope.today)],
        sections=[Section(heading=_("Term grades"), table=Table(columns, rows, total=total)),
                  Section(heading=_("By subject"), paragraphs=[
                      _("Success: grades 3 to 5; quality: grades 4 and 5, in per cent of the grades given.")],
                      table=subject_stats_table(report)),
                  year_marks_section(report), signatures_section(report)],
        footer=f"{report.scope.school.name} · {report.class_name}")


def subject_stats_table(report: SheetReport) -> Table:
    """Per subject: term marks given, their mean, success and quality."""
    sheet = report.sheet
    rows = []
    for subj, name in sheet.subjects:
        st = sheet.subject_stats(subj)
        rows.append([name, st.graded.done, st.mean, st.success.percent, st.quality.percent])
    overall = sheet.overall
    return Table(columns=[Column(_("Subject"), width=3), Column(_("Graded"), ColumnKind.INTEGER),
                          Column(_("Mean"), ColumnKind.DECIMAL), Column(_("Success, %"), ColumnKind.PERCENT),
                          Column(_("Quality, %"), ColumnKind.PERCENT)],
                 rows=rows, total=[_("Total"), overall.graded.done, overall.mean, overall.success.percent,
                                   overall.quality.percent])


def year_marks_section(report: SheetReport) -> Section:
    """Half-year and year marks (seed 001): the rounded mean of the half's or year's term marks, once each of
    those terms has its mark."""
    sheet = report.sheet
    rows = []
    for student_id, name in sheet.students:
        for subject_id, subject in sheet.subjects:
            marks = sheet.year_marks(student_id, subject_id)
            if (marks.first_half, marks.second_half, marks.year) != (None, None, None):
                rows.append([name, subject, marks.first_half, marks.second_half, marks.year])
    table = Table(columns=[Column(_("Student"), width=3.0), Column(_("Subject"), width=2.5),
                           Column(_("Half-year 1"), ColumnKind.INTEGER), Column(_("Half-year 2"), ColumnKind.INTEGER),
                           Column(_("Year"), ColumnKind.INTEGER)], rows=rows)
    note = _("A half-year or year mark is the rounded mean of its term marks, shown once each of those terms has "
             "its mark.")
    return Section(heading=_("Half-year and year marks"), sheet_name=_("Year"), paragraphs=[note],
                   table=table if rows else None)


def signatures_section(report: SheetReport) -> Section:
    """Seed 001: the printed sheets are signed by the class teacher and the head and sealed."""
    blank = "______________________"
    teacher = report.class_teacher or ""
    return Section(heading=_("Signatures"), sheet_name=_("Signatures"), paragraphs=[
        _("Class teacher: {line} {name}").format(line=blank, name=teacher).rstrip(),
        _("Deputy head for teaching: {line}").format(line=blank),
        _("School head: {line}").format(line=blank),
        _("Seal (L.S.)"),
    ])
