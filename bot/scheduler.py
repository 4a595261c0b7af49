"""The jobs (reminder planning, the outbox's sending runs, exam deadlines) and their APScheduler 3 wiring:
interval jobs with fixed ids, re-created at every start, each run under a lease. Every job takes its time
from the app's clock (`app.clock`), so tests move time instead of rewriting the database.

The jobs keep no state of their own: what was sent or closed lives in the project's tables, so a
restart or a second instance neither loses nor repeats anything. Leases keep each job on one process at a
time when several workers (and bot instances with SCHEDULER_ENABLED) share one PostgreSQL: a session-level
advisory lock per job, taken on a dedicated connection. The holder keeps it as long as its connection lives;
when the process dies the server drops the connection and the lock with it, and another worker takes the job
over at its next refresh (every LEASE_REFRESH_SECONDS). On SQLite (one process) every lease is held.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections import Counter
from datetime import datetime, timedelta

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from bot.screens.reminder_messages import render
from bot.services.certificate_delivery import mark_received, render_certificate_to_head
from bot.services.exam_jobs import render_exam_result
from bot.services.outbox import Now, OutboxSender, Rendered, SendStats
from bot.services.rate_limit import build_limiter
from storage.db import normalize_url
from usecases.foreground import IDLE
from usecases.reminder_context import quiet_window
from usecases.reminder_planner import ReminderPlanner

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


# --- reminder planning --------------------------------------------------------------------------------------


def planner_for(app) -> ReminderPlanner:
    planner = app.extras.get("reminder_planner")
    if planner is None:
        planner = app.extras["reminder_planner"] = ReminderPlanner(app.settings,
                                                                   foreground=app.extras.get("foreground", IDLE))
    return planner


async def plan_reminders(app, now: datetime | None = None) -> Counter:
    """The planning job, at the app's clock's moment (tests may pass one of their own)."""
    return await planner_for(app).run(app.sessions, now or app.clock.now())


# --- sending the outbox ---------------------------------------------------------------------------------------


async def render_any(session: AsyncSession, kind: str, payload: dict, user_id: int) -> Rendered | None:
    """Reminders, the exam results queued by the deadline job, and certificates sent to school heads."""
    if kind == "exam_result":
        return await render_exam_result(session, payload)
    if kind == "certificate_to_head":
        return await render_certificate_to_head(session, payload)
    return await render(session, kind, payload, user_id)


async def after_sent(session: AsyncSession, kind: str, payload: dict, now: datetime) -> None:
    """What a delivered row changes besides its own status (committed with it)."""
    if kind == "certificate_to_head":
        await mark_received(session, payload, now)


def sender_for(app, bot: Bot, *, clock: Now | None = None) -> OutboxSender:
    """The process's sender (with the process's send budget, shared through Redis where set), built on first
    use; `clock` (default: the app's) tells it the time."""
    sender = app.extras.get("outbox_sender")
    if sender is None or sender.bot is not bot:
        limiter = app.extras.get("rate_limiter") or app.extras.setdefault("rate_limiter", build_limiter(app.settings))
        sender = OutboxSender(sessions=app.sessions, bot=bot, i18n=app.i18n, render=render_any, limiter=limiter,
                              quiet=quiet_window(app.settings), default_language=app.settings.default_language,
                              lease=timedelta(minutes=app.settings.outbox_stuck_minutes), after_sent=after_sent)
        sender.paid_broadcast = app.settings.paid_broadcast
        app.extras["outbox_sender"] = sender
    sender.clock = clock or app.clock.now
    return sender


async def send_outbox(app, bot: Bot, *, clock: Now | None = None) -> SendStats:
    """One sending run, to the end (tests call it directly)."""
    return await sender_for(app, bot, clock=clock).run()


async def kick_outbox(app, bot: Bot) -> None:
    """The scheduler's job, every few seconds: start a sending run in the background unless one is going.
    A large fan-out (50,000 messages take half an hour at 28/s) runs on without the scheduler skipping and
    warning about overlapping runs every few seconds."""
    task: asyncio.Task | None = app.extras.get("outbox_task")
    if task is not None and not task.done():
        return
    task = asyncio.create_task(send_outbox(app, bot), name="outbox-send")
    task.add_done_callback(_log_failure)
    app.extras["outbox_task"] = task


async def stop_outbox(app, timeout: float = 30.0) -> None:
    """At shutdown, before the bot's session closes: sends in flight finish, nothing new is claimed (a run
    cancelled mid-request would leave its rows "unknown")."""
    sender: OutboxSender | None = app.extras.get("outbox_sender")
    task: asyncio.Task | None = app.extras.get("outbox_task")
    if sender is not None:
        sender.stopping = True
    if task is not None and not task.done():
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            task.cancel()


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("outbox run failed", exc_info=task.exception())


# --- the scheduler ------------------------------------------------------------------------------------------


async def deadline_job(app, bot: Bot) -> None:
    from bot.services.exam_jobs import close_expired_attempts

    if await close_expired_attempts(app, bot) and app.extras["leases"].holds("outbox-send"):
        await kick_outbox(app, bot)  # results go out now, not at the sender's next tick


async def start_scheduler(app, bot: Bot) -> AsyncIOScheduler:
    leases = JobLeases(app.settings.database_url)
    await leases.refresh()
    app.extras["leases"] = leases
    scheduler = AsyncIOScheduler(timezone="UTC")
    common = {"replace_existing": True, "max_instances": 1, "coalesce": True}
    scheduler.add_job(leases.refresh, "interval", seconds=LEASE_REFRESH_SECONDS, id="leases", **common)
    now = app.clock.now()  # deadlines and sending start at once, not an interval after start-up
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
    scheduler = app.extras.pop("scheduler", None)
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    await stop_outbox(app)
    leases: JobLeases | None = app.extras.pop("leases", None)
    if leases is not None:
        await leases.close()
