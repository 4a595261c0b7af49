"""Certificates: issued once per passed attempt, found by their short verification code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.certificates import certificate_number, new_verify_code
from storage.models import Certificate, School


async def find_by_code(session: AsyncSession, code: str) -> tuple[Certificate, School | None] | None:
    row = (await session.execute(
        select(Certificate, School).outerjoin(School, School.id == Certificate.school_id)
        .where(Certificate.verify_code == code)
    )).first()
    return (row[0], row[1]) if row else None


async def latest_for_user(session: AsyncSession, user_id: int, course_id: str) -> Certificate | None:
    return await session.scalar(
        select(Certificate).where(Certificate.user_id == user_id, Certificate.course_id == course_id,
                                  Certificate.revoked_at.is_(None))
        .order_by(Certificate.issued_at.desc()).limit(1)
    )


async def issue_certificate(session: AsyncSession, *, user_id: int, attempt_id: int, course_id: str,
                            holder_name: str, school_id: int | None, percent: float,
                            now: datetime) -> Certificate:
    """One certificate per attempt: a second call returns the first one."""
    existing = await session.scalar(select(Certificate).where(Certificate.attempt_id == attempt_id))
    if existing is not None:
        return existing
    serial = (await session.scalar(select(func.count()).select_from(Certificate)) or 0) + 1
    while True:
        code = new_verify_code()
        number = certificate_number(now.year, serial)
        clash = await session.scalar(select(Certificate.id).where(
            (Certificate.verify_code == code) | (Certificate.number == number)))
        if clash is None:
            break
        serial += 1
    cert = Certificate(number=number, verify_code=code, user_id=user_id, attempt_id=attempt_id,
                       course_id=course_id, holder_name=holder_name, school_id=school_id, percent=percent,
                       issued_at=now)
    session.add(cert)
    await session.flush()
    return cert
