"""Course and certification: one school's staff, or a supervisor's area side by side, as plan and fact.

The plan (seed 002) is the number set for the school, district or region (imported), else the school's whole
pedagogical staff; fact may exceed it (seed 002 reports 240.7 %), so shares are never capped at 100 %."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.reports.common import (
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
from domain.reports import (
    AreaLevel,
    CertificationCounts,
    GroupRow,
    TeacherStatus,
    certification_counts,
    group_certification,
    group_level,
    not_started,
    with_plan,
)
from storage.models import School, Supervisor
from storage.repositories import report_usage
from storage.repositories import reports as repo

# --- one school -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolCertificationReport:
    school: School
    today: date
    teachers: list[TeacherStatus]
    counts: CertificationCounts

    @property
    def plan_is_set(self) -> bool:
        return self.school.teachers_planned is not None


async def school_certification(session: AsyncSession, school: School, course_id: str,
                               today: date) -> SchoolCertificationReport:
    teachers = await repo.teacher_statuses(session, school.id, course_id)
    counts = with_plan(certification_counts(teachers), school.teachers_planned)
    return SchoolCertificationReport(school, today, teachers, counts)


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


@dataclass(frozen=True)
class AreaReport:
    title: str  # the area or the narrowed region/district
    level: AreaLevel
    rows: list[GroupRow]
    total: CertificationCounts
    schools: int
    today: date
    area_plan: bool = False  # the total is measured against a plan set for this region or district


def area_title(area: Supervisor, region: str | None, district: str | None) -> str:
    parts = [country_name(area.country)]
    parts += [p for p in (region, district) if p]
    return " · ".join(parts)


async def area_report(session: AsyncSession, area: Supervisor, course_id: str, *, region: str | None,
                      district: str | None, today: date) -> AreaReport:
    """Rows at the level below the view, each against its own plan (set for it, else its schools' summed);
    the total against the plan set for the view's region or district, else the rows' plans summed."""
    schools = await repo.area_certification(session, area, course_id, region=region, district=district)
    level = group_level(region, district)
    plans = await report_usage.area_plans(session, area.country, region) if district is None else {}
    rows = group_certification(schools, level, plans)
    own_plan = await report_usage.area_plan(session, area.country, region, district)
    total = with_plan(sum((r.counts for r in rows), CertificationCounts()), own_plan)
    return AreaReport(area_title(area, region, district), level, rows, total, len(schools), today,
                      area_plan=own_plan is not None)


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
    lines = [_("🗺 Course and certification"), report.title, "",
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
    return ReportDocument(title=_("Course and certification"), lines=[report.title, made_line(report.today)],
                          sections=[Section(heading=level_heading(report.level), paragraphs=[
                              *(plain(line) for line in certification_lines(report.total)), area_plan_note()],
                              table=table)],
                          footer=report.title)


def area_chart(report: AreaReport) -> bytes:
    bars = [Bar(group_label(r), r.counts.passed_share.percent or 0.0, pct(r.counts.passed_share.percent))
            for r in report.rows[:30]]
    # No axis end at 100: a group past its plan (seed 002: 240.7 %) shows its whole bar.
    return bar_chart(bars, title=_("Passed the exam, % of plan"),
                     subtitle=f"{report.title} · {made_line(report.today)}", horizontal=True, target=100)
