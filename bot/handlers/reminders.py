"""/reminders and "🔔 Reminders": each user's reminders on or off, at which school-local hour (and, for the
parents' weekly summary, which weekday). Buttons only: nothing to type."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import get_day_names
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.formatting import babel_locale, summative_names
from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.reminders import RemindCB
from bot.services.reminders import quiet_window
from bot.services.roles import available_roles
from bot.ui import notify, show
from domain.reminders import KINDS, EffectivePref, effective, kinds_for, summary_weekday
from storage.models import ParentLink, School, Staff, Student, User
from storage.repositories import reminders as repo

router = Router(name=__name__)


def kind_title(kind: str, country: str = "UZ") -> str:
    section, term = summative_names(country)
    return {
        "lessons": _("Lessons not filled in"),
        "class_daily": _("My class: daily digest"),
        "class_weekly": _("My class: weekly digest"),
        "deadlines": _("{section}, {term} and the term's end").format(section=section, term=term),
        "data_check": _("My class: pupils' and parents' data, each term"),
        "head_summary": _("Journal filling summary"),
        "course": _("Course and exam nudges"),
        "parent_weekly": _("Weekly summary of my child"),
        "parent_alerts": _("Low grades and absences, at once"),
    }[kind]


def kind_help(kind: str, country: str = "UZ") -> str:
    section, term = summative_names(country)
    return {
        "lessons": _("After your lessons: the day's lessons without attendance or grades, with a button to each."),
        "class_daily": _("Your class's lessons left unfilled that day, by subject and teacher."),
        "class_weekly": _("The same for the whole week, on its last school day."),
        "deadlines": _("{section} and {term} a few days before, on the day and when overdue; a week before the "
                       "term ends, the students who have too few grades.").format(section=section, term=term),
        "data_check": _("Once a term: a reminder to check your pupils' names and their parents' phone numbers."),
        "head_summary": _("On the 1st and the 15th: how completely the school's journal is filled."),
        "course": _("At most once a week, until you pass the course exam."),
        "parent_weekly": _("Grades and attendance of the week, on the day and hour you choose."),
        "parent_alerts": _("A low grade or an absence, as soon as the teacher enters it."),
    }[kind]


def weekday_name(day: int) -> str:
    return str(get_day_names("abbreviated", locale=babel_locale())[day])


def when_text(pref: EffectivePref) -> str:
    if not pref.enabled:
        return _("off")
    if pref.hour is None:
        return _("on")
    hour = f"{pref.hour:02d}:00"
    return f"{weekday_name(pref.weekday)} {hour}" if pref.weekday is not None else hour


async def _kinds(session: AsyncSession, user: User) -> list[str]:
    roles, _membership = await available_roles(session, user)
    return kinds_for(roles)


async def _summary_day(session: AsyncSession, user: User) -> int | None:
    """The default day of a parent's weekly summary: their children's lowest school id's (see planning)."""
    school_id = await session.scalar(select(func.min(Student.school_id)).join(
        ParentLink, ParentLink.student_id == Student.id).where(ParentLink.user_id == user.id))
    return summary_weekday(school_id) if school_id is not None else None


async def _country(session: AsyncSession, user: User) -> str:
    """The country of the user's school (staff record first, else the school they picked): summatives are
    named as that country names them, whatever the interface language."""
    school_id = await session.scalar(select(Staff.school_id).where(Staff.user_id == user.id).order_by(Staff.id)
                                     .limit(1)) or user.school_id
    country = await session.scalar(select(School.country).where(School.id == school_id)) if school_id else None
    return country or "UZ"


async def home_screen(event: Message | CallbackQuery, session: AsyncSession, user: User, settings: Settings) -> None:
    kinds = await _kinds(session, user)
    kb = InlineKeyboardBuilder()
    if not kinds:
        await show(event, _("Reminders start once you are linked to a school or a child. Open the /menu."),
                   nav_row(kb).as_markup())
        return
    prefs = await repo.user_prefs(session, user.id)
    country, weekday = await _country(session, user), await _summary_day(session, user)
    for kind in kinds:
        pref = effective(kind, prefs.get(kind), weekday)
        mark = "✅" if pref.enabled else "🔕"
        kb.button(text=f"{mark} {kind_title(kind, country)} · {when_text(pref)}",
                  callback_data=RemindCB(a="kind", k=kind))
    kb.adjust(1)
    quiet = quiet_window(settings)
    text = _("🔔 Reminders, in your school's time. Nothing is sent from {start}:00 to {end}:00.\n"
             "Tap one to change it:").format(start=f"{quiet.start:02d}", end=f"{quiet.end:02d}")
    await show(event, text, nav_row(kb, MenuCB(to="main").pack()).as_markup())


async def kind_screen(session: AsyncSession, user: User, kind: str, settings: Settings
                      ) -> tuple[str, InlineKeyboardMarkup]:
    pref = effective(kind, (await repo.user_prefs(session, user.id)).get(kind), await _summary_day(session, user))
    spec = KINDS[kind]
    kb = InlineKeyboardBuilder()
    kb.button(text=_("🔕 Switch off") if pref.enabled else _("🔔 Switch on"),
              callback_data=RemindCB(a="toggle", k=kind))
    rows = [1]
    if pref.enabled and spec.weekday is not None:
        for day in range(7):
            label = weekday_name(day)
            kb.button(text=f"• {label}" if day == pref.weekday else label,
                      callback_data=RemindCB(a="day", k=kind, v=day))
        rows += [4, 3]
    if pref.enabled and spec.hour is not None:
        hours = quiet_window(settings).allowed_hours()
        for hour in hours:
            label = f"{hour:02d}:00"
            kb.button(text=f"• {label}" if hour == pref.hour else label,
                      callback_data=RemindCB(a="hour", k=kind, v=hour))
        rows += [4] * ((len(hours) + 3) // 4)
    kb.adjust(*rows)
    status = ("✅ " if pref.enabled else "🔕 ") + when_text(pref)
    country = await _country(session, user)
    text = f"🔔 {kind_title(kind, country)}\n{kind_help(kind, country)}\n\n{status}"
    if pref.enabled and spec.hour is not None:
        text += "\n" + (_("Choose the day and the hour:") if spec.weekday is not None else _("Choose the hour:"))
    return text, nav_row(kb, RemindCB(a="home").pack()).as_markup()


@router.message(Command("reminders"))
async def reminders_command(message: Message, session: AsyncSession, user: User, settings: Settings) -> None:
    await home_screen(message, session, user, settings)


@router.callback_query(MenuCB.filter(F.to == "remind"))
async def reminders_button(query: CallbackQuery, session: AsyncSession, user: User, settings: Settings) -> None:
    await home_screen(query, session, user, settings)


@router.callback_query(RemindCB.filter())
async def reminder_setting(query: CallbackQuery, callback_data: RemindCB, session: AsyncSession, user: User,
                           settings: Settings, callback_answer: CallbackAnswer) -> None:
    action, kind, value = callback_data.a, callback_data.k, callback_data.v
    if action == "home":
        await home_screen(query, session, user, settings)
        return
    spec = KINDS.get(kind)
    if spec is None or kind not in await _kinds(session, user):
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
        return
    pref = effective(kind, (await repo.user_prefs(session, user.id)).get(kind))
    if action == "toggle":
        await repo.save_pref(session, user.id, kind, enabled=not pref.enabled)
        notify(callback_answer, _("Switched on.") if not pref.enabled else _("Switched off."))
    elif action == "off":
        # From a reminder itself: the reminder stays as it is; the answer is a toast.
        await repo.save_pref(session, user.id, kind, enabled=False)
        notify(callback_answer, _("Done: no more of these. Turn them back on in /reminders."), alert=True)
        return
    elif action == "hour" and spec.hour is not None and value in quiet_window(settings).allowed_hours():
        await repo.save_pref(session, user.id, kind, hour=value)
        notify(callback_answer, _("Saved: {hour}:00.").format(hour=f"{value:02d}"))
    elif action == "day" and spec.weekday is not None and 0 <= value <= 6:
        await repo.save_pref(session, user.id, kind, weekday=value)
        notify(callback_answer, _("Saved: {day}.").format(day=weekday_name(value)))
    elif action not in ("kind", "see"):
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
        return
    await session.commit()
    text, markup = await kind_screen(session, user, kind, settings)
    if action == "see":
        # Pressed on a reminder: the reminder stays, the settings open below it.
        await query.bot.send_message(query.from_user.id, text, reply_markup=markup)
        return
    await show(query, text, markup)
