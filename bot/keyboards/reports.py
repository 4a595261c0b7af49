"""Callback data for the administration's reports. Ids and small codes only (< 64 bytes packed); every
id is checked against the user's own school or area when pressed."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ReportCB(CallbackData, prefix="rp"):
    """A school's reports. v: home, cert, jq (journal quality), dec (decree 263, Uzbek schools only), cls (class
    list), sheet, par (parents in the bot);
    s: school id; c: class id; t: term id (0 = the current term); f: "" (in chat), pdf, xlsx, png;
    p: page of the class list."""

    v: str
    s: int
    c: int = 0
    t: int = 0
    f: str = ""
    p: int = 0


class AreaCB(CallbackData, prefix="ra"):
    """A supervisor's area. a: supervisor row id; l: 0 = the whole area, 1 = the region of school s,
    2 = the district of school s; f: "" (in chat), pdf, xlsx, png."""

    a: int
    l: int = 0  # noqa: E741 - short on purpose: callback data is limited to 64 bytes
    s: int = 0
    f: str = ""
