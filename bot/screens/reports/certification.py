"""Course and certification, worded: one school's staff, or a supervisor's area side by side, as plan and
fact (in chat, as PDF/XLSX, as a chart). Fact may exceed the plan, so shares are never capped at 100 %."""

from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import gettext as _

from bot.screens.reports.common import (
    CHAT_LIST_LIMIT,
    country_name,
    made_line,
    num,
    pct,
    plain,
    share_text,
)
from documents.charts import Bar, bar_chart
from documents.report_files import Column, ColumnKind, ReportDocument, Section, Table
from domain.reports import AreaLevel, CertificationCounts, GroupRow, not_started
from storage.models import School, Supervisor
from usecases.report_figures import AreaReport, SchoolCertificationReport

# --- one school -----------------------------------------------------------------------------------------


def certification_lines(counts: CertificationCounts) -> list[str]:
    return [
        _("✅ Passed the exam: {share}").format(share=share_text(counts.passed_share)),
        _("📚 Started the course or exam: {share}").format(share=share_text(counts.started_share)),
        _("📤 Certificates received by the head: {share}").format(share=share_text(counts.sent_share)),
    ]


def plan_line(report: SchoolCertificationReport) -> str:
    if report.plan_is_set:
        return _("Plan: {n} (set for the school)").format(n=num(report.counts.planned))
    return _("Plan: {n} (the school's whole pedagogical staff: teachers, heads and deputies)").format(
        n=num(report.counts.planned))


def certification_text(report: SchoolCertificationReport) -> str:
    counts = report.counts
    lines = [_("🎓 Course and certification"), report.school.name, "", plan_line(report),
             *certification_lines(counts)]
    waiting = not_started(report.teachers)
    if waiting:
        lines += ["", _("Not started yet ({n}):").format(n=num(len(waiting)))]
        lines += [f"• {t.name}" for t in waiting[:CHAT_LIST_LIMIT]]
        if len(waiting) > CHAT_LIST_LIMIT:
            lines.append(_("… and {n} more: see the PDF or XLSX.").format(n=num(len(waiting) - CHAT_LIST_LIMIT)))
    elif report.teachers:
        lines += ["", _("Every planned teacher has started. 👏")]
    else:
        lines += ["", _("The staff list has no teachers yet: import the school's roster.")]
    return "\n".join(lines)


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def certification_document(report: SchoolCertificationReport) -> ReportDocument:
    rows = [[i, t.name, _yes(t.started or t.passed or t.sent_to_head), _yes(t.passed or t.sent_to_head),
             _yes(t.sent_to_head)] for i, t in enumerate(report.teachers, start=1)]
    table = Table(columns=[Column(_("No."), ColumnKind.INTEGER, 0.5), Column(_("Teacher"), width=4),
                           Column(_("Started")), Column(_("Passed")), Column(_("Certificate received by the head"),
                                                                              width=1.5)],
                  rows=rows)
    summary = Section(heading=_("Summary"), sheet_name=_("Summary"), paragraphs=[
        plan_line(report), *map(plain, certification_lines(report.counts))])
    return ReportDocument(title=_("Course and certification"), lines=[report.school.name, made_line(report.today)],
                          sections=[summary, Section(heading=_("Teachers"), table=table)], footer=report.school.name)


# --- a supervisor's area --------------------------------------------------------------------------------


def area_title(area: Supervisor, region: str | None, district: str | None) -> str:
    parts = [country_name(area.country)]
    parts += [p for p in (region, district) if p]
    return " · ".join(parts)


def report_area_title(report: AreaReport) -> str:
    """The area, or the region or district the view narrowed it to."""
    return area_title(report.area, report.region, report.district)


def level_heading(level: AreaLevel) -> str:
    return {AreaLevel.REGION: _("By region"), AreaLevel.DISTRICT: _("By district"),
            AreaLevel.SCHOOL: _("By school")}[level]


def level_column(level: AreaLevel) -> str:
    return {AreaLevel.REGION: _("Region"), AreaLevel.DISTRICT: _("District"), AreaLevel.SCHOOL: _("School")}[level]


def group_label(row: GroupRow) -> str:
    return row.label or _("(not set)")


def area_plan_note() -> str:
    return _("Plan: the number set for a region, district or school; where none is set, the schools' whole "
             "pedagogical staff. Fact may exceed the plan.")


def area_text(report: AreaReport) -> str:
    total = report.total
    lines = [_("🗺 Course and certification"), report_area_title(report), "",
             _("Schools: {schools} · teachers planned: {planned}").format(schools=num(report.schools),
                                                                          planned=num(total.planned)),
             *certification_lines(total)]
    if report.rows:
        lines += ["", level_heading(report.level) + ":"]
        shown = report.rows[:40]
        for row in shown:
            lines.append(_("• {name}: passed {share}").format(name=group_label(row),
                                                              share=share_text(row.counts.passed_share)))
        if len(report.rows) > len(shown):
            lines.append(_("… and {n} more: see the PDF or XLSX.").format(n=num(len(report.rows) - len(shown))))
        lines += ["", area_plan_note()]
    else:
        lines += ["", _("No schools in this area yet.")]
    return "\n".join(lines)


def area_document(report: AreaReport) -> ReportDocument:
    def cells(name: str, c: CertificationCounts, schools: int) -> list:
        return [name, schools, c.planned, c.started, c.started_share.percent, c.passed, c.passed_share.percent,
                c.sent_to_head, c.sent_share.percent]

    columns = [Column(level_column(report.level), width=3.5), Column(_("Schools"), ColumnKind.INTEGER),
               Column(_("Planned"), ColumnKind.INTEGER), Column(_("Started"), ColumnKind.INTEGER),
               Column("%", ColumnKind.PERCENT), Column(_("Passed"), ColumnKind.INTEGER),
               Column("%", ColumnKind.PERCENT), Column(_("Certificates received by the head"), ColumnKind.INTEGER, 1.4),
               Column("%", ColumnKind.PERCENT)]
    table = Table(columns=columns, rows=[cells(group_label(r), r.counts, r.schools) for r in report.rows],
                  total=cells(_("Total"), report.total, report.schools))
    title = report_area_title(report)
    return ReportDocument(title=_("Course and certification"), lines=[title, made_line(report.today)],
                          sections=[Section(heading=level_heading(report.level), paragraphs=[
                              *(plain(line) for line in certification_lines(report.total)), area_plan_note()],
                              table=table)],
                          footer=title)


def area_chart(report: AreaReport) -> bytes:
    bars = [Bar(group_label(r), r.counts.passed_share.percent or 0.0, pct(r.counts.passed_share.percent))
            for r in report.rows[:30]]
    # No axis end at 100: a group past its plan (seed 002: 240.7 %) shows its whole bar.
    subtitle = f"{report_area_title(report)} · {made_line(report.today)}"
    return bar_chart(bars, title=_("Passed the exam, % of plan"), subtitle=subtitle, horizontal=True, target=100)


def certification_file_title(school: School, today: date) -> str:
    return _("Certification {school} {date}").format(school=school.name, date=today.isoformat())


def area_file_title(report: AreaReport) -> str:
    return _("Certification {area} {date}").format(area=report_area_title(report), date=report.today.isoformat())
