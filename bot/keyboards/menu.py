"""Main menu per role, the language switch and the role choice."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import LANGUAGE_NAMES
from bot.keyboards.common import LangCB, MenuCB, RoleCB, nav_row
from domain.roles import Role


def role_title(role: Role) -> str:
    return {
        Role.TEACHER: _("👩‍🏫 Teacher"),
        Role.CLASS_TEACHER: _("🧑‍🏫 Class teacher"),
        Role.PARENT: _("👪 Parent"),
        Role.ADMIN: _("🏫 School administration"),
        Role.SUPERVISOR: _("🗺 District or regional methodist"),
    }[role]


def main_menu(role: Role, *, other_roles: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if role in (Role.TEACHER, Role.CLASS_TEACHER):
        kb.button(text=_("📒 Journal"), callback_data=MenuCB(to="journal"))
    if role is Role.CLASS_TEACHER:
        kb.button(text=_("🏫 My class"), callback_data=MenuCB(to="class"))
    if role in (Role.TEACHER, Role.CLASS_TEACHER, Role.ADMIN):
        kb.button(text=_("📚 Course"), callback_data=MenuCB(to="course"))
        kb.button(text=_("📝 Exam"), callback_data=MenuCB(to="exam"))
        kb.button(text=_("🎓 Certificate"), callback_data=MenuCB(to="cert"))
    if role in (Role.CLASS_TEACHER, Role.ADMIN):
        kb.button(text=_("🔑 Parent codes"), callback_data=MenuCB(to="codes"))
    if role in (Role.ADMIN, Role.SUPERVISOR):
        kb.button(text=_("📊 Reports"), callback_data=MenuCB(to="reports"))
    if role is Role.PARENT:
        kb.button(text=_("👧 My children"), callback_data=MenuCB(to="kids"))
        kb.button(text=_("➕ Add a child"), callback_data=MenuCB(to="addchild"))
    kb.button(text=_("🔔 Reminders"), callback_data=MenuCB(to="remind"))
    kb.button(text=_("🌐 Language"), callback_data=MenuCB(to="lang"))
    kb.button(text=_("❓ Help"), callback_data=MenuCB(to="help"))
    if other_roles:
        kb.button(text=_("🔄 Switch role"), callback_data=MenuCB(to="role"))
    kb.adjust(2)
    return kb.as_markup()


def language_keyboard(back: str | None = None) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        kb.button(text=name, callback_data=LangCB(code=code))
    kb.adjust(2)
    if back:
        nav_row(kb, back)
    return kb.as_markup()


def role_keyboard(roles: list[Role], *, with_menu: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for role in roles:
        kb.button(text=role_title(role), callback_data=RoleCB(role=role.value))
    kb.adjust(1)
    if with_menu:
        nav_row(kb)
    return kb.as_markup()
