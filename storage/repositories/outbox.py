"""The outbox: reminders and notices stored (by a unique key) before they are sent.

Status moves: pending -> sending (claimed by one sender with a conditional UPDATE, just before its request;
PostgreSQL senders also hold the row with FOR UPDATE SKIP LOCKED while they wait for a permit) -> sent; back to
pending with a later `next_try_at` after a flood wait or a network error; blocked (403), failed (a
permanent error or too many tries), skipped (nothing left to say at send time), unknown (left in
"sending" by a crash: it may or may not have reached the user, and is never sent again); merged (a
marker: an item told within another row, a bundle, never sent itself).

While a row is "sending", `next_try_at` holds the end of the claim's lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox, User

FINAL_STATUSES = ("sent", "skipped", "blocked", "failed", "unknown", "merged")


def _dialect_insert(session: AsyncSession):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


async def insert_ignore(session: AsyncSession, rows: list[dict]) -> set[str]:
    """Insert outbox rows (INSERT ... ON CONFLICT DO NOTHING); a key that exists already is left as it is.
    Returns the keys that were created."""
    created: set[str] = set()
    if not rows:
        return created
    insert = _dialect_insert(session)
    for start in range(0, len(rows), 500):
        stmt = insert(Outbox).on_conflict_do_nothing(index_elements=["key"]).returning(Outbox.key)
        result = await session.execute(stmt, rows[start:start + 500])
        created.update(result.scalars().all())
    return created


async def existing_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 900):
        found.update(await session.scalars(select(Outbox.key).where(Outbox.key.in_(keys[start:start + 900]))))
    return found


@dataclass(frozen=True)
class DueRow:
    id: int
    key: str
    kind: str
    user_id: int
    payload: dict
    tries: int
    language: str | None
    blocked: bool


async def due_rows(session: AsyncSession, now: datetime, limit: int) -> list[DueRow]:
    """Pending rows whose time has come, oldest first, with the recipient's language (index ix_outbox_due)."""
    rows = await session.execute(
        select(Outbox.id, Outbox.key, Outbox.kind, Outbox.user_id, Outbox.payload, Outbox.tries, User.language,
               User.blocked_at.isnot(None))
        .outerjoin(User, User.id == Outbox.user_id)
        .where(Outbox.status == "pending", Outbox.next_try_at <= now)
        .order_by(Outbox.next_try_at, Outbox.id).limit(limit)
    )
    return [DueRow(i, k, kind, u, p or {}, t, lang, bool(b)) for i, k, kind, u, p, t, lang, b in rows]


async def lock_next_due(session: AsyncSession, now: datetime) -> DueRow | None:
    """PostgreSQL: the oldest due row nobody else holds, locked for this transaction (FOR UPDATE SKIP LOCKED).
    The lock, not a status, keeps other senders off it while this one waits for a permit; it goes with the
    transaction, so a sender that dies leaves the row pending."""
    row = (await session.execute(
        select(Outbox.id, Outbox.key, Outbox.kind, Outbox.user_id, Outbox.payload, Outbox.tries, User.language,
               User.blocked_at.isnot(None))
        .outerjoin(User, User.id == Outbox.user_id)
        .where(Outbox.status == "pending", Outbox.next_try_at <= now)
        .order_by(Outbox.next_try_at, Outbox.id).limit(1)
        .with_for_update(skip_locked=True, of=Outbox)
    )).first()
    if row is None:
        return None
    i, k, kind, u, p, t, lang, b = row
    return DueRow(i, k, kind, u, p or {}, t, lang, bool(b))


async def claim(session: AsyncSession, row_id: int, claimed_by: str, now: datetime, lease_until: datetime) -> bool:
    """pending -> sending, only if nobody else took it: the one place that decides who sends a row."""
    result = await session.execute(
        update(Outbox).where(Outbox.id == row_id, Outbox.status == "pending", Outbox.next_try_at <= now)
        .values(status="sending", claimed_by=claimed_by, tries=Outbox.tries + 1, next_try_at=lease_until)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def finish(session: AsyncSession, row_id: int, claimed_by: str, status: str, now: datetime,
                 error: str | None = None) -> bool:
    """sending -> a final status, by the sender holding the claim."""
    values: dict = {"status": status, "last_error": error[:300] if error else None}
    if status == "sent":
        values["sent_at"] = now
    result = await session.execute(
        update(Outbox).where(Outbox.id == row_id, Outbox.status == "sending", Outbox.claimed_by == claimed_by)
        .values(**values).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def release(session: AsyncSession, row_id: int, claimed_by: str, next_try_at: datetime, error: str) -> bool:
    """sending -> pending again, to be retried at `next_try_at`."""
    result = await session.execute(
        update(Outbox).where(Outbox.id == row_id, Outbox.status == "sending", Outbox.claimed_by == claimed_by)
        .values(status="pending", next_try_at=next_try_at, last_error=error[:300])
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def settle_pending(session: AsyncSession, row_id: int, *, status: str = "pending",
                         next_try_at: datetime | None = None, error: str | None = None) -> bool:
    """A pending row decided without sending: deferred (quiet hours) or closed (the user blocked the bot)."""
    values: dict = {"status": status}
    if next_try_at is not None:
        values["next_try_at"] = next_try_at
    if error is not None:
        values["last_error"] = error[:300]
    result = await session.execute(
        update(Outbox).where(Outbox.id == row_id, Outbox.status == "pending").values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def expire_stuck(session: AsyncSession, now: datetime) -> list[tuple[int, str, str | None]]:
    """Rows whose sender vanished mid-send (lease over): marked unknown, never resent. (id, key, claimed_by)."""
    stuck = list((await session.execute(
        select(Outbox.id, Outbox.key, Outbox.claimed_by).where(Outbox.status == "sending", Outbox.next_try_at < now)
    )).all())
    if stuck:
        await session.execute(
            update(Outbox).where(Outbox.id.in_([row[0] for row in stuck]), Outbox.status == "sending",
                                 Outbox.next_try_at < now)
            .values(status="unknown", last_error="left in sending by a stopped sender; not resent")
            .execution_options(synchronize_session=False)
        )
    return [tuple(row) for row in stuck]


async def soonest_pending(session: AsyncSession) -> datetime | None:
    return await session.scalar(select(func.min(Outbox.next_try_at)).where(Outbox.status == "pending"))


async def count_due(session: AsyncSession, now: datetime) -> int:
    return await session.scalar(select(func.count()).select_from(Outbox).where(
        Outbox.status == "pending", Outbox.next_try_at <= now)) or 0


async def purge(session: AsyncSession, before: datetime) -> int:
    """Forget finished rows older than `before` (their periods are over; nothing would re-plan them)."""
    result = await session.execute(delete(Outbox).where(Outbox.status.in_(FINAL_STATUSES),
                                                        Outbox.created_at < before))
    return result.rowcount or 0
