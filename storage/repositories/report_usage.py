"""Queries for the reports' newer figures: plans set for regions and districts (seed 002), how parents use
the bot per class, the marks each pupil has in a term (seed 001's minimum), a class's teacher for the sheet's
signature line. One grouped query each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AreaPlan, JournalLesson, JournalMark, ParentLink, SchoolClass, Staff, Student, User
from storage.repositories.reports import school_lessons

ACTIVE_DAYS = 7


async def area_plans(session: AsyncSession, country: str, region: str | None) -> dict[str, int]:
    """Plans at the level below the view: {region: plan} for a country, {district: plan} for a region."""
    if region is None:
        rows = await session.execute(select(AreaPlan.region, AreaPlan.planned)
                                     .where(AreaPlan.country == country, AreaPlan.district == ""))
    else:
        rows = await session.execute(select(AreaPlan.district, AreaPlan.planned)
                                     .where(AreaPlan.country == country, AreaPlan.region == region,
                                            AreaPlan.district != ""))
    return {name: int(planned) for name, planned in rows.all()}


async def area_plan(session: AsyncSession, country: str, region: str | None, district: str | None) -> int | None:
    """The plan set for exactly this region or district (None for a whole country or when none is set)."""
    if region is None:
        return None
    return await session.scalar(select(AreaPlan.planned).where(
        AreaPlan.country == country, AreaPlan.region == region, AreaPlan.district == (district or "")))


async def class_teacher_name(session: AsyncSession, class_id: int) -> str | None:
    return await session.scalar(select(Staff.full_name).join(SchoolClass, SchoolClass.class_teacher_id == Staff.id)
                                .where(SchoolClass.id == class_id))


@dataclass(frozen=True)
class ClassUse:
    class_id: int
    students: int
    with_parent: int  # pupils with at least one linked parent
    parents: int  # distinct parents linked to the class's pupils
    active_parents: int  # of them, seen in the last 7 days


async def parents_use(session: AsyncSession, school_id: int, now: datetime) -> dict[int, ClassUse]:
    """Per class of the school: pupils, pupils with a linked parent, linked parents, parents active this week."""
    since = now - timedelta(days=ACTIVE_DAYS)
    pupils = dict((await session.execute(select(Student.class_id, func.count(Student.id))
                                         .where(Student.school_id == school_id)
                                         .group_by(Student.class_id))).all())
    active = func.count(distinct(case((User.last_seen_at >= since, ParentLink.user_id))))
    rows = await session.execute(
        select(Student.class_id, func.count(distinct(ParentLink.student_id)), func.count(distinct(ParentLink.user_id)),
               active)
        .join(ParentLink, ParentLink.student_id == Student.id)
        .join(User, User.id == ParentLink.user_id)
        .where(Student.school_id == school_id)
        .group_by(Student.class_id))
    linked = {cid: (w, p, a) for cid, w, p, a in rows.all()}
    return {cid: ClassUse(cid, int(n), *(int(v) for v in linked.get(cid, (0, 0, 0)))) for cid, n in pupils.items()}


async def marks_per_pupil(session: AsyncSession, school_id: int, start: date, end: date) -> dict[tuple[int, int], int]:
    """{(student id, subject id): graded marks between two dates}: what seed 001's minimum is checked on.
    Lessons are reached through their (class_id, lesson_date) index, as the other report queries do."""
    rows = await session.execute(
        select(JournalMark.student_id, JournalLesson.subject_id, func.count(JournalMark.id))
        .join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
        .where(school_lessons(school_id, start, end), JournalMark.grade.is_not(None))
        .group_by(JournalMark.student_id, JournalLesson.subject_id))
    return {(s, subj): int(n) for s, subj, n in rows.all()}


async def students_by_class(session: AsyncSession, school_id: int) -> dict[int, list[int]]:
    rows = await session.execute(select(Student.class_id, Student.id).where(Student.school_id == school_id))
    found: dict[int, list[int]] = {}
    for class_id, student_id in rows.all():
        found.setdefault(class_id, []).append(student_id)
    return found
