"""Callback data of the parents' screens about one child."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class ChildAct(StrEnum):
    card = "card"
    week = "week"
    attendance = "att"
    terms = "terms"
    homework = "hw"
    chart = "chart"


class ChildCB(CallbackData, prefix="ch"):
    """a: which screen; s: the student; w: week offset (0 this week, -1 the one before...)."""

    a: ChildAct
    s: int
    w: int = 0
