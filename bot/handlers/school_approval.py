"""The head confirms (or declines) a teacher who picked the school from the list.

Picking a school from the list is only a request: the certificate names a school only once the teacher's
membership is confirmed (roster phone match, invite code, or this approval). The school's head and deputies
who use the bot get a notice with Confirm / Decline; the first answer counts.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.memberships import approve_teacher, is_confirmed_at
from bot.ui import notify, show
from domain.roles import ADMIN_POSITIONS
from storage.models import School, User
from storage.repositories.schools import membership_of, school_heads
from storage.repositories.users import users_by_ids

router = Router(name=__name__)
log = logging.getLogger(__name__)


class JoinCB(CallbackData, prefix="join"):
    """A head's answer to a teacher's request: ``a`` is "ok" or "no"; ids only."""

    a: str
    u: int
    s: int


def _teacher_label(teacher: User) -> str:
    name = teacher.full_name or teacher.tg_name or str(teacher.id)
    return f"{name} (@{teacher.username})" if teacher.username else name


async def request_confirmation(bot: Bot, i18n: I18n, session: AsyncSession, teacher: User, school: School,
                               default_language: str) -> bool:
    """Ask the school's head and deputies who use the bot to confirm the teacher; False if none could be asked."""
    heads = await school_heads(session, school.id)
    users = await users_by_ids(session, [h.user_id for h in heads if h.user_id and h.user_id != teacher.id])
    asked = False
    for head in users.values():
        if head.blocked_at is not None:
            continue
        with i18n.use_locale(head.language or default_language):
            kb = InlineKeyboardBuilder()
            kb.button(text=_("✅ Confirm"), callback_data=JoinCB(a="ok", u=teacher.id, s=school.id))
            kb.button(text=_("❌ Decline"), callback_data=JoinCB(a="no", u=teacher.id, s=school.id))
            text = _("{teacher} says they teach at {school} and asks you to confirm it. Confirm only if they "
                     "work at your school: their certificate will name the school.").format(
                teacher=_teacher_label(teacher), school=school.name)
            try:
                await bot.send_message(head.id, text, reply_markup=kb.as_markup())
                asked = True
            except TelegramAPIError as exc:
                log.warning("confirmation request to head %s failed: %s", head.id, exc)
    return asked


@router.callback_query(JoinCB.filter())
async def answer_request(query: CallbackQuery, callback_data: JoinCB, session: AsyncSession, user: User, bot: Bot,
                         i18n: I18n, settings: Settings, callback_answer: CallbackAnswer) -> None:
    staff = (await membership_of(session, user.id)).staff_at(callback_data.s)
    if staff is None or staff.position not in ADMIN_POSITIONS:
        notify(callback_answer, _("Only the head or a deputy of this school can answer this."), alert=True)
        return
    teacher = await session.get(User, callback_data.u)
    school = await session.get(School, callback_data.s)
    if (teacher is None or school is None or teacher.school_id != school.id
            or await is_confirmed_at(session, teacher.id, school.id)):
        notify(callback_answer, _("This request has already been answered."), alert=True)
        await show(query, query.message.text if query.message and query.message.text else "…")
        return
    label = _teacher_label(teacher)
    if callback_data.a == "ok":
        await approve_teacher(session, teacher, school.id, datetime.now(UTC))
        done = _("✅ {teacher} is confirmed as a teacher of {school}.").format(teacher=label, school=school.name)
    else:
        teacher.school_id = None
        done = _("❌ {teacher} was not confirmed at {school}.").format(teacher=label, school=school.name)
    await session.commit()
    await show(query, done)
    with i18n.use_locale(teacher.language or settings.default_language):
        told = (_("✅ Your school's head confirmed you as a teacher of {school}. Your certificate will name the "
                  "school.") if callback_data.a == "ok" else
                _("The head of {school} did not confirm you as a teacher there. Share your phone number or enter "
                  "a code from the administration to link yourself to your school.")).format(school=school.name)
        try:
            await bot.send_message(teacher.id, told)
        except TelegramAPIError as exc:
            log.warning("confirmation answer to teacher %s failed: %s", teacher.id, exc)
