"""The planning pass: every school, grouped by time zone, a chunk of schools at a time; each step at most
once per school-local hour in a process; rows stored with their keys (the outbox's), so nothing is planned
twice.

A pass walks the schools grouped by time zone, a chunk of schools at a time, with a few set-based queries per
chunk. Each step runs at most once per school-local hour in a process, and after its first run of the day
considers only the users whose hour came since (an in-memory memo, a pure optimisation: after a restart
everyone due is considered again). Exactly-once rests on the outbox keys alone, so a restart, a second
instance or a retried pass plans nothing twice. A user who moves their hour to one that has passed today is
reminded from the next day.

Outbox kinds and the user setting (domain.reminders.KINDS) that governs them: lessons, class_daily,
class_weekly, head_summary, course, parent_weekly as named; summatives (a bundle of "summative" items) and
term_end under "deadlines"; parent_alert under "parent_alerts". The split: reminder_context (PlanContext),
reminder_steps, reminder_summary_steps and reminder_parent_steps (what is planned), this module (the pass and
the store); bot.screens.reminder_messages words each row at send time; bot.scheduler runs the pass with the
app's clock.

The pass shares its event loop with the replies when the bot runs in one process (issue #12): counting is done
by the database (storage.repositories.reminder_counts returns a few rows per school, not a row per lesson or
pupil), long id lists travel as one parameter, rows are written a small batch to a transaction, and the pass
yields to the loop between steps and batches. On PostgreSQL a few chunks are planned at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.reminders import (
    PlannedMessage,
    SchoolCalendar,
    local_time,
)
from storage.db import normalize_url
from storage.repositories import outbox as outbox_repo
from storage.repositories import outbox_bulk
from storage.repositories import reminders as repo
from storage.repositories.reminders import SchoolInfo
from usecases.foreground import IDLE, Foreground, giving_way
from usecases.reminder_context import (
    ALERT_LOOKBACK,
    ALERT_OVERLAP,
    OUTBOX_RETENTION,
    PlanContext,
    Step,
    quiet_window,
)
from usecases.reminder_parent_steps import plan_course, plan_parent_alerts, plan_parent_weekly
from usecases.reminder_steps import plan_data_check, plan_deadlines, plan_journal
from usecases.reminder_summary_steps import plan_head_summary
from usecases.uow import UnitOfWork

log = logging.getLogger(__name__)

#: Steps computed once per school-local hour; parents' instant notices run on every pass.
HOURLY_STEPS: tuple[Step, ...] = (plan_journal, plan_deadlines, plan_head_summary, plan_data_check, plan_course,
                                  plan_parent_weekly)


@dataclass(frozen=True)
class Pace:
    """How a pass shares the process and the database.

    SHARED_PACE, where the process also answers users (`python -m bot`), and on SQLite everywhere (one writer):
    small chunks of schools (a step's Python work on one stays a few milliseconds), 50 rows to a write
    transaction, a 10 ms rest after each write and each step that did some work, and a wait for the updates in
    flight before each statement (usecases.foreground): a reply's write then never waits behind a run of
    planner transactions (SQLite's busy wait backs off in steps of up to 100 ms), and its callbacks and queries
    rarely queue behind the planner's. Measured with bench_reminders.py --part replies: reply p95 during a pass
    1.1-1.3x outside it on SQLite, 1.0-1.6x on PostgreSQL (without the wait 1.4-1.7x; with bigger writes and no
    rests on PostgreSQL up to 2.4x).
    WORKER_PACE, a worker on PostgreSQL (`python -m bot worker`, no replies to share the loop with): a
    transaction locks only its own rows, so bigger chunks and writes, no rests, and a few chunks at once (one
    chunk's Python work overlaps another's queries)."""

    chunk: int  # schools planned together, with a few set-based queries
    batch: int  # outbox rows per write transaction
    pause: float  # seconds of rest after each write transaction and each step that worked (over 2 ms)
    concurrency: int  # chunks planned at once
    patience: float  # seconds a burst waits at most for the updates in flight to be answered (Foreground)

    @classmethod
    def choose(cls, url: str, *, answers_updates: bool) -> Pace:
        """The pace for this database, in a process that answers updates too or in a worker."""
        if answers_updates or normalize_url(url).startswith("sqlite"):
            return SHARED_PACE
        return WORKER_PACE


SHARED_PACE = Pace(chunk=10, batch=50, pause=0.01, concurrency=1, patience=0.05)
WORKER_PACE = Pace(chunk=50, batch=1000, pause=0.0, concurrency=3, patience=0.0)


class ReminderPlanner:
    def __init__(self, settings, *, pace: Pace | None = None, foreground: Foreground = IDLE) -> None:
        self.quiet = quiet_window(settings)
        self.foreground = foreground
        self.lead_days = tuple(settings.summative_lead_days) or (3, 1)
        self.pace = pace or Pace.choose(settings.database_url, answers_updates=foreground is not IDLE)
        self._last_hour: dict[tuple, int] = {}  # (step, tz, date, chunk) -> the school-local hour it last ran
        #: chunk -> (school-local date and hour, its calendars): read once an hour, not every two minutes.
        self._calendars: dict[tuple, tuple[tuple[date, int], dict[int, SchoolCalendar]]] = {}
        self._hours_chosen: dict[tuple, bool] = {}  # PlanContext.hours_chosen, for one pass
        self._alerts_checked: dict[tuple, datetime] = {}
        self._purged_on: date | None = None

    async def run(self, sessions: async_sessionmaker[AsyncSession], now: datetime) -> Counter:
        """One planning pass over every school at `now` (the app's clock); returns how many outbox rows were
        created, per kind."""
        sessions = giving_way(sessions, self.foreground, self.pace.patience)
        groups = await self._schools(sessions, now)
        self._hours_chosen = {}
        if len(self._last_hour) > 50_000:
            self._last_hour.clear()
        if len(self._calendars) > 5_000:
            self._calendars.clear()
        created: Counter = Counter()
        for tz, schools in groups.items():
            created += await self._plan_zone(sessions, now, tz, schools)
        if created:
            log.info("reminders planned: %s", dict(created))
        return created

    async def _schools(self, sessions: async_sessionmaker[AsyncSession], now: datetime) -> dict[str, list[SchoolInfo]]:
        """Every school by time zone; once a day, finished outbox rows past their retention are purged."""
        async with UnitOfWork(sessions) as uow:
            groups = await repo.schools_by_timezone(uow.session)
            if self._purged_on != now.date():
                purged = await outbox_repo.purge(uow.session, now - OUTBOX_RETENTION)
                await uow.commit()
                self._purged_on = now.date()
                if purged:
                    log.info("outbox: %d finished rows older than %s purged", purged, OUTBOX_RETENTION)
        return groups

    async def _plan_zone(self, sessions: async_sessionmaker[AsyncSession], now: datetime, tz: str,
                         schools: list[SchoolInfo]) -> Counter:
        """One time zone's schools, a chunk at a time; one chunk's failure does not stop the others."""
        try:
            local = local_time(now, tz)
        except (ZoneInfoNotFoundError, ValueError):
            log.error("unknown time zone %r of schools %s: no reminders", tz, [s.id for s in schools[:5]])
            return Counter()
        size, at_once = self.pace.chunk, self.pace.concurrency
        chunks = [schools[start:start + size] for start in range(0, len(schools), size)]
        created: Counter = Counter()
        for start in range(0, len(chunks), at_once):
            wave = chunks[start:start + at_once]
            for result in await asyncio.gather(*(self._plan_chunk_safely(sessions, now, tz, local, c) for c in wave)):
                created += result
        return created

    async def _plan_chunk_safely(self, sessions: async_sessionmaker[AsyncSession], now: datetime, tz: str,
                                 local: datetime, chunk: list[SchoolInfo]) -> Counter:
        steps = self._due_steps(tz, local, chunk)
        chunk_key = (tz, chunk[0].id, chunk[-1].id, len(chunk))
        last = self._alerts_checked.get(chunk_key)
        since = max(last - ALERT_OVERLAP, now - ALERT_LOOKBACK) if last and last <= now else None
        try:
            created = await self._plan_chunk(sessions, now, local, chunk, steps, since)
            await asyncio.sleep(0)
        except Exception:  # retried at the next pass
            log.exception("planning reminders for schools %s..%s failed", chunk[0].id, chunk[-1].id)
            return Counter()
        self._last_hour.update((self._memo(step, tz, local, chunk), local.hour) for step in steps)
        self._alerts_checked[chunk_key] = now
        return created

    def _due_steps(self, tz: str, local: datetime, chunk: list[SchoolInfo]) -> dict[Step, int | None]:
        """The hourly steps not run yet in this school-local hour (none in the quiet window), each with the
        hour it last ran today (None: not yet today)."""
        if self.quiet.contains(local.hour):
            return {}
        last = {step: self._last_hour.get(self._memo(step, tz, local, chunk)) for step in HOURLY_STEPS}
        return {step: hour for step, hour in last.items() if hour != local.hour}

    async def _plan_chunk(self, sessions: async_sessionmaker[AsyncSession], now: datetime, local: datetime,
                          chunk: list[SchoolInfo], steps: dict[Step, int | None], alerts_since: datetime | None
                          ) -> Counter:
        async with UnitOfWork(sessions) as uow:
            session = uow.session
            await repo.begin_planning(session)
            ctx = PlanContext(session=session, now=now, local=local, schools={s.id: s for s in chunk},
                              calendars=await self._calendars_of(session, local, chunk), lead_days=self.lead_days,
                              quiet=self.quiet, alerts_since=alerts_since, hours_chosen=self._hours_chosen)
            messages: list[PlannedMessage] = []
            for step, since_hour in (*steps.items(), (plan_parent_alerts, None)):
                ctx.since_hour = since_hour
                started = time.perf_counter()
                messages += await step(ctx)
                # Replies get the loop (and SQLite's lock) between the planner's bursts of work; the session
                # waits for the updates in flight before its next statement (giving_way).
                await asyncio.sleep(self.pace.pause if time.perf_counter() - started > 0.002 else 0)
            return await store(uow, messages, now, self.pace.batch, self.pace.pause)

    async def _calendars_of(self, session: AsyncSession, local: datetime, chunk: list[SchoolInfo]
                            ) -> dict[int, SchoolCalendar]:
        """The chunk's calendars (terms, holidays, school weekdays), read again each school-local hour."""
        key, hour = (chunk[0].timezone, chunk[0].id, chunk[-1].id, len(chunk)), (local.date(), local.hour)
        cached = self._calendars.get(key)
        if cached is None or cached[0] != hour:
            cached = self._calendars[key] = (hour, await repo.calendars(session, [s.id for s in chunk],
                                                                         local.date() - timedelta(days=400)))
        return cached[1]

    @staticmethod
    def _memo(step: Step, tz: str, local: datetime, chunk: list[SchoolInfo]) -> tuple:
        return step.__name__, tz, local.date(), chunk[0].id, chunk[-1].id, len(chunk)


async def store(uow: UnitOfWork, messages: list[PlannedMessage], now: datetime, batch: int = 200,
                pause: float = 0.0) -> Counter:
    """Insert the planned rows; keys that exist are skipped. A bundle's parts go in first (as "merged"
    markers) and the bundle carries only the parts that were new, in the same transaction: an item is told
    once even when several passes or instances plan it. Returns the rows created per kind.

    The rows go in `batch` at a time, each batch committed on its own (complete by itself: a bundle with its
    parts) and followed by `pause` seconds of rest: SQLite lets one connection write at a time, and a reply's
    write waits for the planner's transaction to end, so the planner keeps its transactions to milliseconds and
    leaves the lock free between them (see Pace). A batch that fails is rolled back alone; the next pass plans
    its rows again (their keys are new)."""
    created: Counter = Counter()
    singles = [m for m in messages if not m.parts]
    for start in range(0, len(singles), batch):
        part = singles[start:start + batch]
        new = await outbox_bulk.insert_new(uow.session, [_row(m, now) for m in part])
        await uow.commit()
        created.update(m.kind for m in part if m.key in new)
        await asyncio.sleep(pause)
    for group in _bundle_batches([m for m in messages if m.parts], batch):
        created += await _store_bundles(uow.session, group, now)
        await uow.commit()
        await asyncio.sleep(pause)
    return created


def _bundle_batches(bundles: list[PlannedMessage], batch: int) -> Iterator[list[PlannedMessage]]:
    """Bundles in groups of about `batch` rows (each bundle with all its parts)."""
    group: list[PlannedMessage] = []
    rows = 0
    for bundle in bundles:
        if group and rows + len(bundle.parts) + 1 > batch:
            yield group
            group, rows = [], 0
        group.append(bundle)
        rows += len(bundle.parts) + 1
    if group:
        yield group


async def _store_bundles(session: AsyncSession, bundles: list[PlannedMessage], now: datetime) -> Counter:
    new_parts = await outbox_bulk.insert_new(session, [_row(p, now, "merged") for b in bundles for p in b.parts])
    filled = []
    for bundle in bundles:
        fresh = [p for p in bundle.parts if p.key in new_parts]
        if fresh:
            # The period names its first new item: a later bundle the same day gets a key of its own.
            bundle.period = f"{bundle.period}:{fresh[0].period}"
            bundle.payload["items"] = [p.payload["item"] for p in fresh]
            filled.append(bundle)
    new = await outbox_bulk.insert_new(session, [_row(b, now) for b in filled])
    return Counter(m.kind for m in filled if m.key in new)


def _row(message: PlannedMessage, now: datetime, status: str = "pending") -> dict:
    return {"key": message.key, "kind": message.kind, "user_id": message.user_id, "payload": message.payload,
            "status": status, "tries": 0, "created_at": now, "next_try_at": message.not_before or now}
