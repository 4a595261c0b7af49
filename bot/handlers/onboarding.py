"""Onboarding by role: invite codes, a shared phone number matched to the roster, or a school list."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.handlers.school_approval import ask_heads
from bot.handlers.start import enter_menu, redeem
from bot.keyboards.common import MenuCB, RoleCB, SchoolPickCB
from bot.screens.onboarding import (
    ask_code_screen,
    head_asked_text,
    link_options,
    phone_keyboard,
    phone_prompt,
    phone_text,
    picked_text,
    schools_screen,
)
from bot.ui import TYPED_TEXT, notify, show
from domain.roles import Role
from storage.models import User
from usecases import onboarding
from usecases.clock import Clock
from usecases.uow import UnitOfWork

SCHOOLS_PER_PAGE = 8


class Onboarding(StatesGroup):
    code = State()


async def role_chosen(query: CallbackQuery, callback_data: RoleCB, uow: UnitOfWork, user: User, state: FSMContext,
                      i18n: I18n, settings: Settings) -> None:
    """A role the user holds becomes theirs; any other asks how to link them to it."""
    choice = await onboarding.choose_role(uow, user.id, callback_data.role)
    if choice.menu is not None:
        await enter_menu(query, user, choice.menu, i18n, settings.webapp_url)
        return
    await state.update_data(role=choice.role.value, back="role")
    await show(query, *link_options(choice.role))


async def add_child(query: CallbackQuery, callback_data: MenuCB, state: FSMContext) -> None:
    # Back goes where the parent came from ("addkid": the children list; "addchild": the menu), never to the
    # choice of roles they do not hold.
    back = "kids" if callback_data.to == "addkid" else "main"
    await state.update_data(role=Role.PARENT.value, back=back)
    await show(query, *link_options(Role.PARENT, back=back))


async def ask_code(query: CallbackQuery, state: FSMContext) -> None:
    back = (await state.get_data()).get("back", "role")
    await state.set_state(Onboarding.code)
    await show(query, *ask_code_screen(back))


async def code_entered(message: Message, uow: UnitOfWork, clock: Clock, user: User, state: FSMContext, i18n: I18n,
                       settings: Settings) -> None:
    await redeem(message, message.text or "", uow, clock, user, state, i18n, settings.webapp_url)


async def ask_phone(query: CallbackQuery) -> None:
    await query.bot.send_message(query.from_user.id, phone_prompt(), reply_markup=phone_keyboard())


async def contact_shared(message: Message, uow: UnitOfWork, clock: Clock, user: User, state: FSMContext,
                         i18n: I18n, settings: Settings) -> None:
    """The user's own number links what their school listed with it; else the other ways to link."""
    asked, contact = (await state.get_data()).get("role"), message.contact
    shared = await onboarding.share_phone(uow, user.id, contact.user_id, contact.phone_number,
                                          Role(asked or Role.TEACHER.value), clock.now())
    await message.answer(phone_text(shared.link), reply_markup=ReplyKeyboardRemove())
    if shared.menu is not None:
        await enter_menu(message, user, shared.menu, i18n, settings.webapp_url)
    elif shared.link is not onboarding.PhoneLink.FOREIGN:
        text, markup = link_options(Role(asked or Role.PARENT.value))
        await message.answer(text, reply_markup=markup)


async def school_list(query: CallbackQuery, callback_data: SchoolPickCB, uow: UnitOfWork) -> None:
    await show(query, *schools_screen(await onboarding.schools_page(uow, callback_data.page, SCHOOLS_PER_PAGE)))


async def school_picked(query: CallbackQuery, callback_data: SchoolPickCB, uow: UnitOfWork, user: User,
                        i18n: I18n, callback_answer: CallbackAnswer, settings: Settings) -> None:
    """A teacher of the school at once; its head is asked to confirm it (the certificate names it only then)."""
    picked = await onboarding.pick_school(uow, user.id, callback_data.school_id)
    notify(callback_answer, picked_text(picked.school))
    await enter_menu(query, user, picked.menu, i18n, settings.webapp_url)
    if not picked.confirmed:
        asked = await ask_heads(query.bot, i18n, picked, settings.default_language)
        await query.bot.send_message(query.from_user.id, head_asked_text(picked.school, asked))


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(role_chosen, RoleCB.filter())
    router.callback_query.register(add_child, MenuCB.filter(F.to.in_({"addchild", "addkid"})))
    router.callback_query.register(ask_code, MenuCB.filter(F.to == "code"))
    router.message.register(code_entered, StateFilter(Onboarding.code), TYPED_TEXT)
    router.callback_query.register(ask_phone, MenuCB.filter(F.to == "phone"))
    router.message.register(contact_shared, F.contact)
    router.callback_query.register(school_list, SchoolPickCB.filter(F.school_id == 0))
    router.callback_query.register(school_picked, SchoolPickCB.filter(F.school_id != 0))
    return router
