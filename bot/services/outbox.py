"""The outbox sender: delivers due outbox rows through the send budget, each at most once. It knows no kind
of message: the renderer and what a delivered row changes are given to it (bot.scheduler wires the bot's
kinds, and runs it as a job with the app's clock).

Exactly-once as far as Telegram allows. Planning stores each message's key before anything is sent. A
sender renders a row, waits for its permit (overall and per chat), checks the quiet window again, and only
then claims it (pending -> sending, committed) and sends at once; the row is marked sent right after
Telegram answers. So a row is "sending" only while its request is on the wire, and a crash (SIGKILL) loses
at most the requests in flight, never rows that were merely waiting for a permit.

Several senders: on PostgreSQL each takes its next row with `SELECT ... FOR UPDATE SKIP LOCKED` and holds
that lock through the permit wait (other senders skip the row; a crash releases it untouched); on SQLite
one read is shared out in-process and the conditional UPDATE claim decides between processes.

The trade-off: Telegram has no idempotency key, so a row left in "sending" (the process died during the
request) may or may not have reached the user. We prefer never duplicating: once its lease is over such a
row is marked "unknown", logged, and not resent (at-most-once for that rare case; every other failure is
retried, so nothing else is lost).

Failures: 429 pauses every sender of the bot for `retry_after` (the shared flood wait) and puts the row
back to pending for then; network and server errors (5xx, a dropped connection) put it back with an
exponential backoff, up to `max_tries`; 403 marks the user blocked (and the row "blocked", never retried);
other API errors (400 "chat not found", "message is too long") are permanent: "failed". None of them stops
the other rows, and none leaves a traceback in the log.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.retry import own_flood_control
from bot.services.rate_limit import SendBudget
from domain.reminders import QuietWindow, local_time
from storage.repositories import outbox as repo
from storage.repositories.users import mark_blocked
from usecases.clock import SYSTEM_CLOCK

log = logging.getLogger(__name__)

#: The current moment (UTC): the app's clock's `now` (bot.scheduler passes `app.clock.now`).
Now = Callable[[], datetime]
#: A claimed row is put back rather than held through a flood wait longer than this (seconds).
LONG_FLOOD_WAIT = 30.0
#: A permit older than this (seconds) when its request would go out is replaced by a fresh one. Permits are
#: 1/28 s apart; one used 100 ms late let 31 messages into a second on a loaded machine, 25 ms cannot.
STALE_PERMIT = 0.025


@dataclass(frozen=True)
class Rendered:
    """What a row says: a text, or a document with the text as its caption."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    document: bytes | None = None
    filename: str = "document.pdf"


#: Renders a row (session, kind, payload, recipient) in the current locale; None: nothing left to say.
Renderer = Callable[[AsyncSession, str, dict, int], Awaitable[Rendered | None]]
#: What a delivered row changes besides its own status (session, kind, payload, now), committed with it.
AfterSent = Callable[[AsyncSession, str, dict, datetime], Awaitable[None]]


@dataclass
class SendStats:
    sent: int = 0
    retried: int = 0
    blocked: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0
    unknown: int = 0
    lost_claims: int = 0
    started: float = field(default_factory=time.monotonic)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if k != "started"}


def instance_id() -> str:
    """Who claimed a row (for logs): host, process, a random part for restarts of the same process id."""
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def backoff(tries: int) -> timedelta:
    """30 s, 1 min, 2 min ... up to an hour between attempts after network or server errors."""
    return timedelta(seconds=min(30 * 2 ** max(tries - 1, 0), 3600))


class OutboxSender:
    def __init__(self, *, sessions: async_sessionmaker[AsyncSession], bot: Bot, i18n: I18n, render: Renderer,
                 limiter: SendBudget, quiet: QuietWindow = QuietWindow(), clock: Now = SYSTEM_CLOCK.now,
                 after_sent: AfterSent | None = None, claimed_by: str | None = None, workers: int = 8, batch: int = 200,
                 lease: timedelta = timedelta(minutes=10), max_tries: int = 8, linger: float = 5.0,
                 default_language: str = "ru", progress_every: int = 500) -> None:
        self.sessions = sessions
        self.bot = bot
        self.i18n = i18n
        self.render = render
        self.limiter = limiter
        self.quiet = quiet
        self.clock = clock
        self.after_sent = after_sent
        self.claimed_by = claimed_by or instance_id()
        self.workers = workers
        self.batch = batch
        self.lease = lease
        self.max_tries = max_tries
        self.linger = linger
        self.default_language = default_language
        self.progress_every = progress_every
        self.stopping = False
        self.row_locks = False  # PostgreSQL: rows are locked (SKIP LOCKED) while waiting; set by run()
        self.paid_broadcast = False  # PAID_BROADCAST: allow_paid_broadcast on each send (set by sender_for)

    async def run(self) -> SendStats:
        """Send everything due now (and whatever falls due within `linger` seconds, e.g. after a short 429),
        then return. Long fan-outs log their progress."""
        stats = SendStats()
        async with self.sessions() as session:
            self.row_locks = session.get_bind().dialect.name == "postgresql"
            stuck = await repo.expire_stuck(session, self.clock())
            await session.commit()
        for row_id, key, claimed_by in stuck:
            log.warning("outbox row %s (%s) was left in sending by %s: marked unknown, not resent",
                        row_id, key, claimed_by)
        stats.unknown = len(stuck)
        next_report = self.progress_every
        while not self.stopping:
            before = sum(stats.as_dict().values())
            handled = await self._deliver(stats)
            if not handled:
                if not await self._linger():
                    break
                continue
            if sum(stats.as_dict().values()) == before:
                log.error("outbox: no progress on %d due rows (errors above); stopping this run", handled)
                break
            if stats.sent >= next_report:
                next_report = stats.sent + self.progress_every
                async with self.sessions() as session:
                    left = await repo.count_due(session, self.clock())
                elapsed = time.monotonic() - stats.started
                log.info("outbox: %d sent, %d due left, %.1f msg/s", stats.sent, left, stats.sent / max(elapsed, 1e-9))
        if any(stats.as_dict().values()):
            log.info("outbox run done: %s", stats.as_dict())
        return stats

    async def _linger(self) -> bool:
        """Wait for a row due within `linger` seconds (a 429 retry); False when there is none."""
        async with self.sessions() as session:
            soonest = await repo.soonest_pending(session)
        if soonest is None:
            return False
        wait = (soonest - self.clock()).total_seconds()
        if wait > self.linger:
            return False
        await asyncio.sleep(max(wait, 0.0) + 0.01)
        return True

    async def _deliver(self, stats: SendStats) -> int:
        """Up to `batch` due rows through `workers` concurrent senders; returns how many rows were taken.

        PostgreSQL: each sender locks its next row (FOR UPDATE SKIP LOCKED) and holds the lock through the
        permit wait, so other senders and workers skip it and a crash releases it untouched. SQLite: one
        read of due rows shared out through a queue; the conditional claim decides between processes."""
        queue: asyncio.Queue[repo.DueRow] = asyncio.Queue()
        if not self.row_locks:
            async with self.sessions() as session:
                for row in await repo.due_rows(session, self.clock(), self.batch):
                    queue.put_nowait(row)
            if queue.empty():
                return 0
        taken = 0

        async def next_row(session: AsyncSession) -> repo.DueRow | None:
            if self.row_locks:
                return await repo.lock_next_due(session, self.clock())
            return None if queue.empty() else queue.get_nowait()

        async def worker() -> None:
            nonlocal taken
            while not self.stopping and taken < self.batch:
                async with self.sessions() as session:
                    row = await next_row(session)
                    if row is None:
                        return
                    taken += 1
                    try:
                        await self._send_one(session, row, stats)
                    except Exception:  # a bug in one message must not stop the others
                        log.exception("outbox row %s (%s) failed unexpectedly", row.id, row.key)

        await asyncio.gather(*(worker() for _worker in range(self.workers)))
        return taken

    async def _settle(self, session: AsyncSession, row: repo.DueRow, stats: SendStats, counter: str,
                      **values) -> None:
        """Decide a row without sending it (it was never claimed)."""
        if await repo.settle_pending(session, row.id, **values):
            setattr(stats, counter, getattr(stats, counter) + 1)
        await session.commit()

    async def _quiet(self, session: AsyncSession, row: repo.DueRow, stats: SendStats) -> bool:
        """In the recipient school's quiet window: put off until it ends."""
        tz = row.payload.get("tz")
        resume = self.quiet.resume_at(local_time(self.clock(), tz)) if tz else None
        if resume is None:
            return False
        await self._settle(session, row, stats, "deferred", next_try_at=resume.astimezone(UTC))
        return True

    async def _send_one(self, session: AsyncSession, row: repo.DueRow, stats: SendStats) -> None:
        """Render, wait for the permit, then claim (pending -> sending, committed) and send at once: a row is
        "sending" only while its request is on the wire, so a crash loses at most that one."""
        if row.blocked:
            return await self._settle(session, row, stats, "blocked", status="blocked", error="user blocked the bot")
        if await self._quiet(session, row, stats):  # checked before the wait too: a quiet hour costs no permits
            return None
        lang = row.language or self.default_language
        try:
            with self.i18n.context(), self.i18n.use_locale(lang):
                rendered = await self.render(session, row.kind, row.payload, row.user_id)
        except Exception as exc:
            log.exception("outbox row %s (%s): rendering failed", row.id, row.key)
            return await self._settle(session, row, stats, "failed", status="failed", error=f"render: {exc!r}")
        if rendered is None:
            return await self._settle(session, row, stats, "skipped", status="skipped")
        if not self.row_locks:
            await session.commit()  # SQLite: no read transaction held through the wait
        left = await self.limiter.flood_wait_left()
        if left > LONG_FLOOD_WAIT:  # back to the queue until the flood wait is over
            return await self._settle(session, row, stats, "deferred",
                                      next_try_at=self.clock() + timedelta(seconds=left), error="flood wait")
        await self.limiter.acquire(row.user_id)
        permit_at = time.monotonic()
        if await self._quiet(session, row, stats):  # the window may have begun during the wait
            return None
        if not await self._claim(session, row, stats, permit_at):
            return None
        outcome, error, retry_at = await self._request(row, rendered)
        now = self.clock()
        if outcome == "retry":
            await repo.release(session, row.id, self.claimed_by, retry_at or now, error or "")
        elif not await repo.finish(session, row.id, self.claimed_by, outcome, now, error):
            log.warning("outbox row %s (%s): claim lost before it was closed as %s", row.id, row.key, outcome)
        if outcome == "blocked":
            await mark_blocked(session, row.user_id, now)
        elif outcome == "sent" and self.after_sent is not None:
            await self.after_sent(session, row.kind, row.payload, now)
        await session.commit()
        counter = "retried" if outcome == "retry" else outcome
        setattr(stats, counter, getattr(stats, counter) + 1)
        return None

    async def _claim(self, session: AsyncSession, row: repo.DueRow, stats: SendStats, permit_at: float) -> bool:
        """pending -> sending (committed) just before the request. A slow claim (a busy database or machine)
        would use its permit late and bunch with the next ones at Telegram: the row goes back to pending while
        a fresh overall permit is awaited, so it is never "sending" during a wait, then is claimed again."""
        for attempt in range(2):
            now = self.clock()
            if not await repo.claim(session, row.id, self.claimed_by, now, now + self.lease):
                await session.rollback()
                stats.lost_claims += 1  # another sender took it
                return False
            await session.commit()
            if attempt or time.monotonic() - permit_at <= STALE_PERMIT:
                return True
            await repo.release(session, row.id, self.claimed_by, now, "")
            await session.commit()
            await self.limiter.acquire(None)
            permit_at = time.monotonic()
        return True

    async def _request(self, row: repo.DueRow, rendered: Rendered) -> tuple[str, str | None, datetime | None]:
        """Send one claimed row: (outcome, error, retry time). Every Bot API error class has its answer."""
        token = own_flood_control.set(True)
        try:
            paid = self.paid_broadcast or None
            if rendered.document is not None:
                await self.bot.send_document(row.user_id, BufferedInputFile(rendered.document, rendered.filename),
                                             caption=rendered.text, reply_markup=rendered.markup,
                                             allow_paid_broadcast=paid)
            else:
                await self.bot.send_message(row.user_id, rendered.text, reply_markup=rendered.markup,
                                            allow_paid_broadcast=paid)
        except TelegramRetryAfter as exc:
            await self.limiter.flood_wait(exc.retry_after)
            log.warning("flood wait %s s (outbox row %s); all sends paused", exc.retry_after, row.id)
            return "retry", f"429 retry after {exc.retry_after}", self.clock() + timedelta(seconds=exc.retry_after)
        except TelegramForbiddenError as exc:
            log.info("user %s blocked the bot; outbox row %s closed", row.user_id, row.id)
            return "blocked", exc.message, None
        except (TelegramNetworkError, TelegramServerError) as exc:
            tries = row.tries + 1
            if tries >= self.max_tries:
                log.warning("outbox row %s failed %d times, giving up: %s", row.id, tries, exc)
                return "failed", str(exc), None
            log.info("outbox row %s: %s; retried later", row.id, exc)
            return "retry", str(exc), self.clock() + backoff(tries)
        except TelegramAPIError as exc:
            log.warning("outbox row %s (%s) refused: %s", row.id, row.key, exc.message)
            return "failed", exc.message, None
        finally:
            own_flood_control.reset(token)
        return "sent", None, None
