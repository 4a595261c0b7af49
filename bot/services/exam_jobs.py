"""The deadline job's two ends in the chat bot: the scheduled pass (usecases.exam.close_expired, at the app's
clock) and the outbox's rendering of the result it queued.

The notice goes through the outbox (kind "exam_result", key `exam:<attempt id>`): the outbox sender handles
every Bot API error class (a 502 or a dropped connection is retried later, 429 waits, 403 marks the user
blocked, 400 is recorded as failed), so a failed send is not lost and two workers never queue it twice.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.screens.exam import result_screen
from bot.services.outbox import Rendered
from usecases.exam import close_expired, closed_result
from usecases.uow import UnitOfWork

log = logging.getLogger(__name__)


async def close_expired_attempts(app, bot=None) -> int:
    """Close expired attempts and queue each untold result; returns how many were queued.
    (`bot` is unused: kept so the scheduler's call stays as it was.)"""
    async with UnitOfWork(app.sessions) as uow:
        queued = await close_expired(uow, app.settings.exam_pass_percent, app.clock.now())
    if queued:
        log.info("%d exam results queued", queued)
    return queued


async def render_exam_result(session: AsyncSession, payload: dict) -> Rendered | None:
    """The result screen of a closed attempt, in the current locale (the outbox sets the teacher's)."""
    result = await closed_result(UnitOfWork.over(session), payload.get("attempt"), payload.get("pass_percent", 60.0))
    return Rendered(*result_screen(result)) if result is not None else None
