"""The deadline job: close and score attempts whose 45 minutes ran out while the teacher was silent, and
tell them the result once (the claim is written before sending, released again if sending failed)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError, TelegramRetryAfter

from bot.courses import course_text
from bot.services.exam_flow import result_screen
from domain.exam import lessons_to_revisit
from storage.models import ExamAttempt, User
from storage.repositories import exams
from storage.repositories.users import mark_blocked

log = logging.getLogger(__name__)


async def close_expired_attempts(app, bot: Bot) -> int:
    """Returns how many results were delivered."""
    now = datetime.now(UTC)
    async with app.sessions() as session:
        for attempt in await exams.expired_open_attempts(session, now):
            await exams.close_attempt(session, attempt, now=now, status="expired",
                                      pass_percent=app.settings.exam_pass_percent)
        await session.commit()
        pending = await exams.unnotified_closed(session)
    delivered = 0
    for attempt in pending:
        delivered += await _notify(app, bot, attempt)
    return delivered


async def _notify(app, bot: Bot, attempt: ExamAttempt) -> int:
    async with app.sessions() as session:
        if not await exams.mark_notified(session, attempt.id, datetime.now(UTC)):
            return 0  # somebody else (the handler, another instance) told them
        await session.commit()
        user = await session.get(User, attempt.user_id)
        wrong = await exams.wrong_keys(session, attempt.id)
        lang = (user.language if user else None) or "ru"
        try:
            with app.i18n.context(), app.i18n.use_locale(lang):
                revisit = [] if attempt.passed else lessons_to_revisit(wrong, course_text(attempt.course_id))
                text, markup = result_screen(attempt, revisit, app.settings.exam_pass_percent)
            await bot.send_message(attempt.user_id, text, reply_markup=markup)
            return 1
        except TelegramForbiddenError:
            await mark_blocked(session, attempt.user_id, datetime.now(UTC))
            await session.commit()
        except (TelegramRetryAfter, TelegramNetworkError) as exc:
            log.info("exam result for %s postponed: %s", attempt.user_id, exc)
            attempt_row = await session.get(ExamAttempt, attempt.id)
            if attempt_row is not None:
                attempt_row.notified_at = None  # released: the next run tries again
                await session.commit()
        return 0
