"""Certificates: issued once per passed attempt, found by their short verification code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.certificates import certificate_number, new_verify_code
from storage.models import Certificate, School

#: A number is "~" + the verification code for the instant between the insert and the id being known.
PENDING_PREFIX = "~"


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
                            holder_name: str, school_id: int | None, percent: float, now: datetime,
                            issuer: str | None = None) -> Certificate:
    """One certificate per attempt: a second call returns the first one.

    The number is derived from the row's id, so two teachers issuing at the same moment never draw the
    same one (a number counted from the rows, as before, gave both the same and one of them nothing).
    The row goes in with a placeholder number unique by construction (its verification code), then gets
    its number once the id is known; the unique index on the number stays the guard.
    """
    existing = await session.scalar(select(Certificate).where(Certificate.attempt_id == attempt_id))
    if existing is not None:
        return existing
    return await _insert(session, user_id=user_id, attempt_id=attempt_id, course_id=course_id,
                         holder_name=holder_name, school_id=school_id, percent=percent, now=now, issuer=issuer)


async def _insert(session: AsyncSession, *, user_id: int, attempt_id: int, course_id: str, holder_name: str,
                  school_id: int | None, percent: float, now: datetime, issuer: str | None = None,
                  year: int | None = None) -> Certificate:
    """`year`: the number's, the issue date's year where the certificate is dated (default: UTC's)."""
    code = new_verify_code()
    while await session.scalar(select(Certificate.id).where(Certificate.verify_code == code)) is not None:
        code = new_verify_code()
    cert = Certificate(number=PENDING_PREFIX + code, verify_code=code, user_id=user_id, attempt_id=attempt_id,
                       course_id=course_id, holder_name=holder_name, school_id=school_id, percent=percent,
                       issued_at=now, issuer=issuer)
    session.add(cert)
    await session.flush()
    cert.number = certificate_number(year or now.year, cert.id)
    await session.flush()
    return cert


async def issue_and_commit(session: AsyncSession, *, attempt_id: int, **fields: Any) -> tuple[Certificate, bool]:
    """Issue (see :func:`issue_certificate`) and commit: ``(certificate, True)`` when this call made it.

    A double tap's second call either finds the first's row or, racing it, loses the insert on the unique
    attempt: it is rolled back and answered with the row the first call committed, ``(certificate, False)``.
    """
    existing = await session.scalar(select(Certificate).where(Certificate.attempt_id == attempt_id))
    if existing is not None:
        return existing, False
    try:
        cert = await _insert(session, attempt_id=attempt_id, **fields)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        cert = await session.scalar(select(Certificate).where(Certificate.attempt_id == attempt_id))
        if cert is None:
            raise
        return cert, False
    return cert, True


async def by_attempt(session: AsyncSession, attempt_id: int) -> Certificate | None:
    return await session.scalar(select(Certificate).where(Certificate.attempt_id == attempt_id))


async def insert_certificate(session: AsyncSession, **fields: Any) -> Certificate:
    """A new certificate, flushed, not committed (the caller's unit of work commits, and on an IntegrityError
    from a racing double tap rolls back and takes the other's row: see :func:`by_attempt`)."""
    return await _insert(session, **fields)


async def mark_sent_to_head(session: AsyncSession, certificate_id: int | None, now: datetime) -> None:
    """The head has it (what the certification report counts): the first delivery's moment stays."""
    cert = await session.get(Certificate, certificate_id) if certificate_id is not None else None
    if cert is not None and cert.sent_to_head_at is None:
        cert.sent_to_head_at = now
