"""Linking bot users to what a school listed: staff rows and children matched by the phone number a user
shared, and a teacher the head confirmed. Each staff link records how it was confirmed (``Staff.confirmed_via``).

Phone linking is one function for both ways it happens: a user shares their number (the rows already listed
with it are theirs now), or a school's roster is imported (people who shared a listed number get their rows).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import GuardianContact, ParentLink, Staff, Student, User


@dataclass(frozen=True)
class PhoneLinks:
    """What one linking pass connected."""

    staff: int = 0  # staff rows newly linked to an account
    children: int = 0  # parent links newly created

    @property
    def any(self) -> bool:
        return bool(self.staff or self.children)


async def link_listed_phones(session: AsyncSession, now: datetime, *, user_id: int | None = None,
                             school_id: int | None = None) -> PhoneLinks:
    """Link users who shared their phone with the bot to the staff rows and children listed with that number,
    for one user (who has just shared it: `user_id`) or one school (just imported: `school_id`).

    A staff row already linked keeps its account (conditional UPDATE; confirmed "phone"); a number listed for
    a child links every account that shared it. Not committed.
    """
    if (user_id is None) == (school_id is None):
        raise ValueError("link one user's phone or one school's lists")
    return PhoneLinks(staff=await _link_staff(session, now, user_id, school_id),
                      children=await _link_children(session, now, user_id, school_id))


def _scoped(query: Select, user_id: int | None, school_id: int | None, school_column: InstrumentedAttribute) -> Select:
    return query.where(User.id == user_id) if user_id is not None else query.where(school_column == school_id)


async def _link_staff(session: AsyncSession, now: datetime, user_id: int | None, school_id: int | None) -> int:
    query = _scoped(select(Staff.id, User.id).join(User, User.phone == Staff.phone)
                    .where(Staff.user_id.is_(None)), user_id, school_id, Staff.school_id)
    owner: dict[int, int] = {}
    for staff_id, account in (await session.execute(query.order_by(Staff.id, User.id))).all():
        owner.setdefault(staff_id, account)  # a number two accounts shared: the first account
    rows_of: dict[int, list[int]] = defaultdict(list)
    for staff_id, account in owner.items():
        rows_of[account].append(staff_id)
    linked = 0
    for account, staff_ids in rows_of.items():
        linked += (await session.execute(
            update(Staff).where(Staff.id.in_(staff_ids), Staff.user_id.is_(None))
            .values(user_id=account, confirmed_via="phone", confirmed_at=now))).rowcount or 0
    return linked


async def _link_children(session: AsyncSession, now: datetime, user_id: int | None, school_id: int | None) -> int:
    query = select(User.id, GuardianContact.student_id).join(User, User.phone == GuardianContact.phone)
    if school_id is not None:
        query = query.join(Student, Student.id == GuardianContact.student_id)
    wanted = set((await session.execute(_scoped(query, user_id, school_id, Student.school_id))).all())
    if not wanted:
        return 0
    existing = set((await session.execute(select(ParentLink.user_id, ParentLink.student_id).where(
        ParentLink.user_id.in_({account for account, _student in wanted})))).all())
    new = sorted(wanted - existing)
    session.add_all([ParentLink(user_id=account, student_id=student, created_at=now) for account, student in new])
    await session.flush()
    return len(new)


async def listed_with_phone(session: AsyncSession, phone: str) -> tuple[set[int | None], bool]:
    """Who holds the staff rows listed with this number (their accounts), and whether a child is listed with it."""
    holders = set(await session.scalars(select(Staff.user_id).where(Staff.phone == phone)))
    guardian = await session.scalar(select(GuardianContact.id).where(GuardianContact.phone == phone).limit(1))
    return holders, guardian is not None


async def approve_teacher(session: AsyncSession, teacher: User, school_id: int, now: datetime) -> Staff:
    """The head confirms a teacher who picked the school: a staff row of their own, confirmed by the head."""
    staff = await session.scalar(select(Staff).where(Staff.user_id == teacher.id, Staff.school_id == school_id))
    if staff is None:
        staff = Staff(school_id=school_id, full_name=(teacher.full_name or teacher.tg_name or str(teacher.id))[:120],
                      phone=teacher.phone, position="teacher", user_id=teacher.id, confirmed_via="head",
                      confirmed_at=now)
        session.add(staff)
        await session.flush()
    return staff


async def is_confirmed_at(session: AsyncSession, user_id: int, school_id: int) -> bool:
    return await session.scalar(
        select(Staff.id).where(Staff.user_id == user_id, Staff.school_id == school_id).limit(1)) is not None
