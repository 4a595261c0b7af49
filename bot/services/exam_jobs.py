"""The deadline job: close and score attempts whose time ran out while the teacher was silent, and tell them
the result once, durably.

The notice goes through the outbox (kind "exam_result", key `exam:<attempt id>`): marking the attempt
notified and storing the row happen in one transaction, and the outbox sender then handles every Bot API
error class (a 502 or a dropped connection is retried later, 429 waits, 403 marks the user blocked, 400 is
recorded as failed). A send that fails is no longer lost for good, and two workers never queue it twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.courses import course_text
from bot.services.exam_flow import result_screen
from bot.services.outbox import Rendered
from domain.exam import lessons_to_revisit
from storage.models import ExamAttempt
from storage.repositories import exams
from storage.repositories import outbox as outbox_repo

log = logging.getLogger(__name__)


async def close_expired_attempts(app, bot=None, *, now: datetime | None = None) -> int:
    """Close expired attempts and queue each untold result in the outbox; returns how many were queued.
    (`bot` is unused: kept so the scheduler's call stays as it was.)"""
    now = now or datetime.now(UTC)
    async with app.sessions() as session:
        for attempt in await exams.expired_open_attempts(session, now):
            await exams.close_attempt(session, attempt, now=now, status="expired",
                                      pass_percent=app.settings.exam_pass_percent)
        await session.commit()
        queued = 0
        for attempt in await exams.unnotified_closed(session):
            if not await exams.mark_notified(session, attempt.id, now):
                continue  # somebody else (the handler, another worker) told them
            payload = {"attempt": attempt.id, "pass_percent": app.settings.exam_pass_percent}
            queued += len(await outbox_repo.insert_ignore(session, [{
                "key": f"exam:{attempt.id}", "kind": "exam_result", "user_id": attempt.user_id,
                "payload": payload, "status": "pending", "tries": 0, "created_at": now, "next_try_at": now}]))
        await session.commit()
    if queued:
        log.info("%d exam results queued", queued)
    return queued


async def render_exam_result(session: AsyncSession, payload: dict) -> Rendered | None:
    """The result screen of a closed attempt, in the current locale (the outbox sets the teacher's)."""
    attempt = await session.get(ExamAttempt, payload.get("attempt"))
    if attempt is None or attempt.status == "open":
        return None
    revisit = [] if attempt.passed else lessons_to_revisit(await exams.wrong_keys(session, attempt.id),
                                                           course_text(attempt.course_id))
    text, markup = result_screen(attempt, revisit, payload.get("pass_percent", 60.0))
    return Rendered(text, markup)
