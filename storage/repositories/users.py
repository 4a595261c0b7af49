"""Users: created on first contact, language and role remembered."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Supervisor, User
from storage.upsert import insert_ignore


async def get_or_create_user(session: AsyncSession, user_id: int, *, tg_name: str, username: str | None,
                             now: datetime) -> User:
    user = await session.get(User, user_id)
    if user is None:
        # Two updates of a new user may arrive at once: the second insert is a no-op, not an error.
        await insert_ignore(session, User, [{"id": user_id, "tg_name": tg_name[:200], "username": username,
                                             "created_at": now}], ["id"])
        await session.commit()
        user = await session.get(User, user_id)
    elif user.blocked_at is not None:
        user.blocked_at = None  # a message from the user means they unblocked the bot
    return user


SEEN_EVERY = timedelta(hours=1)


async def mark_seen(session: AsyncSession, user: User, now: datetime) -> None:
    """Record that the user used the bot: a conditional UPDATE at most once an hour per user (the parents'
    usage report counts parents seen in the last 7 days), so most updates cost nothing."""
    if user.last_seen_at is not None and now - user.last_seen_at < SEEN_EVERY:
        return
    await session.execute(update(User).where(User.id == user.id, or_(
        User.last_seen_at.is_(None), User.last_seen_at < now - SEEN_EVERY)).values(last_seen_at=now)
        .execution_options(synchronize_session=False))
    await session.commit()
    set_committed_value(user, "last_seen_at", now)  # known now, without marking the row dirty


async def mark_blocked(session: AsyncSession, user_id: int, when: datetime) -> None:
    await session.execute(update(User).where(User.id == user_id).values(blocked_at=when))


async def mark_unblocked(session: AsyncSession, user_id: int) -> None:
    await session.execute(update(User).where(User.id == user_id).values(blocked_at=None))


async def is_supervisor(session: AsyncSession, user_id: int) -> bool:
    """A methodist: granted by the administrator's command, never claimed."""
    return await session.scalar(select(Supervisor.id).where(Supervisor.user_id == user_id).limit(1)) is not None


async def users_by_ids(session: AsyncSession, ids: list[int]) -> dict[int, User]:
    if not ids:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(ids)))
    return {u.id: u for u in rows}
