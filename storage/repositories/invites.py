"""One-time invite codes: issue, list, revoke, redeem (atomically: a code works once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.codes import code_hash
from domain.invites import InviteState, NewInvite, invite_state, issue_invite
from storage.models import InviteCode, ParentLink, Staff


@dataclass(frozen=True)
class Redeemed:
    kind: str
    student_id: int | None
    staff_id: int | None
    school_id: int


async def create_invite(session: AsyncSession, *, kind: str, school_id: int, now: datetime, valid_days: int,
                        created_by: int | None, student_id: int | None = None,
                        staff_id: int | None = None) -> NewInvite:
    new = issue_invite(now, valid_days)
    session.add(InviteCode(
        code_hash=new.hash, hint=new.code[-4:], kind=kind, school_id=school_id, student_id=student_id,
        staff_id=staff_id, created_by=created_by, created_at=now, expires_at=new.expires_at,
    ))
    await session.flush()
    return new


async def redeem_invite(session: AsyncSession, code: str, user_id: int, now: datetime) -> Redeemed | InviteState:
    """Use a code once. Returns what it linked, or why it cannot be used."""
    invite = await session.scalar(select(InviteCode).where(InviteCode.code_hash == code_hash(code)))
    if invite is None:
        return InviteState.UNKNOWN
    state = invite_state(expires_at=invite.expires_at, used_at=invite.used_at, revoked_at=invite.revoked_at,
                         now=now)
    if state is not InviteState.VALID:
        return state
    # Conditional update: of two concurrent redemptions only one changes a row.
    claimed = await session.execute(
        update(InviteCode)
        .where(InviteCode.id == invite.id, InviteCode.used_at.is_(None), InviteCode.revoked_at.is_(None))
        .values(used_at=now, used_by=user_id)
    )
    if claimed.rowcount != 1:
        return InviteState.USED
    await _link(session, invite, user_id, now)
    await session.flush()
    return Redeemed(kind=invite.kind, student_id=invite.student_id, staff_id=invite.staff_id,
                    school_id=invite.school_id)


async def _link(session: AsyncSession, invite: InviteCode, user_id: int, now: datetime) -> None:
    """What a redeemed code links: a parent to the student (once), or the staff row to the user."""
    if invite.kind == "parent" and invite.student_id is not None:
        exists = await session.scalar(select(ParentLink.id).where(
            ParentLink.user_id == user_id, ParentLink.student_id == invite.student_id))
        if exists is None:
            session.add(ParentLink(user_id=user_id, student_id=invite.student_id, created_at=now))
    elif invite.kind == "staff" and invite.staff_id is not None:
        await session.execute(update(Staff).where(Staff.id == invite.staff_id).values(
            user_id=user_id, confirmed_via="invite", confirmed_at=now))


async def list_invites(session: AsyncSession, *, school_id: int, student_ids: list[int]) -> list[InviteCode]:
    if not student_ids:
        return []
    rows = await session.scalars(
        select(InviteCode).where(InviteCode.school_id == school_id, InviteCode.student_id.in_(student_ids))
        .order_by(InviteCode.created_at.desc())
    )
    return list(rows)


async def revoke_invite(session: AsyncSession, invite_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(InviteCode).where(InviteCode.id == invite_id, InviteCode.used_at.is_(None),
                                 InviteCode.revoked_at.is_(None)).values(revoked_at=now)
    )
    return result.rowcount == 1
