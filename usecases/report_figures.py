"""The administration's reports as figures (view models), gathered from storage and computed by domain/: a
school's term and cut-off day, course and certification (a school, or a supervisor's area), journal quality,
decree 263 (Uzbekistan), the term sheet, parents' use of the bot. No words here: bot/screens/reports words
them (chat texts, PDF/XLSX documents, charts) in the reader's language.

The plan (seed 002) is the number set for the school, district or region (imported), else the school's whole
pedagogical staff; fact may exceed it (seed 002 reports 240.7 %), so shares are never capped at 100 %."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.countries import rules_for
from domain.decree_263 import DecreeInputs, DecreeScore, GradeStats, decree_263_score, ensure_applies
from domain.fair_marks import FairMarks, fair_marks
from domain.grading import allowed_grades, first_half_end, percent_to_grade
from domain.reports import (
    AreaLevel,
    CertificationCounts,
    GroupRow,
    JournalQuality,
    Share,
    SummativeFact,
    TeacherStatus,
    TermSpan,
    certification_counts,
    current_term,
    group_certification,
    group_level,
    journal_quality,
    lesson_outcomes,
    with_plan,
)
from domain.term_sheet import TermSheet
from storage.models import School, Supervisor
from storage.repositories import report_usage
from storage.repositories import reports as repo
from storage.repositories.journal import weekly_hours
from storage.repositories.report_usage import ClassUse

# --- a school, its term and its cut-off day -----------------------------------------------------------


@dataclass(frozen=True)
class SchoolScope:
    school: School
    tz: ZoneInfo
    today: date
    terms: list[TermSpan]
    term: TermSpan | None
    now: datetime | None = None

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
    return SchoolScope(school=school, tz=tz, today=today, terms=terms, term=term or current_term(terms, today),
                       now=now)


# --- course and certification: one school -------------------------------------------------------------


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


# --- course and certification: a supervisor's area, side by side -------------------------------------


@dataclass(frozen=True)
class AreaReport:
    area: Supervisor
    region: str | None  # the region and district the view covers (None: all of the area's)
    district: str | None
    level: AreaLevel
    rows: list[GroupRow]
    total: CertificationCounts
    schools: int
    today: date
    area_plan: bool = False  # the total is measured against a plan set for this region or district


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
    return AreaReport(area, region, district, level, rows, total, len(schools), today,
                      area_plan=own_plan is not None)


# --- journal quality ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalReport:
    """Lessons written on the day, grades where the class gets marks, summatives on time, and pupils with the
    marks a fair term mark needs (seed 001's minimum by the subject's lessons a week)."""

    scope: SchoolScope
    quality: JournalQuality
    classes: dict[int, repo.ClassRow]
    staff: dict[int, str]

    summatives: list[SummativeFact]
    fair: FairMarks = field(default_factory=lambda: FairMarks(Share(0, 0)))


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


# --- decree 263 (Uzbekistan) --------------------------------------------------------------------------


@dataclass(frozen=True)
class DecreeReport:
    """Uzbekistan's decree No. 263, table 4 (seed 000), for Uzbek schools only (see domain/decree_263.py)."""

    scope: SchoolScope
    inputs: DecreeInputs
    score: DecreeScore

    @property
    def country(self) -> str:
        return self.scope.school.country


async def decree_report(session: AsyncSession, scope: SchoolScope, course_id: str) -> DecreeReport:
    """Raises NotForThisCountry for a school outside Uzbekistan."""
    ensure_applies(scope.school.country)
    journal = await journal_report(session, scope)
    certification = await school_certification(session, scope.school, course_id, scope.today)
    school_id = scope.school.id
    term = scope.term
    chsb = await repo.term_summative_grades(session, school_id, scope.start, max(scope.cutoff, scope.start))
    if rules_for(scope.school.country).summative_as_percent.value:  # results as per cents: as 2-5 grades
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


# --- the term sheet -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetReport:
    """The term sheet ("vedomost", seed 001): a class's term marks by subject, with the half-year and year
    marks."""

    scope: SchoolScope
    class_name: str
    sheet: TermSheet
    class_teacher: str | None = None


async def sheet_report(session: AsyncSession, scope: SchoolScope, klass: repo.ClassRow) -> SheetReport:
    """The term's marks, and the half-year and year marks of its school year (seed 001)."""
    period = scope.term.period_key if scope.term else ""
    year = scope.year_terms
    half_ends = first_half_end([(t.number, t.starts_on, t.ends_on) for t in year], scope.start)
    first_half = frozenset(t.number for t in year if half_ends is not None and t.ends_on <= half_ends)
    sheet = await repo.term_sheet(session, klass.id, period, year_terms=frozenset(t.number for t in year),
                                  first_half_terms=first_half)
    return SheetReport(scope, klass.name, sheet, await report_usage.class_teacher_name(session, klass.id))


# --- parents in the bot -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParentsReport:
    """How parents use the bot, per class (seed 001). Pupils see the journal through a parent's account."""

    school: School
    today: date
    classes: list[tuple[str, ClassUse]]  # (class name, figures), in class order

    @property
    def total(self) -> ClassUse:
        uses = [u for _n, u in self.classes]
        return ClassUse(0, sum(u.students for u in uses), sum(u.with_parent for u in uses),
                        sum(u.parents for u in uses), sum(u.active_parents for u in uses))


async def parents_report(session: AsyncSession, school: School, now: datetime, today: date) -> ParentsReport:
    uses = await report_usage.parents_use(session, school.id, now)
    classes = [(c.name, uses.get(c.id, ClassUse(c.id, 0, 0, 0, 0)))
               for c in await repo.school_classes(session, school.id)]
    return ParentsReport(school, today, classes)
