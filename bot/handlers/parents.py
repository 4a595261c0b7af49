"""Parents: their children's week, term attendance, term grades, homework and a chart — only their own."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from aiogram import F, Router
from aiogram.enums import ChatAction
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.journal import ChildCB
from bot.services import parent_views
from bot.services.clock import school_today
from bot.ui import notify, show
from domain.journal import summarize_week, week_start
from storage.models import User
from storage.repositories import journal
from storage.repositories.schools import children_of

router = Router(name=__name__)
log = logging.getLogger(__name__)


async def children_screen(event: Message | CallbackQuery, session: AsyncSession, user: User) -> None:
    children = await children_of(session, user.id)
    kb = InlineKeyboardBuilder()
    if not children:
        kb.button(text=_("➕ Add a child"), callback_data=MenuCB(to="addkid"))  # Back: here
        await show(event, _("No children are linked to you yet. Ask the class teacher for a code."),
                   nav_row(kb).as_markup())
        return
    if len(children) == 1 and isinstance(event, Message):
        await child_card(event, session, children[0][0].id)
        return
    for student, klass in children:
        kb.button(text=f"{student.full_name} · {klass.name}", callback_data=ChildCB(a="card", s=student.id))
    kb.button(text=_("➕ Add a child"), callback_data=MenuCB(to="addkid"))  # Back: here
    kb.adjust(1)
    await show(event, _("Your children:"), nav_row(kb).as_markup())


async def child_card(event: Message | CallbackQuery, session: AsyncSession, student_id: int,
                     child: parent_views.Child | None = None) -> None:
    student, klass, school = await parent_views.load_child(session, student_id, child)
    kb = InlineKeyboardBuilder()
    kb.button(text=_("📅 This week"), callback_data=ChildCB(a="week", s=student_id))
    kb.button(text=_("🚫 Attendance"), callback_data=ChildCB(a="att", s=student_id))
    kb.button(text=_("📊 Term grades"), callback_data=ChildCB(a="terms", s=student_id))
    kb.button(text=_("📝 Homework"), callback_data=ChildCB(a="hw", s=student_id))
    kb.button(text=_("📈 Grades chart"), callback_data=ChildCB(a="chart", s=student_id))
    kb.adjust(2)
    await show(event, f"{student.full_name}\n{klass.name} · {school.name}",
               nav_row(kb, MenuCB(to="kids").pack()).as_markup())


@router.message(Command("children"))
@router.callback_query(MenuCB.filter(F.to == "kids"))
async def children_entry(event: Message | CallbackQuery, session: AsyncSession, user: User) -> None:
    await children_screen(event, session, user)


@router.callback_query(ChildCB.filter())
async def child_action(query: CallbackQuery, callback_data: ChildCB, session: AsyncSession, user: User,
                       callback_answer: CallbackAnswer) -> None:
    found = await journal.own_child(session, user.id, callback_data.s)  # the link check and the rows at once
    if found is None:
        log.warning("user %s asked for student %s who is not their child", user.id, callback_data.s)
        notify(callback_answer, _("You can only see your own children."), alert=True)
        return
    student_id = callback_data.s
    today = school_today(found[2].timezone)
    back = ChildCB(a="card", s=student_id).pack()
    kb = InlineKeyboardBuilder()
    if callback_data.a == "card":
        await child_card(query, session, student_id, found)
        return
    if callback_data.a == "week":
        offset = max(min(callback_data.w, 0), -52)
        start = week_start(today) + timedelta(weeks=offset)
        text = await parent_views.week_summary_text(session, student_id, start, found)
        row = [InlineKeyboardButton(text=_("◀️ Previous week"),
                                    callback_data=ChildCB(a="week", s=student_id, w=offset - 1).pack())]
        if offset < 0:
            row.append(InlineKeyboardButton(text=_("Next week ▶️"),
                                            callback_data=ChildCB(a="week", s=student_id, w=offset + 1).pack()))
        kb.row(*row)
    elif callback_data.a == "att":
        text = await parent_views.attendance_text(session, student_id, today, found)
    elif callback_data.a == "terms":
        text = await parent_views.term_grades_text(session, student_id, today, found)
    elif callback_data.a == "hw":
        text = await parent_views.homework_text(session, student_id, today, found)
    elif callback_data.a == "chart":
        await send_week_chart(query, session, found, week_start(today))
        return
    else:
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
        return
    await show(query, text, nav_row(kb, back).as_markup())


async def send_week_chart(query: CallbackQuery, session: AsyncSession, child: parent_views.Child,
                          start: date) -> None:
    await query.bot.send_chat_action(query.from_user.id, ChatAction.UPLOAD_PHOTO)
    student, klass, school = child
    # Four weeks read better than one: a week often has one or two grades per subject.
    rows = await journal.child_marks(session, student.id, start - timedelta(weeks=3), start + timedelta(days=6))
    summary = summarize_week(rows, school.country)
    png = parent_views.week_chart(student.full_name, summary, school.country)
    caption = parent_views.chart_caption(student.full_name, klass.name, summary, school.country)
    kb = nav_row(InlineKeyboardBuilder(), ChildCB(a="card", s=student.id).pack())
    await query.bot.send_photo(query.from_user.id, BufferedInputFile(png, "chart.png"), caption=caption,
                               reply_markup=kb.as_markup())
