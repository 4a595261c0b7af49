"""Callback data shared by all screens, and the Back / Menu row every screen ends with."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder


class MenuCB(CallbackData, prefix="m"):
    """Top-level screens. `to` names the screen."""

    to: str


class LangCB(CallbackData, prefix="lang"):
    code: str


class RoleCB(CallbackData, prefix="role"):
    role: str


class SchoolPickCB(CallbackData, prefix="sch"):
    """`school_id` 0: a page of the school list; else the school picked."""

    school_id: int = 0
    page: int = 0


class JoinAct(StrEnum):
    ok = "ok"  # the head confirms the teacher
    no = "no"  # the head declines


class JoinCB(CallbackData, prefix="join"):
    """A head's answer to a teacher who picked their school; ids only."""

    a: JoinAct
    u: int  # the teacher
    s: int  # the school


def menu_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("🏠 Menu"), callback_data=MenuCB(to="main").pack())


def back_button(callback_data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("⬅️ Back"), callback_data=callback_data)


def nav_row(builder: InlineKeyboardBuilder, back: str | None = None) -> InlineKeyboardBuilder:
    """Append the Back (if any) and Menu buttons as the last row."""
    row = [back_button(back)] if back else []
    row.append(menu_button())
    builder.row(*row)
    return builder
