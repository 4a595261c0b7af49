"""Linking a user to their school: by the shared phone number, or by the head approving a teacher who picked
the school from the list. Each link records how it was confirmed (``Staff.confirmed_via``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import GuardianContact, ParentLink, Staff, User


class PhoneLink(StrEnum):
    LINKED = "linked"  # something new was linked: a staff row or a child
    ALREADY = "already"  # everything this number matches is linked to this user already
    TAKEN = "taken"  # the number is on the staff list, linked to another Telegram account
    UNKNOWN = "unknown"  # the number is in no list


async def link_by_phone(session: AsyncSession, user: User, phone: str | None, now: datetime) -> PhoneLink:
    """Link the staff rows and children the school listed with this number (not committed)."""
    if not phone:
        return PhoneLink.UNKNOWN
    staff = list(await session.scalars(select(Staff).where(Staff.phone == phone)))
    linked = (await session.execute(
        update(Staff).where(Staff.phone == phone, Staff.user_id.is_(None))
        .values(user_id=user.id, confirmed_via="phone", confirmed_at=now)
    )).rowcount or 0
    student_ids = set(await session.scalars(select(GuardianContact.student_id).where(GuardianContact.phone == phone)))
    existing = set(await session.scalars(select(ParentLink.student_id).where(ParentLink.user_id == user.id)))
    for sid in student_ids - existing:
        session.add(ParentLink(user_id=user.id, student_id=sid, created_at=now))
        linked += 1
    if linked:
        return PhoneLink.LINKED
    if any(s.user_id == user.id for s in staff) or student_ids & existing:
        return PhoneLink.ALREADY
    return PhoneLink.TAKEN if staff else PhoneLink.UNKNOWN


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
