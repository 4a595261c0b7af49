"""/help: what the user's role can do."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.formatting import fmt_minutes, fmt_percent
from bot.keyboards.common import MenuCB, nav_row
from bot.services.roles import current_role
from bot.ui import show
from domain.roles import Role
from storage.models import User

router = Router(name=__name__)


def help_text(role: Role | None, settings: Settings) -> str:
    """`settings`: the exam's length and pass mark are named as configured (EXAM_MINUTES, EXAM_PASS_PERCENT)."""
    common = _("/menu – main menu\n/reminders – what to remind you of, and when\n/language – change language\n"
               "/verify CODE – check a certificate\n/help – this help")
    parts = {
        None: _("Choose your role with /start: teacher, class teacher, parent or school administration."),
        Role.TEACHER: _("As a teacher you can:\n/journal – attendance, grades, topic and homework of your lessons\n"
                        "/course – study the course lesson by lesson\n"
                        "/exam – take the final exam ({duration}, pass above {pass_mark})\n"
                        "/certificate – get your certificate and send it to the school head").format(
            duration=fmt_minutes(settings.exam_minutes), pass_mark=fmt_percent(settings.exam_pass_percent)),
        Role.CLASS_TEACHER: _("As a class teacher you can:\n/journal – attendance, grades, topic and homework of "
                              "your lessons\n/class – your class at a glance\n/codes – issue, list and revoke "
                              "parents' invite codes\n/course, /exam, /certificate – the course, the final exam and "
                              "your certificate"),
        Role.PARENT: _("As a parent you can:\n/children – your children's grades, attendance and homework\n"
                       "Add another child with the code from their class teacher."),
        Role.ADMIN: _("As school administration you can:\n/reports – certification, journal quality, the "
                      "decree 263 score and term sheets, as text, PDF and XLSX\n/codes – parents' invite codes\n"
                      "You receive the certificates your teachers send, and can take the course and exam."),
        Role.SUPERVISOR: _("As a district or regional methodist you can:\n/reports – course and certification "
                           "progress of the schools in your area, side by side, as text, PDF, XLSX and a chart"),
    }
    return parts[role] + "\n\n" + common


@router.message(Command("help"))
async def help_command(message: Message, session: AsyncSession, user: User, settings: Settings) -> None:
    kb = nav_row(InlineKeyboardBuilder())
    await message.answer(help_text(await current_role(session, user), settings), reply_markup=kb.as_markup())


@router.callback_query(MenuCB.filter(F.to == "help"))
async def help_button(query: CallbackQuery, session: AsyncSession, user: User, settings: Settings) -> None:
    kb = nav_row(InlineKeyboardBuilder(), back=MenuCB(to="main").pack())
    await show(query, help_text(await current_role(session, user), settings), kb.as_markup())
