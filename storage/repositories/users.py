"""Users: created on first contact, language and role remembered; a short per-process memory of the rows
just read (`RecentUsers`), so a user's next updates do not read their row again."""

from __future__ import annotations

import time
import weakref
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached, object_session
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Supervisor, User
from storage.upsert import insert_ignore


async def get_or_create_user(session: AsyncSession, user_id: int, *, tg_name: str, username: str | None,
                             now: datetime, language: str | None = None) -> User:
    """The user's row; a new one is written at once (one write transaction: its language and first visit
    included), whatever the caller does next."""
    user = await session.get(User, user_id)
    if user is None:
        # Two updates of a new user may arrive at once: the second insert is a no-op, not an error.
        await insert_ignore(session, User, [{"id": user_id, "tg_name": tg_name[:200], "username": username,
                                             "language": language, "created_at": now, "last_seen_at": now}],
                            ["id"])
        await session.commit()
        user = await session.get(User, user_id)
    elif user.blocked_at is not None:
        user.blocked_at = None  # a message from the user means they unblocked the bot
    return user


SEEN_EVERY = timedelta(hours=1)


async def mark_seen(session: AsyncSession, user: User, now: datetime) -> bool:
    """Record that the user used the bot: a conditional UPDATE at most once an hour per user (the parents'
    usage report counts parents seen in the last 7 days), so most updates cost nothing. True: it was due."""
    if user.last_seen_at is not None and now - user.last_seen_at < SEEN_EVERY:
        return False
    await session.execute(update(User).where(User.id == user.id, or_(
        User.last_seen_at.is_(None), User.last_seen_at < now - SEEN_EVERY)).values(last_seen_at=now)
        .execution_options(synchronize_session=False))
    await session.commit()
    set_committed_value(user, "last_seen_at", now)  # known now, without marking the row dirty
    return True


async def mark_blocked(session: AsyncSession, user_id: int, when: datetime) -> None:
    await session.execute(update(User).where(User.id == user_id).values(blocked_at=when))
    _written(session.sync_session, user_id)


async def mark_unblocked(session: AsyncSession, user_id: int) -> None:
    await session.execute(update(User).where(User.id == user_id).values(blocked_at=None))
    _written(session.sync_session, user_id)


async def is_supervisor(session: AsyncSession, user_id: int) -> bool:
    """A methodist: granted by the administrator's command, never claimed."""
    return await session.scalar(select(Supervisor.id).where(Supervisor.user_id == user_id).limit(1)) is not None


async def users_by_ids(session: AsyncSession, ids: list[int]) -> dict[int, User]:
    if not ids:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(ids)))
    return {u.id: u for u in rows}


# --- the rows of users seen in the last seconds ------------------------------------------------------------------

#: How long a row read for one update serves the same user's next updates (a parent paging through weeks, a
#: teacher answering the exam) without reading it again.
RECENT_SECONDS = 30.0
_COLUMNS = tuple(attr.key for attr in User.__mapper__.column_attrs)
_WRITTEN = "users_written"  # Session.info: ids of user rows this transaction wrote
_caches: weakref.WeakSet[RecentUsers] = weakref.WeakSet()
_generation = 0  # moves on every write to a user row in this process


class RecentUsers:
    """Users' rows read in the last `ttl` seconds, in this process (one per dispatcher, since each may have a
    database of its own). A hit attaches a copy of the row to the update's session as if just loaded, so
    changes to it are written as before. Any write to a user's row in this process forgets it at once (the
    ORM's flush and commit, `mark_blocked`, `mark_unblocked`); another process's writes (an admin command, a
    second bot instance) show within `ttl`, so the middleware leaves it off where instances share a database."""

    def __init__(self, ttl: float = RECENT_SECONDS, max_rows: int = 100_000) -> None:
        self.ttl, self.max_rows = ttl, max_rows
        self._rows: dict[int, tuple[float, dict[str, Any]]] = {}
        _caches.add(self)

    @staticmethod
    def stamp() -> int:
        """Taken before reading a row: `keep` refuses it if a user row was written since (it may be stale)."""
        return _generation

    def attach(self, session: AsyncSession, user_id: int) -> User | None:
        """The user's recent row, attached to `session` without a query; None if not recent."""
        entry = self._rows.get(user_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        user = User(**entry[1])
        make_transient_to_detached(user)
        session.add(user)
        return user

    def keep(self, user: User, since: int) -> None:
        """Remember the row as `user` has it now (committed), unless some user row was written since `since`."""
        if since != _generation or user.language is None or user.blocked_at is not None:
            return
        if len(self._rows) >= self.max_rows:
            self._sweep()
        self._rows[user.id] = (time.monotonic() + self.ttl, {key: getattr(user, key) for key in _COLUMNS})

    def _sweep(self) -> None:
        now = time.monotonic()
        self._rows = {uid: entry for uid, entry in self._rows.items() if entry[0] >= now}
        if len(self._rows) >= self.max_rows:
            self._rows.clear()

    def forget(self, user_id: int) -> None:
        self._rows.pop(user_id, None)


def forget_user(user_id: int) -> None:
    """The row changed (or is about to): every recent copy of it in this process goes."""
    global _generation
    _generation += 1
    for cache in list(_caches):
        cache.forget(user_id)


def _written(session: Session | None, user_id: int) -> None:
    """Forget the row now, and again once the transaction commits: a row read by another update before the
    commit must not be kept."""
    forget_user(user_id)
    if session is not None:
        session.info.setdefault(_WRITTEN, set()).add(user_id)


@event.listens_for(User, "after_insert")
@event.listens_for(User, "after_update")
@event.listens_for(User, "after_delete")
def _user_flushed(_mapper, _connection, target: User) -> None:
    _written(object_session(target), target.id)


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    for user_id in session.info.pop(_WRITTEN, ()):
        forget_user(user_id)


@event.listens_for(Session, "after_rollback")
def _drop_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
