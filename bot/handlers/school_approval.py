"""The head confirms (or declines) a teacher who picked the school from the list.

Picking a school from the list is only a request: the certificate names a school only once the teacher's
membership is confirmed (roster phone match, invite code, or this approval). The school's head and deputies
who use the bot get a notice with Confirm / Decline; the first answer counts.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.keyboards.common import JoinAct, JoinCB
from bot.screens.onboarding import join_answered_text, join_done_text, join_request_screen, join_told_text
from bot.ui import notify, show
from storage.models import User
from usecases import onboarding
from usecases.clock import Clock
from usecases.onboarding import JoinAnswer, SchoolPicked
from usecases.uow import UnitOfWork

log = logging.getLogger(__name__)


async def _send(bot: Bot, chat_id: int, text: str, **kwargs: object) -> bool:
    try:
        await bot.send_message(chat_id, text, **kwargs)  # type: ignore[arg-type]
        return True
    except TelegramAPIError as exc:
        log.warning("school confirmation message to %s failed: %s", chat_id, exc)
        return False


async def ask_heads(bot: Bot, i18n: I18n, picked: SchoolPicked, default_language: str) -> bool:
    """Ask the school's head and deputies who use the bot, each in their language; False if none could be asked."""
    asked = False
    for head in picked.heads:
        with i18n.use_locale(head.language or default_language):
            text, markup = join_request_screen(picked.teacher, picked.school_id, picked.school)
            asked = await _send(bot, head.id, text, reply_markup=markup) or asked
    return asked


async def _answered(query: CallbackQuery, answer: JoinAnswer, i18n: I18n, default_language: str,
                    callback_answer: CallbackAnswer) -> None:
    """The head's message says what was decided; the teacher is told in their language."""
    if answer.already:
        notify(callback_answer, join_answered_text(), alert=True)
        await show(query, query.message.text if query.message and query.message.text else "…")
        return
    await show(query, join_done_text(answer))
    with i18n.use_locale(answer.teacher.language or default_language):
        await _send(query.bot, answer.teacher.id, join_told_text(answer))


async def confirm_teacher(query: CallbackQuery, callback_data: JoinCB, uow: UnitOfWork, clock: Clock, user: User,
                          i18n: I18n, settings: Settings, callback_answer: CallbackAnswer) -> None:
    answer = await onboarding.answer_join(uow, user.id, callback_data.u, callback_data.s, True, clock.now())
    await _answered(query, answer, i18n, settings.default_language, callback_answer)


async def decline_teacher(query: CallbackQuery, callback_data: JoinCB, uow: UnitOfWork, clock: Clock, user: User,
                          i18n: I18n, settings: Settings, callback_answer: CallbackAnswer) -> None:
    answer = await onboarding.answer_join(uow, user.id, callback_data.u, callback_data.s, False, clock.now())
    await _answered(query, answer, i18n, settings.default_language, callback_answer)


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(confirm_teacher, JoinCB.filter(F.a == JoinAct.ok))
    router.callback_query.register(decline_teacher, JoinCB.filter(F.a == JoinAct.no))
    return router
