"""Callback data for the administration's reports. Ids and small codes only (< 64 bytes packed); every
id is checked against the user's own school or area when pressed."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class View(StrEnum):
    """A school's report screens."""

    home = "home"
    cert = "cert"  # course and certification
    journal = "jq"  # journal quality
    decree = "dec"  # decree 263, Uzbek schools only
    classes = "cls"  # the class list, to choose a term sheet
    sheet = "sheet"
    parents = "par"  # parents in the bot


#: The screens whose report also comes as a file.
FILE_VIEWS = (View.cert, View.journal, View.decree, View.sheet, View.parents)


class Fmt(StrEnum):
    """In chat, or as a file."""

    chat = ""
    pdf = "pdf"
    xlsx = "xlsx"
    png = "png"


class ReportCB(CallbackData, prefix="rp"):
    """A school's reports. v: the screen; s: school id; c: class id; t: term id (0 = the current term);
    f: in chat or a file's format; p: page of the class list."""

    v: View
    s: int
    c: int = 0
    t: int = 0
    f: Fmt = Fmt.chat
    p: int = 0


class AreaCB(CallbackData, prefix="ra"):
    """A supervisor's area. a: supervisor row id; l: 0 = the whole area, 1 = the region of school s,
    2 = the district of school s; f: in chat or a file's format."""

    a: int
    l: int = 0  # noqa: E741 - short on purpose: callback data is limited to 64 bytes
    s: int = 0
    f: Fmt = Fmt.chat
