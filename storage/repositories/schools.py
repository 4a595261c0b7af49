"""Schools, staff, classes, students: who belongs where."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role, roles_for_staff
from storage.models import ParentLink, School, SchoolClass, Staff, Student


@dataclass
class Membership:
    """What a user is, derived from staff records and parent links (never from a claim)."""

    staff: list[Staff] = field(default_factory=list)
    class_ids: list[int] = field(default_factory=list)  # classes where they are class teacher
    child_ids: list[int] = field(default_factory=list)

    @property
    def roles(self) -> set[Role]:
        roles = roles_for_staff({s.position for s in self.staff}, bool(self.class_ids))
        if self.child_ids:
            roles.add(Role.PARENT)
        return roles

    @property
    def school_ids(self) -> set[int]:
        return {s.school_id for s in self.staff}

    def staff_at(self, school_id: int) -> Staff | None:
        return next((s for s in self.staff if s.school_id == school_id), None)


async def membership_of(session: AsyncSession, user_id: int) -> Membership:
    staff = list(await session.scalars(select(Staff).where(Staff.user_id == user_id)))
    class_ids: list[int] = []
    if staff:
        class_ids = list(await session.scalars(
            select(SchoolClass.id).where(SchoolClass.class_teacher_id.in_([s.id for s in staff]))
        ))
    child_ids = list(await session.scalars(select(ParentLink.student_id).where(ParentLink.user_id == user_id)))
    return Membership(staff=staff, class_ids=class_ids, child_ids=child_ids)


async def staff_by_phone(session: AsyncSession, phone: str) -> list[Staff]:
    return list(await session.scalars(select(Staff).where(Staff.phone == phone)))


async def list_schools(session: AsyncSession, *, offset: int = 0, limit: int = 8) -> tuple[list[School], int]:
    total = await session.scalar(select(func.count()).select_from(School)) or 0
    rows = await session.scalars(select(School).order_by(School.name, School.id).offset(offset).limit(limit))
    return list(rows), total


async def school_heads(session: AsyncSession, school_id: int) -> list[Staff]:
    """Heads first, then deputies: who receives teachers' certificates."""
    rows = await session.scalars(
        select(Staff).where(Staff.school_id == school_id, Staff.position.in_(("head", "deputy")))
    )
    return sorted(rows, key=lambda s: (s.position != "head", s.id))


async def children_of(session: AsyncSession, user_id: int) -> list[tuple[Student, SchoolClass, School]]:
    """A parent's children with their class and school, by name."""
    rows = await session.execute(
        select(Student, SchoolClass, School)
        .join(ParentLink, ParentLink.student_id == Student.id)
        .join(SchoolClass, SchoolClass.id == Student.class_id)
        .join(School, School.id == Student.school_id)
        .where(ParentLink.user_id == user_id)
        .order_by(Student.full_name)
    )
    return [(s, c, school) for s, c, school in rows.all()]


async def students_of_class(session: AsyncSession, class_id: int) -> list[Student]:
    return list(await session.scalars(
        select(Student).where(Student.class_id == class_id).order_by(Student.full_name, Student.id)
    ))


async def classes_managed(session: AsyncSession, class_ids: list[int], school_ids: list[int]) -> list[SchoolClass]:
    """The classes with these ids and every class of these schools (a head's or deputy's), by grade and name."""
    where = SchoolClass.id.in_(class_ids or [0])
    if school_ids:
        where = where | SchoolClass.school_id.in_(school_ids)
    return list(await session.scalars(select(SchoolClass).where(where).order_by(SchoolClass.grade, SchoolClass.name)))


async def students_with_parents(session: AsyncSession, student_ids: list[int]) -> set[int]:
    """Which of these students have at least one parent linked."""
    if not student_ids:
        return set()
    return set(await session.scalars(select(ParentLink.student_id).where(ParentLink.student_id.in_(student_ids))))
