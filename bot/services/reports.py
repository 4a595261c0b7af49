"""The administration's reports in the reader's language: gather (storage), compute (domain), word and format
(Babel) as chat texts, PDF/XLSX documents and PNG charts. Handlers only check access and send."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel import Locale
from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from bot.formatting import babel_locale, fmt_date, fmt_number
from bot.formatting import summative_names as section_and_term_names
from domain.charts import Bar, bar_chart
from domain.grading import allowed_grades, first_half_end, percent_to_grade
from domain.report_files import (
    Column,
    ColumnKind,
    NumberFormats,
    ReportDocument,
    ReportRenderer,
    Section,
    Table,
    report_xlsx,
)
from domain.reports import (
    AUTHENTICITY_MAX,
    TIMELY_MAX,
    USE_MAX,
    AreaLevel,
    CertificationCounts,
    DecreeInputs,
    DecreeScore,
    GradeStats,
    GroupRow,
    JournalQuality,
    JournalTally,
    Share,
    SummativeFact,
    SummativeState,
    TeacherStatus,
    TermSheet,
    TermSpan,
    certification_counts,
    current_term,
    decree_263_score,
    group_certification,
    group_level,
    journal_quality,
    lesson_outcomes,
    not_started,
)
from storage.models import School, Supervisor
from storage.repositories import reports as repo

_LEADING_ICON = re.compile(r"^[^\w(«\"'“„]+")
CHAT_LIST_LIMIT = 25  # names in a chat message; the files have everyone
WORST_LIMIT = 5


# --- numbers in the reader's language -----------------------------------------------------------------


def num(value: int) -> str:
    return fmt_number(value, digits=0)


def dec(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else fmt_number(value, digits=digits)


def pct(value: float | None) -> str:
    """One decimal always, as in the ministry's tables: "67,4 %", "100,0 %"."""
    return "—" if value is None else f"{format_decimal(value, format='#,##0.0', locale=babel_locale())} %"


def share_text(share: Share) -> str:
    """ "6 553 of 9 729, 67.4 %" """
    if not share.total:
        return _("no data yet")
    return _("{done} of {total}, {percent}").format(done=num(share.done), total=num(share.total),
                                                      percent=pct(share.percent))


def number_formats() -> NumberFormats:
    locale = babel_locale()
    return NumberFormats(
        integer=lambda v: format_decimal(v, format="#,##0", locale=locale),
        decimal=lambda v: format_decimal(v, format="#,##0.0#", locale=locale),
        percent=lambda v: f"{format_decimal(v, format='#,##0.0', locale=locale)} %",
    )


@functools.cache
def renderer() -> ReportRenderer:
    """Fonts parsed once per process."""
    return ReportRenderer()


def render_pdf(doc: ReportDocument, formats: NumberFormats) -> bytes:
    return renderer().render(doc, formats)


def render_xlsx(doc: ReportDocument) -> bytes:
    return report_xlsx(doc)


def plain(text: str) -> str:
    """A chat line without its leading icon, for the files."""
    return _LEADING_ICON.sub("", text)


def made_line(today: date) -> str:
    return _("Made by Maktab Bot on {date}").format(date=fmt_date(today))


def summative_names(country: str = "UZ") -> str:
    """"BSB/ChSB", "СОР/СОЧ", ...: the school's country's names for its section and term summatives."""
    return "/".join(section_and_term_names(country))


def country_name(code: str) -> str:
    return Locale.parse(babel_locale()).territories.get(code.upper(), code)


# --- a school, its term and its cut-off day -----------------------------------------------------------


@dataclass(frozen=True)
class SchoolScope:
    school: School
    tz: ZoneInfo
    today: date
    terms: list[TermSpan]
    term: TermSpan | None

    @property
    def start(self) -> date:
        return self.term.starts_on if self.term else self.today - timedelta(days=28)

    @property
    def cutoff(self) -> date:
        """Lessons are counted up to yesterday: today's may still be entered on the day."""
        yesterday = self.today - timedelta(days=1)
        return min(yesterday, self.term.ends_on) if self.term else yesterday

    @property
    def year_terms(self) -> list[TermSpan]:
        return [t for t in self.terms if self.term and t.school_year == self.term.school_year]


def school_tz(school: School) -> ZoneInfo:
    try:
        return ZoneInfo(school.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("Asia/Tashkent")


async def school_scope(session: AsyncSession, school: School, now: datetime, term_id: int = 0) -> SchoolScope:
    tz = school_tz(school)
    today = now.astimezone(tz).date()
    terms = await repo.school_terms(session, school.id)
    term = next((t for t in terms if t.id == term_id), None) if term_id else None
    return SchoolScope(school=school, tz=tz, today=today, terms=terms, term=term or current_term(terms, today))


def term_label(term: TermSpan | None) -> str:
    if term is None:
        return _("the last four weeks")
    return _("term {number}, {year}").format(number=term.number, year=term.school_year.replace("-", "–"))


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def period_line(scope: SchoolScope) -> str:
    if scope.cutoff < scope.start:
        return _("{term}: it has not started yet").format(term=_first_upper(term_label(scope.term)))
    if scope.term is None:
        return _("{term}: {start} – {end}").format(term=_first_upper(term_label(scope.term)),
                                                   start=fmt_date(scope.start, fmt="d MMM"),
                                                   end=fmt_date(scope.cutoff, fmt="d MMM yyyy"))
    # The term's own dates, and how far the figures go (lessons up to yesterday).
    return _("{term} ({start} – {end}), counted up to {cutoff}").format(
        term=_first_upper(term_label(scope.term)), start=fmt_date(scope.term.starts_on, fmt="d MMM"),
        end=fmt_date(scope.term.ends_on, fmt="d MMM"), cutoff=fmt_date(min(scope.cutoff, scope.term.ends_on),
                                                                       fmt="d MMM"))


# --- certification: one school ------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolCertificationReport:
    school: School
    today: date
    teachers: list[TeacherStatus]
    counts: CertificationCounts


async def school_certification(session: AsyncSession, school: School, course_id: str,
                               today: date) -> SchoolCertificationReport:
    teachers = await repo.teacher_statuses(session, school.id, course_id)
    return SchoolCertificationReport(school, today, teachers, certification_counts(teachers))


def certification_lines(counts: CertificationCounts) -> list[str]:
    return [
        _("✅ Passed the exam: {share}").format(share=share_text(counts.passed_share)),
        _("📚 Started the course or exam: {share}").format(share=share_text(counts.started_share)),
        _("📤 Certificates received by the head: {share}").format(share=share_text(counts.sent_share)),
    ]


def certification_text(report: SchoolCertificationReport) -> str:
    counts = report.counts
    lines = [_("🎓 Course and certification"), report.school.name, "",
             ngettext("Planned: {n} teacher (the school's staff list)",
                      "Planned: {n} teachers (the school's staff list)", counts.planned).format(n=num(counts.planned)),
             *certification_lines(counts)]
    waiting = not_started(report.teachers)
    if waiting:
        lines += ["", _("Not started yet ({n}):").format(n=num(len(waiting)))]
        lines += [f"• {t.name}" for t in waiting[:CHAT_LIST_LIMIT]]
        if len(waiting) > CHAT_LIST_LIMIT:
            lines.append(_("… and {n} more: see the PDF or XLSX.").format(n=num(len(waiting) - CHAT_LIST_LIMIT)))
    elif counts.planned:
        lines += ["", _("Every planned teacher has started. 👏")]
    else:
        lines += ["", _("The staff list has no teachers yet: import the school's roster.")]
    return "\n".join(lines)


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def certification_document(report: SchoolCertificationReport) -> ReportDocument:
    counts = report.counts
    rows = [[i, t.name, _yes(t.started or t.passed or t.sent_to_head), _yes(t.passed or t.sent_to_head),
             _yes(t.sent_to_head)] for i, t in enumerate(report.teachers, start=1)]
    table = Table(columns=[Column(_("No."), ColumnKind.INTEGER, 0.5), Column(_("Teacher"), width=4),
                           Column(_("Started")), Column(_("Passed")), Column(_("Certificate received by the head"),
                                                                              width=1.5)],
                  rows=rows)
    summary = Section(heading=_("Summary"), sheet_name=_("Summary"), paragraphs=[
        ngettext("Planned: {n} teacher (the school's staff list)",
                 "Planned: {n} teachers (the school's staff list)", counts.planned).format(n=num(counts.planned)),
        *map(plain, certification_lines(counts))])
    return ReportDocument(title=_("Course and certification"), lines=[report.school.name, made_line(report.today)],
                          sections=[summary, Section(heading=_("Teachers"), table=table)], footer=report.school.name)


# --- certification: a supervisor's area ---------------------------------------------------------------


@dataclass(frozen=True)
class AreaReport:
    title: str  # the area or the narrowed region/district
    level: AreaLevel
    rows: list[GroupRow]
    total: CertificationCounts
    schools: int
    today: date


def area_title(area: Supervisor, region: str | None, district: str | None) -> str:
    parts = [country_name(area.country)]
    parts += [p for p in (region, district) if p]
    return " · ".join(parts)


async def area_report(session: AsyncSession, area: Supervisor, course_id: str, *, region: str | None,
                      district: str | None, today: date) -> AreaReport:
    schools = await repo.area_certification(session, area, course_id, region=region, district=district)
    level = group_level(region, district)
    rows = group_certification(schools, level)
    total = sum((s.counts for s in schools), CertificationCounts())
    return AreaReport(area_title(area, region, district), level, rows, total, len(schools), today)


def level_heading(level: AreaLevel) -> str:
    return {AreaLevel.REGION: _("By region"), AreaLevel.DISTRICT: _("By district"),
            AreaLevel.SCHOOL: _("By school")}[level]


def level_column(level: AreaLevel) -> str:
    return {AreaLevel.REGION: _("Region"), AreaLevel.DISTRICT: _("District"), AreaLevel.SCHOOL: _("School")}[level]


def group_label(row: GroupRow) -> str:
    return row.label or _("(not set)")


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
                              plain(line) for line in certification_lines(report.total)], table=table)],
                          footer=report.title)


def area_chart(report: AreaReport) -> bytes:
    bars = [Bar(group_label(r), r.counts.passed_share.percent or 0.0, pct(r.counts.passed_share.percent))
            for r in report.rows[:30]]
    return bar_chart(bars, title=_("Passed the exam, % of plan"),
                     subtitle=f"{report.title} · {made_line(report.today)}", horizontal=True, max_value=100, target=100)


# --- journal quality ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalReport:
    scope: SchoolScope
    quality: JournalQuality
    classes: dict[int, repo.ClassRow]
    staff: dict[int, str]

    summatives: list[SummativeFact]

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
    return JournalReport(scope, quality, classes, await repo.staff_names(session, school_id), summatives)


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
             *tally_lines(q.total, scope.school.country)]
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
        *map(plain, tally_lines(q.total, country)),
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


# --- decree 263, table 4 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecreeReport:
    scope: SchoolScope
    inputs: DecreeInputs
    score: DecreeScore


async def decree_report(session: AsyncSession, scope: SchoolScope, course_id: str) -> DecreeReport:
    journal = await journal_report(session, scope)
    certification = await school_certification(session, scope.school, course_id, scope.today)
    school_id = scope.school.id
    term = scope.term
    chsb = await repo.term_summative_grades(session, school_id, scope.start, max(scope.cutoff, scope.start))
    if scope.school.country.upper() == "KZ":  # СОЧ/ТЖБ results are per cent: as 2-5 grades
        as_grades: dict[int, int] = {}
        for value, n in chsb.items():
            as_grades[percent_to_grade(value)] = as_grades.get(percent_to_grade(value), 0) + n
        chsb = as_grades
    total = journal.quality.total
    inputs = DecreeInputs(
        summatives=total.summatives_share, materials=total.materials_share,
        course=certification.counts.passed_share,
        chsb=GradeStats.of(chsb),
        term_grades=await repo.term_grade_stats(session, school_id, term.period_key) if term else GradeStats.of({}),
        regular=await repo.regular_grades(session, school_id, scope.start, scope.cutoff))
    return DecreeReport(scope, inputs, decree_263_score(inputs))


def _points(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.0", locale=babel_locale())


def _how(maximum: float, share: Share, points: float | None) -> str:
    if share.ratio is None:
        return _("no data yet: 0 points counted")
    return _("{maximum} × {share} = {points}").format(maximum=dec(maximum, 1), share=pct(share.percent),
                                                      points=_points(points))


def _stats_line(label: str, stats: GradeStats) -> str:
    if not stats.count:
        return _("{label}: none yet").format(label=label)
    spread = ", ".join(f"«{g}» {num(n)}" for g, n in sorted(stats.distribution.items(), reverse=True))
    return _("{label}: {count}, mean {mean} ({spread})").format(label=label, count=num(stats.count),
                                                                mean=dec(stats.mean), spread=spread)


def decree_lines(report: DecreeReport) -> list[str]:
    i, s = report.inputs, report.score
    names = summative_names()
    return [
        _("1) Timely entry of {names}: {points} of {maximum}").format(names=names, points=_points(s.timely),
                                                                      maximum=dec(TIMELY_MAX, 0)),
        "   " + _("entered by the due date: {share}").format(share=share_text(i.summatives)),
        "   " + _how(TIMELY_MAX, i.summatives, s.timely),
        _("2) Effective use of the platform: {points} of {maximum}").format(points=_points(s.use),
                                                                            maximum=dec(USE_MAX, 0)),
        "   " + _("summative materials used (results entered): {share}").format(share=share_text(i.materials)),
        "   " + _how(USE_MAX / 2, i.materials, s.materials),
        "   " + _("teachers who passed the assessment course: {share}").format(share=share_text(i.course)),
        "   " + _how(USE_MAX / 2, i.course, s.course),
        _("3) Authenticity of the {names} results: … of {maximum}, for the head to judge").format(
            names=_("ChSB"), maximum=dec(AUTHENTICITY_MAX, 0)),
        "   " + _stats_line(_("Term summative results"), i.chsb),
        "   " + _stats_line(_("Term grades"), i.term_grades),
        "   " + _stats_line(_("Everyday grades"), i.regular),
        "   " + _("Portfolios and their analysis (5 of the 15 points) are not kept in the bot."),
    ]


def decree_text(report: DecreeReport) -> str:
    return "\n".join([
        _("⚖️ Decree No. 263, table 4: assessment work"), report.scope.school.name, period_line(report.scope), "",
        _("Computed from the bot's data: {points} of {maximum}").format(
            points=_points(report.score.computed_total), maximum=dec(TIMELY_MAX + USE_MAX, 0)),
        "", *decree_lines(report)])


def decree_document(report: DecreeReport) -> ReportDocument:
    i, s = report.inputs, report.score
    names = summative_names()

    def how(label: str, share: Share, maximum: float, points: float | None) -> str:
        if not share.total:
            return _how(maximum, share, points)
        return f"{label}: {share_text(share)}; {_how(maximum, share, points)}"

    rows = [
        [_("1. Timely entry of {names}").format(names=names),
         how(_("entered by the due date"), i.summatives, TIMELY_MAX, s.timely), s.timely, TIMELY_MAX],
        [_("2a. Summative materials used"), how(_("results entered"), i.materials, USE_MAX / 2, s.materials),
         s.materials, USE_MAX / 2],
        [_("2b. Assessment course passed"), how(_("planned teachers"), i.course, USE_MAX / 2, s.course), s.course,
         USE_MAX / 2],
        [_("3. Authenticity of the {names} results").format(names=_("ChSB")), _("for the head to judge"), None,
         AUTHENTICITY_MAX],
    ]
    table = Table(columns=[Column(_("Criterion"), width=2.6), Column(_("How it was reached"), width=4.6),
                           Column(_("Points"), ColumnKind.DECIMAL, 0.8), Column(_("Of"), ColumnKind.DECIMAL, 0.6)],
                  rows=rows, total=[_("Computed from the bot's data"), "", s.computed_total, TIMELY_MAX + USE_MAX])
    inputs = Section(heading=_("Inputs for the authenticity judgement"), sheet_name=_("Authenticity"), paragraphs=[
        _stats_line(_("Term summative results"), i.chsb), _stats_line(_("Term grades"), i.term_grades),
        _stats_line(_("Everyday grades"), i.regular),
        _("Portfolios and their analysis (5 of the 15 points) are not kept in the bot."), "",
        _("Head: ______________   Score for authenticity: ____ of {maximum}").format(
            maximum=dec(AUTHENTICITY_MAX, 0))])
    return ReportDocument(
        title=_("Decree No. 263, table 4: assessment work"),
        lines=[report.scope.school.name, period_line(report.scope), made_line(report.scope.today)],
        sections=[Section(heading=_("Points"), sheet_name=_("Points"), table=table), inputs],
        footer=report.scope.school.name)


# --- the term sheet -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetReport:
    scope: SchoolScope
    class_name: str
    sheet: TermSheet


async def sheet_report(session: AsyncSession, scope: SchoolScope, klass: repo.ClassRow) -> SheetReport:
    period = scope.term.period_key if scope.term else ""
    return SheetReport(scope, klass.name, await repo.term_sheet(session, klass.id, period))


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
    stats_rows = []
    for subj, name in sheet.subjects:
        st = sheet.subject_stats(subj)
        stats_rows.append([name, st.graded.done, st.mean, st.success.percent, st.quality.percent])
    overall = sheet.overall
    stats = Table(columns=[Column(_("Subject"), width=3), Column(_("Graded"), ColumnKind.INTEGER),
                           Column(_("Mean"), ColumnKind.DECIMAL), Column(_("Success, %"), ColumnKind.PERCENT),
                           Column(_("Quality, %"), ColumnKind.PERCENT)],
                  rows=stats_rows, total=[_("Total"), overall.graded.done, overall.mean, overall.success.percent,
                                          overall.quality.percent])
    return ReportDocument(
        title=sheet_title(report), lines=[report.scope.school.name, made_line(report.scope.today)],
        sections=[Section(heading=_("Term grades"), table=Table(columns, rows, total=total)),
                  Section(heading=_("By subject"), paragraphs=[
                      _("Success: grades 3 to 5; quality: grades 4 and 5, in per cent of the grades given.")],
                      table=stats)],
        footer=f"{report.scope.school.name} · {report.class_name}")
