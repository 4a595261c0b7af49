"""/verify CODE and the deep link t.me/<bot>?start=verify_CODE: whose certificate, and is it valid."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.courses import course_title
from bot.formatting import fmt_date, fmt_percent
from bot.keyboards.common import nav_row
from bot.services.certificates import local_date, time_zone_for
from bot.ui import TYPED_TEXT
from domain.certificates import format_verify_code, normalize_verify_code
from storage.repositories.certificates import find_by_code

router = Router(name=__name__)


class VerifyForm(StatesGroup):
    code = State()


async def answer_verification(message: Message, session: AsyncSession, text: str) -> bool:
    """Answer whose certificate a code is; False when it is no certificate's code."""
    kb = nav_row(InlineKeyboardBuilder()).as_markup()
    code = normalize_verify_code(text)
    if code is None:
        await message.answer(_("That does not look like a certificate code: 8 letters and digits, like ABCD-2345 "
                               "(codes never contain 0, O, 1, I or L). Send it again."), reply_markup=kb)
        return False
    found = await find_by_code(session, code)
    if found is None:
        await message.answer(_("❌ No certificate has the code {code}. Check the code on the certificate.").format(
            code=format_verify_code(code)), reply_markup=kb)
        return False
    cert, school = found
    status = _("✅ Valid") if cert.revoked_at is None else _("⛔ Revoked")
    zone = await time_zone_for(session, cert)  # dated where it was issued, as on the PDF
    await message.answer(
        _("{status}\nCertificate No. {number}\nHolder: {name}\nCourse: {course}\nScore: {score}\n"
          "Issued: {date}\nSchool: {school}\nCode: {code}").format(
            status=status, number=cert.number, name=cert.holder_name, course=course_title(cert.course_id),
            score=fmt_percent(cert.percent), date=fmt_date(local_date(cert.issued_at, zone)),
            school=school.name if school else "—", code=format_verify_code(cert.verify_code)),
        reply_markup=kb,
    )
    return True


@router.message(Command("verify"))
async def verify_command(message: Message, command: CommandObject, session: AsyncSession,
                         state: FSMContext) -> None:
    if not command.args:
        await state.set_state(VerifyForm.code)
        await message.answer(_("Send the code printed on the certificate, for example ABCD-2345."),
                             reply_markup=nav_row(InlineKeyboardBuilder()).as_markup())
        return
    if not await answer_verification(message, session, command.args):
        await state.set_state(VerifyForm.code)  # let them type it again


@router.message(StateFilter(VerifyForm.code), TYPED_TEXT)
async def verify_code_typed(message: Message, session: AsyncSession, state: FSMContext) -> None:
    if await answer_verification(message, session, message.text or ""):
        await state.set_state(None)
