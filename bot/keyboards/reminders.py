"""Callback data of the reminder settings (also on the reminders themselves: "settings", "no more of these")."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class RemindAct(StrEnum):
    home = "home"
    kind = "kind"  # one kind's screen
    see = "see"  # the same, as a new message under a reminder
    toggle = "toggle"
    off = "off"  # "no more of these", from a reminder
    hour = "hour"  # v = the hour
    day = "day"  # v = the weekday, 0..6


class RemindCB(CallbackData, prefix="rm"):
    """a: the action; k: the kind (domain.reminders.KINDS); v: an hour or a weekday."""

    a: RemindAct
    k: str = ""
    v: int = 0
