"""The certificate: confirm the name once, get the PDF (again at any time), send it to the school head."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.courses import MAIN_COURSE, catalogue, course_title
from bot.formatting import fmt_date, fmt_percent
from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.learning import CertCB, ExamCB
from bot.services.certificate_delivery import queue_for_head
from bot.services.certificates import (
    CertificateSchool,
    certificate_filename,
    certificate_pdf,
    issue_for,
    local_date,
    school_for,
    time_zone_for,
)
from bot.ui import TYPED_TEXT, chat_id_of, notify, show
from domain.certificates import format_verify_code, normalize_person_name
from storage.models import Certificate, User
from storage.repositories import exams
from storage.repositories.certificates import latest_for_user

router = Router(name=__name__)
log = logging.getLogger(__name__)


class CertName(StatesGroup):
    waiting = State()


async def cert_home(event: Message | CallbackQuery, session: AsyncSession, user: User, course_id: str,
                    state: FSMContext) -> None:
    cert = await latest_for_user(session, user.id, course_id)
    kb = InlineKeyboardBuilder()
    if cert is not None:
        zone = await time_zone_for(session, cert)
        body = _("🎓 Certificate No. {number}\n{name}\nResult: {score} · issued {date}\nCheck code: {code}").format(
            number=cert.number, name=cert.holder_name, score=fmt_percent(cert.percent),
            date=fmt_date(local_date(cert.issued_at, zone)), code=format_verify_code(cert.verify_code))
        if cert.sent_to_head_at:
            body += "\n" + _("Sent to the school head on {date}.").format(
                date=fmt_date(local_date(cert.sent_to_head_at, zone)))
        kb.button(text=_("📄 Get the PDF"), callback_data=CertCB(a="pdf", k=course_id))
        kb.button(text=_("📤 Send to the school head"), callback_data=CertCB(a="send", k=course_id))
        kb.adjust(1)
        await show(event, body, nav_row(kb).as_markup())
        return
    if await exams.has_passed(session, user.id, course_id) is None:
        kb.button(text=_("📝 Exam"), callback_data=ExamCB(a="home", k=course_id))
        await show(event, _("The certificate is issued once the exam is passed."),
                   nav_row(kb).as_markup())
        return
    if not user.full_name:
        await ask_name(event, state, course_id)
        return
    await confirm_name(event, user, course_id)


async def ask_name(event: Message | CallbackQuery, state: FSMContext, course_id: str) -> None:
    await state.set_state(CertName.waiting)
    await state.update_data(course_id=course_id)
    await show(event, _("Write your full name as it should appear on the certificate: surname, first name "
                        "and patronymic."), nav_row(InlineKeyboardBuilder()).as_markup())


async def confirm_name(event: Message | CallbackQuery, user: User, course_id: str) -> None:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✅ Yes, issue the certificate"), callback_data=CertCB(a="confirm", k=course_id))
    kb.button(text=_("✏️ Change the name"), callback_data=CertCB(a="name", k=course_id))
    kb.adjust(1)
    await show(event, _("The certificate will say:\n\n{name}\n\nIs your name written correctly?").format(
        name=user.full_name), nav_row(kb).as_markup())


@router.message(Command("certificate"))
@router.callback_query(MenuCB.filter(F.to == "cert"))
async def cert_entry(event: Message | CallbackQuery, session: AsyncSession, user: User, state: FSMContext) -> None:
    await cert_home(event, session, user, MAIN_COURSE, state)


@router.message(StateFilter(CertName.waiting), TYPED_TEXT)
async def name_typed(message: Message, session: AsyncSession, user: User, state: FSMContext) -> None:
    if len((message.text or "").strip()) > 80:
        await message.answer(_("That is too long for a certificate: at most 80 characters. Write it shorter."),
                             reply_markup=nav_row(InlineKeyboardBuilder()).as_markup())
        return
    name = normalize_person_name(message.text or "")
    if name is None:
        await message.answer(_("Please write your full name in letters: surname and first name, at least two "
                               "words, for example: Karimova Dilnoza Rustamovna."),
                             reply_markup=nav_row(InlineKeyboardBuilder()).as_markup())
        return
    data = await state.get_data()
    await state.set_state(None)
    user.full_name = name
    await session.commit()
    course_id = data.get("course_id") if data.get("course_id") in catalogue() else MAIN_COURSE
    await confirm_name(message, user, course_id)


@router.callback_query(CertCB.filter())
async def cert_action(query: CallbackQuery, callback_data: CertCB, session: AsyncSession, user: User,
                      state: FSMContext, bot: Bot, i18n: I18n, callback_answer: CallbackAnswer,
                      settings: Settings) -> None:
    course_id = callback_data.k
    if course_id not in catalogue():
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
        return
    action = callback_data.a
    if action == "home":
        await cert_home(query, session, user, course_id, state)
    elif action == "name":
        if await latest_for_user(session, user.id, course_id) is not None:
            notify(callback_answer, _("The certificate is already issued with this name."), alert=True)
            return
        await ask_name(query, state, course_id)
    elif action == "confirm":
        await issue(query, session, user, course_id, bot, callback_answer, settings.certificate_issuer, state)
    elif action == "pdf":
        cert = await latest_for_user(session, user.id, course_id)
        if cert is None:
            await cert_home(query, session, user, course_id, state)
            return
        await send_pdf(bot, chat_id_of(query), cert, await school_for(session, cert))
    elif action == "send":
        await send_to_head(query, session, user, course_id, bot, i18n, callback_answer)


async def issue(query: CallbackQuery, session: AsyncSession, user: User, course_id: str, bot: Bot,
                callback_answer: CallbackAnswer, issuer: str, state: FSMContext) -> None:
    attempt = await exams.has_passed(session, user.id, course_id)
    if attempt is None or not user.full_name:
        notify(callback_answer, _("The certificate is issued once the exam is passed."), alert=True)
        return
    # Committed before anything is sent; a double tap's second press gets the first one's certificate.
    cert, created = await issue_for(session, user, attempt_id=attempt.id, percent=attempt.percent or 0.0,
                                    course_id=course_id, issuer=issuer, now=datetime.now(UTC))
    notify(callback_answer, _("🎓 Your certificate is ready."))
    if created:
        await send_pdf(bot, chat_id_of(query), cert, await school_for(session, cert))
    # The pressed "Is your name right?" message becomes the certificate's screen (PDF and send-to-head
    # buttons): no confirm button stays clickable above the certificate.
    await cert_home(query, session, user, course_id, state)


async def send_pdf(bot: Bot, chat_id: int, cert: Certificate, where: CertificateSchool,
                   caption: str | None = None) -> None:
    await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    me = await bot.me()
    pdf = certificate_pdf(cert, where, me.username)
    await bot.send_document(chat_id, BufferedInputFile(pdf, certificate_filename(cert)), caption=caption or _(
        "🎓 {course}\n{name} · {score} · No. {number}").format(
            course=course_title(cert.course_id), name=cert.holder_name, score=fmt_percent(cert.percent),
            number=cert.number))


async def send_to_head(query: CallbackQuery, session: AsyncSession, user: User, course_id: str, bot: Bot,
                       i18n: I18n, callback_answer: CallbackAnswer) -> None:
    """Queue the PDF for the head in the outbox (sent within seconds, retried through any Bot API failure)."""
    cert = await latest_for_user(session, user.id, course_id)
    if cert is None:
        notify(callback_answer, _("The certificate is issued once the exam is passed."), alert=True)
        return
    me = await bot.me()
    if await queue_for_head(session, cert, user.id, me.username, datetime.now(UTC)) is None:
        notify(callback_answer, _("Your school head has not joined the bot yet. Forward the PDF to them "
                                  "yourself, or ask them to open the bot."), alert=True)
        return
    await session.commit()
    notify(callback_answer, _("📤 On its way to your school head: it arrives within a minute."), alert=True)
