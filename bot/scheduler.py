"""APScheduler 3 wiring: interval jobs with fixed ids, re-created at every start, each run under a lease.

The jobs keep no state of their own: what was sent or closed lives in the project's tables, so a
restart or a second instance neither loses nor repeats anything. Leases keep each job on one process at a
time when several workers (and bot instances with SCHEDULER_ENABLED) share one PostgreSQL: a session-level
advisory lock per job, taken on a dedicated connection. The holder keeps it as long as its connection lives;
when the process dies the server drops the connection and the lock with it, and another worker takes the job
over at its next refresh (every LEASE_REFRESH_SECONDS). On SQLite (one process) every lease is held.
"""

from __future__ import annotations

import logging
import zlib
from datetime import UTC, datetime

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import normalize_url

log = logging.getLogger(__name__)

LEASED_JOBS = ("exam-deadlines", "reminders-plan", "outbox-send")
#: How often a worker tries to take the leases nobody holds (so a dead holder's jobs move within this time).
LEASE_REFRESH_SECONDS = 10
#: The advisory-lock key space of this bot (the first of pg_try_advisory_lock's two int4 keys).
LOCK_SPACE = 0x4D4B


def lock_key(job: str) -> int:
    return zlib.crc32(job.encode()) & 0x7FFFFFFF


class JobLeases:
    def __init__(self, database_url: str, jobs: tuple[str, ...] = LEASED_JOBS) -> None:
        url = normalize_url(database_url)
        self.local = not url.startswith("postgresql")
        self.jobs = jobs
        self.held: set[str] = set(jobs) if self.local else set()
        # Its own engine without a pool: closing the connection really ends the session and frees the locks.
        self.engine = None if self.local else create_async_engine(url, poolclass=NullPool)
        self.conn: AsyncConnection | None = None

    def holds(self, job: str) -> bool:
        return job in self.held

    async def refresh(self) -> None:
        """Check the lease connection and take every free lease."""
        if self.local:
            return
        try:
            if self.conn is None:
                self.conn = await self.engine.connect()
            else:
                await self.conn.execute(text("SELECT 1"))
            for job in self.jobs:
                if job in self.held:
                    continue
                got = await self.conn.scalar(text("SELECT pg_try_advisory_lock(:space, :key)"),
                                             {"space": LOCK_SPACE, "key": lock_key(job)})
                if got:
                    self.held.add(job)
                    log.info("lease taken: %s", job)
            await self.conn.commit()
        except Exception as exc:  # the connection (and with it every lock) is gone: start afresh
            log.warning("lease connection lost (%s); leases %s given up", exc, sorted(self.held))
            self.held.clear()
            await self._drop()

    async def _drop(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                await conn.invalidate()
                await conn.close()
            except Exception:
                log.debug("lease connection already closed")

    async def close(self) -> None:
        if not self.local:
            self.held.clear()
        await self._drop()
        if self.engine is not None:
            await self.engine.dispose()


def leased(leases: JobLeases, job: str, func):
    """`func` run only by the lease holder."""
    async def run(*args) -> None:
        if leases.holds(job):
            await func(*args)

    run.__name__ = f"{job}-leased"
    return run


async def deadline_job(app, bot: Bot) -> None:
    from bot.services.exam_jobs import close_expired_attempts
    from bot.services.outbox import kick_outbox

    if await close_expired_attempts(app, bot) and app.extras["leases"].holds("outbox-send"):
        await kick_outbox(app, bot)  # results go out now, not at the sender's next tick


async def start_scheduler(app, bot: Bot) -> AsyncIOScheduler:
    from bot.services.outbox import kick_outbox
    from bot.services.reminders import plan_reminders

    leases = JobLeases(app.settings.database_url)
    await leases.refresh()
    app.extras["leases"] = leases
    scheduler = AsyncIOScheduler(timezone="UTC")
    common = {"replace_existing": True, "max_instances": 1, "coalesce": True}
    scheduler.add_job(leases.refresh, "interval", seconds=LEASE_REFRESH_SECONDS, id="leases", **common)
    now = datetime.now(UTC)  # deadlines and sending start at once, not an interval after start-up
    scheduler.add_job(leased(leases, "exam-deadlines", deadline_job), "interval", seconds=10, id="exam-deadlines",
                      args=[app, bot], next_run_time=now, **common)
    # Reminders: planning checks each school's local hour; sending starts a run when rows are due.
    scheduler.add_job(leased(leases, "reminders-plan", plan_reminders), "interval", minutes=2, id="reminders-plan",
                      args=[app], **common)
    scheduler.add_job(leased(leases, "outbox-send", kick_outbox), "interval", seconds=5, id="outbox-send",
                      args=[app, bot], next_run_time=now, **common)
    scheduler.start()
    return scheduler


async def stop_scheduler(app) -> None:
    """Stop the jobs, let sends in flight finish (none is left "unknown"), give the leases back."""
    from bot.services.outbox import stop_outbox

    scheduler = app.extras.pop("scheduler", None)
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    await stop_outbox(app)
    leases: JobLeases | None = app.extras.pop("leases", None)
    if leases is not None:
        await leases.close()
