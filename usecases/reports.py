"""Reports for school heads and deputies (their school) and for district and regional methodists (their
area): who may open which report, and the report's figures (usecases.report_figures).

Every id asked for is checked against the user's own school or area; a forged one is refused
(`ReportNotAvailable`) and logged. Supervisors get per-school figures only, never a teacher's or a pupil's
name. Reports only read: nothing here commits.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.decree_263 import NotForThisCountry, applies_to
from domain.roles import Role
from storage.models import School, Supervisor, User
from storage.repositories import reports as repo
from usecases.errors import N_, NotAllowed, UseCaseError
from usecases.report_figures import (
    AreaReport,
    DecreeReport,
    JournalReport,
    ParentsReport,
    SchoolCertificationReport,
    SchoolScope,
    SheetReport,
    area_report,
    decree_report,
    journal_report,
    parents_report,
    school_certification,
    school_scope,
    sheet_report,
)
from usecases.roles import current_role
from usecases.uow import UnitOfWork

log = logging.getLogger(__name__)

CLASSES_PER_PAGE = 12
#: Called before a slow report (a whole country takes a second or two on SQLite), e.g. to show "typing".
Slow = Callable[[], Awaitable[None]] | None

SchoolReport = SchoolCertificationReport | JournalReport | DecreeReport | SheetReport | ParentsReport


class ReportNotAvailable(NotAllowed):
    """Another school's or area's report, a class of another school, or no head's or methodist's role."""

    code = "report_not_available"
    text = N_("This report is not available to you.")


class DecreeNotHere(UseCaseError):
    """Decree No. 263 is Uzbekistan's: a stale or forged button of another country's school."""

    code = "decree_not_here"
    status = 422
    text = N_("The decree 263 score is for Uzbek schools only: decree No. 263 is Uzbekistan's.")


def refused(user_id: int, what: str, value: object) -> ReportNotAvailable:
    log.warning("reports: user %s refused %s %s", user_id, what, value)
    return ReportNotAvailable(f"{what} {value}")


@dataclass(frozen=True)
class ReportQuery:
    """What a school report button asks for: the school, a class (term sheets), a term (0: the current)."""

    user_id: int
    school_id: int
    course_id: str
    now: datetime
    term_id: int = 0
    class_id: int = 0


# --- the entry --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolHome:
    school: School
    scope: SchoolScope

    @property
    def decree_offered(self) -> bool:
        """An Uzbek decree: offered to Uzbek schools only."""
        return applies_to(self.school.country)


@dataclass(frozen=True)
class AreaView:
    area: Supervisor
    level: int  # 0: the whole area, 1: the region of `sample`, 2: its district
    sample: School | None
    report: AreaReport


@dataclass(frozen=True)
class ReportsHome:
    """Exactly one of: a choice of areas, a choice of schools, one school's home, one area's view; none of
    them for a user who is neither a head, a deputy nor a methodist."""

    areas: list[Supervisor]
    schools: list[School]
    school: SchoolHome | None = None
    area: AreaView | None = None


async def reports_home(uow: UnitOfWork, user: User, course_id: str, now: datetime, slow: Slow = None) -> ReportsHome:
    """The user's school (heads, deputies) or area (supervisors); a choice when there are several."""
    session = uow.session
    areas = await repo.supervisor_areas(session, user.id)
    schools = await repo.administered_schools(session, user.id)
    if areas and (not schools or await current_role(session, user) is Role.SUPERVISOR):
        if len(areas) == 1:
            return ReportsHome([], [], area=await _area_view(session, areas[0], 0, None, course_id, now, slow))
        return ReportsHome(areas, [])
    if len(schools) == 1:
        return ReportsHome([], [], school=SchoolHome(schools[0], await school_scope(session, schools[0], now)))
    return ReportsHome([], schools)


async def own_school(session: AsyncSession, user_id: int, school_id: int) -> School:
    school = next((s for s in await repo.administered_schools(session, user_id) if s.id == school_id), None)
    if school is None:
        raise refused(user_id, "school", school_id)
    return school


async def school_home(uow: UnitOfWork, q: ReportQuery) -> SchoolHome:
    school = await own_school(uow.session, q.user_id, q.school_id)
    return SchoolHome(school, await school_scope(uow.session, school, q.now))


# --- a school's reports -----------------------------------------------------------------------------------


async def _scope(uow: UnitOfWork, q: ReportQuery) -> SchoolScope:
    school = await own_school(uow.session, q.user_id, q.school_id)
    return await school_scope(uow.session, school, q.now, q.term_id)


async def certification(uow: UnitOfWork, q: ReportQuery) -> SchoolCertificationReport:
    scope = await _scope(uow, q)
    return await school_certification(uow.session, scope.school, q.course_id, scope.today)


async def journal_quality(uow: UnitOfWork, q: ReportQuery) -> JournalReport:
    return await journal_report(uow.session, await _scope(uow, q))


async def decree_score(uow: UnitOfWork, q: ReportQuery) -> DecreeReport:
    scope = await _scope(uow, q)
    try:
        return await decree_report(uow.session, scope, q.course_id)
    except NotForThisCountry:
        log.warning("reports: user %s refused decree 263 for school %s (%s)", q.user_id, scope.school.id,
                    scope.school.country)
        raise DecreeNotHere(scope.school.country) from None


async def term_sheet(uow: UnitOfWork, q: ReportQuery) -> SheetReport:
    scope = await _scope(uow, q)
    klass = next((c for c in await repo.school_classes(uow.session, scope.school.id) if c.id == q.class_id), None)
    if klass is None:
        raise refused(q.user_id, "class", q.class_id)
    return await sheet_report(uow.session, scope, klass)


async def parents_in_bot(uow: UnitOfWork, q: ReportQuery) -> ParentsReport:
    scope = await _scope(uow, q)
    return await parents_report(uow.session, scope.school, q.now, scope.today)


#: A school's reports by the short name their buttons carry.
SCHOOL_REPORTS: dict[str, Callable[[UnitOfWork, ReportQuery], Awaitable[SchoolReport]]] = {
    "cert": certification, "jq": journal_quality, "dec": decree_score, "sheet": term_sheet, "par": parents_in_bot,
}


async def school_report(uow: UnitOfWork, name: str, q: ReportQuery) -> SchoolReport:
    """One of SCHOOL_REPORTS by its name (a file asked for from any report's screen)."""
    report = SCHOOL_REPORTS.get(name)
    if report is None:
        raise refused(q.user_id, "report", name)
    return await report(uow, q)


@dataclass(frozen=True)
class ClassList:
    """One page of the school's classes, to choose a term sheet."""

    school: School
    term_id: int
    classes: list[repo.ClassRow]
    page: int
    pages: int
    any_class: bool


async def class_list(uow: UnitOfWork, q: ReportQuery, page: int) -> ClassList:
    school = await own_school(uow.session, q.user_id, q.school_id)
    classes = await repo.school_classes(uow.session, school.id)
    pages = max(1, -(-len(classes) // CLASSES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = classes[page * CLASSES_PER_PAGE:(page + 1) * CLASSES_PER_PAGE]
    return ClassList(school, q.term_id, shown, page, pages, bool(classes))


# --- a supervisor's area ----------------------------------------------------------------------------------


def area_scope(area: Supervisor, level: int, sample: School | None) -> tuple[str | None, str | None]:
    """The region and district a view covers: the area's own, narrowed by the sample school's."""
    region = area.region if area.region is not None else (sample.region if sample and level >= 1 else None)
    district = area.district if area.district is not None else (sample.district if sample and level >= 2 else None)
    return region, district


async def _area_view(session: AsyncSession, area: Supervisor, level: int, sample: School | None, course_id: str,
                     now: datetime, slow: Slow) -> AreaView:
    region, district = area_scope(area, level, sample)
    if region is None and slow is not None:
        await slow()
    report = await area_report(session, area, course_id, region=region, district=district, today=now.date())
    return AreaView(area, level, sample, report)


async def area_view(uow: UnitOfWork, user_id: int, area_id: int, level: int, sample_id: int, course_id: str,
                    now: datetime, slow: Slow = None) -> AreaView:
    """The area (level 0), or the region or district (1, 2) of a sample school in it, side by side."""
    session = uow.session
    area = next((a for a in await repo.supervisor_areas(session, user_id) if a.id == area_id), None)
    if area is None:
        raise refused(user_id, "area", area_id)
    sample = None
    if sample_id:
        sample = await repo.school_in_area(session, area, sample_id)
        if sample is None:
            raise refused(user_id, "school outside the area", sample_id)
    return await _area_view(session, area, min(max(level, 0), 2), sample, course_id, now, slow)
