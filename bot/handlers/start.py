"""/start (with deep links), the main menu, /menu and the role switch; and how each way of onboarding ends:
the role's command list, its menu and the Mini App's button."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.handlers.errors import refusal_text
from bot.handlers.verify import answer_verification
from bot.keyboards.common import MenuCB
from bot.screens.onboarding import (
    back_to_roles,
    first_language_screen,
    greeting,
    linked_text,
    menu_screen,
    role_choice_screen,
    role_question,
    role_refused_screen,
)
from bot.services.commands import set_user_commands
from bot.ui import show
from domain.roles import Role
from storage.models import User
from usecases import onboarding
from usecases.clock import Clock
from usecases.onboarding import CodeNotAccepted, MenuView
from usecases.uow import UnitOfWork

#: Screens a role opens, and the roles that may open them (as /help lists them).
ROLE_SCREENS: dict[str, frozenset[Role]] = {
    "course": frozenset({Role.TEACHER}),
    "exam": frozenset({Role.TEACHER}),
    "certificate": frozenset({Role.TEACHER}),
    "journal": frozenset({Role.TEACHER}),
    "class": frozenset({Role.CLASS_TEACHER}),
    "codes": frozenset({Role.CLASS_TEACHER, Role.ADMIN}),
    "children": frozenset({Role.PARENT}),
    "reports": frozenset({Role.ADMIN, Role.SUPERVISOR}),
}


async def show_menu(event: Message | CallbackQuery, user: User, menu: MenuView, webapp_url: str | None = None) -> None:
    """The role's menu (or the choice of roles), and the Mini App's menu button where there is an app."""
    await show(event, *menu_screen(menu))
    if webapp_url and menu.role is not None and event.bot is not None:
        from bot.webapp.menu_button import offer_menu_button

        await offer_menu_button(event.bot, user.id, menu.role, user.language, webapp_url)


async def enter_menu(event: Message | CallbackQuery, user: User, menu: MenuView, i18n: I18n,
                     webapp_url: str | None) -> None:
    """A role is settled: the user's command list follows it, then the menu."""
    if menu.role is not None and event.bot is not None:
        await set_user_commands(event.bot, i18n, user.id, menu.role, user.language or i18n.current_locale)
    await show_menu(event, user, menu, webapp_url)


async def redeem(message: Message, text: str, uow: UnitOfWork, clock: Clock, user: User, state: FSMContext,
                 i18n: I18n, webapp_url: str | None) -> None:
    """An invite code, typed or from a deep link: linked and in the menu, or told why not (and the way back)."""
    wanted = Role((await state.get_data()).get("role", Role.TEACHER.value))
    try:
        linked = await onboarding.redeem_code(uow, user.id, text, wanted, clock.now())
    except CodeNotAccepted as exc:
        await message.answer(refusal_text(exc), reply_markup=back_to_roles())
        return
    await state.set_state(None)
    await message.answer(linked_text(linked))
    await enter_menu(message, user, linked.menu, i18n, webapp_url)


async def lacks_role(message: Message, uow: UnitOfWork, user: User) -> bool | dict[str, str]:
    """A filter: the command opens a role's screen and the user holds none of the roles it needs."""
    command = (message.text or "").split(maxsplit=1)[0].lstrip("/").split("@", 1)[0].lower()
    needed = ROLE_SCREENS.get(command)
    if needed is None:
        return False
    return False if await onboarding.held_roles(uow, user.id) & needed else {"screen": command}


async def role_screen_refused(message: Message, screen: str) -> None:
    """Say who the screen is for and how to become that, instead of opening an empty or foreign screen."""
    text, markup = role_refused_screen(screen)
    await message.answer(text, reply_markup=markup)


async def start_verify_link(message: Message, command: CommandObject, uow: UnitOfWork) -> None:
    """t.me/<bot>?start=verify_CODE: whose certificate it is."""
    await answer_verification(message, uow, command.args or "")


async def start_invite_link(message: Message, command: CommandObject, uow: UnitOfWork, clock: Clock, user: User,
                            state: FSMContext, i18n: I18n, settings: Settings) -> None:
    """t.me/<bot>?start=invite_CODE: the invite redeemed at once."""
    await redeem(message, command.args or "", uow, clock, user, state, i18n, settings.webapp_url)


async def start(message: Message, uow: UnitOfWork, user: User, state: FSMContext) -> None:
    await state.clear()
    if user.role is not None:
        await show_menu(message, user, await onboarding.main_menu(uow, user.id))
        return
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(greeting(name), reply_markup=ReplyKeyboardRemove())
    for text, markup in (first_language_screen(), role_question()):
        await message.answer(text, reply_markup=markup)


async def menu_command(message: Message, uow: UnitOfWork, user: User, state: FSMContext, settings: Settings) -> None:
    await state.clear()
    await show_menu(message, user, await onboarding.main_menu(uow, user.id), settings.webapp_url)


async def menu_button(query: CallbackQuery, uow: UnitOfWork, user: User, state: FSMContext,
                      settings: Settings) -> None:
    await state.clear()
    await show_menu(query, user, await onboarding.main_menu(uow, user.id), settings.webapp_url)


async def switch_role(query: CallbackQuery, uow: UnitOfWork, user: User) -> None:
    await show(query, *role_choice_screen(await onboarding.role_choices(uow, user.id)))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(role_screen_refused, Command(*ROLE_SCREENS), lacks_role)
    router.message.register(start_verify_link, CommandStart(deep_link=True, magic=F.args.startswith("verify_")))
    router.message.register(start_invite_link, CommandStart(deep_link=True, magic=F.args.startswith("invite_")))
    router.message.register(start, CommandStart())
    router.message.register(menu_command, Command("menu"))
    router.callback_query.register(menu_button, MenuCB.filter(F.to == "main"))
    router.callback_query.register(switch_role, MenuCB.filter(F.to == "role"))
    return router
