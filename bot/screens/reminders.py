"""The reminder settings' screens: every kind with its state, one kind's switch, days and hours, and the toasts
that confirm a change. Pure: a view model from usecases.reminders in, text and keyboard out."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import get_day_names

from bot.formatting import babel_locale, summative_names
from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.reminders import RemindAct, RemindCB
from domain.reminders import EffectivePref
from usecases.reminders import KindSettings, RemindersHome

Screen = tuple[str, InlineKeyboardMarkup]


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


def home_screen(home: RemindersHome) -> Screen:
    kb = InlineKeyboardBuilder()
    if not home.prefs:
        return (_("Reminders start once you are linked to a school or a child. Open the /menu."),
                nav_row(kb).as_markup())
    for pref in home.prefs:
        mark = "✅" if pref.enabled else "🔕"
        kb.button(text=f"{mark} {kind_title(pref.kind, home.country)} · {when_text(pref)}",
                  callback_data=RemindCB(a=RemindAct.kind, k=pref.kind))
    kb.adjust(1)
    text = _("🔔 Reminders, in your school's time. Nothing is sent from {start}:00 to {end}:00.\n"
             "Tap one to change it:").format(start=f"{home.quiet.start:02d}", end=f"{home.quiet.end:02d}")
    return text, nav_row(kb, MenuCB(to="main").pack()).as_markup()


def kind_screen(view: KindSettings) -> Screen:
    pref, kind = view.pref, view.kind
    kb = InlineKeyboardBuilder()
    kb.button(text=_("🔕 Switch off") if pref.enabled else _("🔔 Switch on"),
              callback_data=RemindCB(a=RemindAct.toggle, k=kind))
    rows = [1]
    if pref.enabled and view.weekly:
        for day in range(7):
            label = weekday_name(day)
            kb.button(text=f"• {label}" if day == pref.weekday else label,
                      callback_data=RemindCB(a=RemindAct.day, k=kind, v=day))
        rows += [4, 3]
    if pref.enabled and view.hours:
        for hour in view.hours:
            label = f"{hour:02d}:00"
            kb.button(text=f"• {label}" if hour == pref.hour else label,
                      callback_data=RemindCB(a=RemindAct.hour, k=kind, v=hour))
        rows += [4] * ((len(view.hours) + 3) // 4)
    kb.adjust(*rows)
    status = ("✅ " if pref.enabled else "🔕 ") + when_text(pref)
    text = f"🔔 {kind_title(kind, view.country)}\n{kind_help(kind, view.country)}\n\n{status}"
    if pref.enabled and view.hours:
        text += "\n" + (_("Choose the day and the hour:") if view.weekly else _("Choose the hour:"))
    return text, nav_row(kb, RemindCB(a=RemindAct.home).pack()).as_markup()


def toggled_toast(view: KindSettings) -> str:
    return _("Switched on.") if view.pref.enabled else _("Switched off.")


def hour_toast(hour: int) -> str:
    return _("Saved: {hour}:00.").format(hour=f"{hour:02d}")


def day_toast(day: int) -> str:
    return _("Saved: {day}.").format(day=weekday_name(day))


def switched_off_alert() -> str:
    return _("Done: no more of these. Turn them back on in /reminders.")
