"""Callback data of the reminder settings (also on the reminders themselves: "settings", "no more of these")."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class RemindCB(CallbackData, prefix="rm"):
    """a: home, kind (one kind's screen), see (the same, as a new message under a reminder), toggle, off (from a
    reminder), hour (v = hour), day (v = weekday 0..6); k: kind."""

    a: str
    k: str = ""
    v: int = 0
