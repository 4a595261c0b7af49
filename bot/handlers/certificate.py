"""The certificate in the chat: confirm the name once, get the PDF (again at any time), send it to the school
head. One handler per button, each calling one use case (usecases/certificate.py) and showing one screen
(bot/screens/certificate.py); refusals are raised by the use case and shown by the error handler."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.handlers.errors import refusal_text
from bot.keyboards.common import MenuCB
from bot.keyboards.learning import CertAct, CertCB
from bot.screens.certificate import (
    certificate_filename,
    certificate_pdf,
    certificate_screen,
    holder_caption,
    menu_only,
)
from bot.ui import TYPED_TEXT, chat_id_of, notify, show
from content.catalogue import MAIN_COURSE
from storage.models import User
from usecases import certificate
from usecases.certificate import AskName, CertificatePrint, CertificateView
from usecases.clock import Clock
from usecases.uow import UnitOfWork


class CertName(StatesGroup):
    waiting = State()


async def show_certificate(event: Message | CallbackQuery, view: CertificateView, state: FSMContext) -> None:
    """One certificate screen; the one asking for the name also waits for the typed answer."""
    if isinstance(view, AskName):
        await state.set_state(CertName.waiting)
        await state.update_data(course_id=view.course_id)
    await show(event, *certificate_screen(view))


async def send_pdf(bot: Bot, chat_id: int, doc: CertificatePrint) -> None:
    await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    me = await bot.me()
    pdf = certificate_pdf(doc, me.username)
    await bot.send_document(chat_id, BufferedInputFile(pdf, certificate_filename(doc.number)),
                            caption=holder_caption(doc))


async def cert_entry(event: Message | CallbackQuery, uow: UnitOfWork, user: User, state: FSMContext) -> None:
    await show_certificate(event, await certificate.certificate_home(uow, user.id, MAIN_COURSE), state)


async def cert_home(query: CallbackQuery, callback_data: CertCB, uow: UnitOfWork, user: User,
                    state: FSMContext) -> None:
    await show_certificate(query, await certificate.certificate_home(uow, user.id, callback_data.k), state)


async def cert_name(query: CallbackQuery, callback_data: CertCB, uow: UnitOfWork, user: User,
                    state: FSMContext) -> None:
    await show_certificate(query, await certificate.change_name(uow, user.id, callback_data.k), state)


async def name_typed(message: Message, uow: UnitOfWork, user: User, state: FSMContext) -> None:
    course_id = (await state.get_data()).get("course_id")
    try:
        view = await certificate.save_holder_name(uow, user.id, message.text or "", course_id)
    except certificate.BadHolderName as exc:  # asked again, still waiting, with the way out to the menu
        await message.answer(refusal_text(exc), reply_markup=menu_only())
        return
    await state.set_state(None)
    await show_certificate(message, view, state)


async def cert_confirm(query: CallbackQuery, callback_data: CertCB, uow: UnitOfWork, user: User, bot: Bot,
                       settings: Settings, clock: Clock, callback_answer: CallbackAnswer) -> None:
    issued = await certificate.issue_certificate(uow, user.id, callback_data.k, settings.certificate_issuer,
                                                 clock.now())
    notify(callback_answer, _("🎓 Your certificate is ready."))
    if issued.created:
        await send_pdf(bot, chat_id_of(query), issued.document)
    # The pressed "Is your name right?" message becomes the certificate's screen (PDF and send-to-head
    # buttons): no confirm button stays clickable above the certificate.
    await show(query, *certificate_screen(issued.home))


async def cert_pdf(query: CallbackQuery, callback_data: CertCB, uow: UnitOfWork, user: User, bot: Bot) -> None:
    await send_pdf(bot, chat_id_of(query), await certificate.printable(uow, user.id, callback_data.k))


async def cert_send(query: CallbackQuery, callback_data: CertCB, uow: UnitOfWork, user: User, bot: Bot,
                    clock: Clock, callback_answer: CallbackAnswer) -> None:
    """Queued for the head in the outbox (sent within seconds, retried through any Bot API failure)."""
    me = await bot.me()
    await certificate.send_to_head(uow, user.id, callback_data.k, me.username, clock.now())
    notify(callback_answer, _("📤 On its way to your school head: it arrives within a minute."), alert=True)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cert_entry, Command("certificate"))
    router.callback_query.register(cert_entry, MenuCB.filter(F.to == "cert"))
    router.message.register(name_typed, StateFilter(CertName.waiting), TYPED_TEXT)
    router.callback_query.register(cert_home, CertCB.filter(F.a == CertAct.home))
    router.callback_query.register(cert_name, CertCB.filter(F.a == CertAct.name))
    router.callback_query.register(cert_confirm, CertCB.filter(F.a == CertAct.confirm))
    router.callback_query.register(cert_pdf, CertCB.filter(F.a == CertAct.pdf))
    router.callback_query.register(cert_send, CertCB.filter(F.a == CertAct.send))
    return router
