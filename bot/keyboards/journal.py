"""Callback data for the journal: a lesson is a timetable slot on a date (date as an ordinal number)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LessonCB(CallbackData, prefix="jl"):
    """a: open, att (cycle a student's attendance), grade (set), gmode, amode, save, topic, hw, list;
    t: timetable lesson id; d: date.toordinal(); s: student id; v: value; n: lesson version seen."""

    a: str
    t: int = 0
    d: int = 0
    s: int = 0
    v: int = 0
    n: int = 0


class ChildCB(CallbackData, prefix="ch"):
    """A parent's screens about one child. a: card, week, att, terms, hw, chart; w: week offset."""

    a: str
    s: int
    w: int = 0
