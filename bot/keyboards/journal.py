"""Callback data for the journal: a lesson is a timetable slot on a date (date as an ordinal number)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, WebAppInfo
from aiogram.utils.i18n import gettext as _


def webapp_page(webapp_url: str, view: str) -> str:
    """The Mini App's page for a view ("grid" for teachers, "child" for parents)."""
    return webapp_url.rstrip("/") + "/?view=" + view


def grid_button(webapp_url: str) -> InlineKeyboardButton:
    """Opens the journal grid as a Telegram Mini App (shown only when WEBAPP_URL is set)."""
    return InlineKeyboardButton(text=_("📋 Grid"), web_app=WebAppInfo(url=webapp_page(webapp_url, "grid")))


class LessonCB(CallbackData, prefix="jl"):
    """a: open, att (cycle a student's attendance), grade (set), pct (type a summative's points over its maximum,
    v: 1 section, 2 term), gmode, amode, save, topic, hw, list; t: timetable lesson id; d: date.toordinal();
    s: student id; v: value; n: lesson version seen."""

    a: str
    t: int = 0
    d: int = 0
    s: int = 0
    v: int = 0
    n: int = 0
