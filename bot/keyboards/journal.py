"""Callback data for the journal: a lesson is a timetable slot on a date (date as an ordinal number)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, WebAppInfo
from aiogram.utils.i18n import gettext as _

from domain.grading import MarkKind
from usecases.journal import NotYourLesson


def webapp_page(webapp_url: str, view: str) -> str:
    """The Mini App's page for a view ("grid" for teachers, "child" for parents)."""
    return webapp_url.rstrip("/") + "/?view=" + view


def grid_button(webapp_url: str) -> InlineKeyboardButton:
    """Opens the journal grid as a Telegram Mini App (shown only when WEBAPP_URL is set)."""
    return InlineKeyboardButton(text=_("📋 Grid"), web_app=WebAppInfo(url=webapp_page(webapp_url, "grid")))


class LessonAct(StrEnum):
    """What a journal button does (the values are the packed strings buttons already in chats carry)."""

    open = "open"  # a lesson's sheet, attendance mode
    amode = "amode"  # back to attendance mode
    gmode = "gmode"  # marks mode
    att = "att"  # cycle a pupil's attendance
    save = "save"  # attendance taken
    pick = "pick"  # a pupil's mark picker
    grade = "grade"  # set a mark (v: the mark, 0 clears it; k: its kind)
    pct = "pct"  # type a summative's points over its maximum (k: section or term)
    topic = "topic"  # type the topic (v: 1 to come back in marks mode)
    hw = "hw"  # type the homework (v: as for topic)
    days = "list"  # a day's lessons


class LessonCB(CallbackData, prefix="jl"):
    """A lesson is a timetable slot on a date. t: timetable lesson id; d: date.toordinal(); s: student id;
    v: value; n: lesson version seen; k: a mark's kind."""

    a: LessonAct
    t: int = 0
    d: int = 0
    s: int = 0
    v: int = 0
    n: int = 0
    k: MarkKind | None = None

    @classmethod
    def unpack(cls, value: str) -> LessonCB:
        if value.count(cls.__separator__) == len(cls.model_fields) - 1:  # sent before `k` was added
            value += cls.__separator__
        return super().unpack(value)

    def lesson_day(self) -> date:
        return lesson_day(self.d)

    def listed_day(self) -> date | None:
        """The day a day screen's button names; None (the school's today) for a forged one."""
        try:
            return date.fromordinal(self.d)
        except (ValueError, OverflowError):
            return None


def lesson_day(ordinal: int) -> date:
    """The date a button or a form carries; a forged one is refused as "not your lesson"."""
    try:
        return date.fromordinal(ordinal)
    except (ValueError, OverflowError) as exc:
        raise NotYourLesson("bad date") from exc
