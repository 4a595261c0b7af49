"""/start (with deep links), the main menu, /menu and the role switch."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.menu import main_menu, role_keyboard
from bot.services.roles import available_roles, pick_role
from bot.ui import show
from domain.roles import Role
from storage.models import User

router = Router(name=__name__)

ROLE_ORDER = [Role.TEACHER, Role.CLASS_TEACHER, Role.PARENT, Role.ADMIN]

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


def menu_title(role: Role, user: User) -> str:
    titles = {
        Role.TEACHER: _("Teacher's menu."),
        Role.CLASS_TEACHER: _("Class teacher's menu."),
        Role.PARENT: _("Parent's menu."),
        Role.ADMIN: _("School administration menu."),
        Role.SUPERVISOR: _("Methodist's menu."),
    }
    return _("🏠 {title} Choose what to do:").format(title=titles[role])


async def show_main_menu(event: Message | CallbackQuery, session: AsyncSession, user: User,
                         webapp_url: str | None = None) -> None:
    roles, _m = await available_roles(session, user)
    role = pick_role(user, roles)
    if role is None:
        await show(event, _("Who are you? Choose your role:"), role_keyboard(ROLE_ORDER, with_menu=False))
        return
    await show(event, menu_title(role, user), main_menu(role, other_roles=len(roles) > 1))
    if webapp_url and event.bot is not None:
        from bot.webapp.menu_button import offer_menu_button

        await offer_menu_button(event.bot, user.id, role, user.language, webapp_url)


def _who_for(command: str) -> str:
    return {
        "class": _("This is for class teachers."),
        "codes": _("This is for class teachers and the school administration."),
        "children": _("This is for parents."),
        "reports": _("This is for the school administration and methodists."),
    }.get(command, _("This is for teachers."))


async def lacks_role(message: Message, session: AsyncSession, user: User) -> bool | dict[str, str]:
    """A filter: the command opens a role's screen and the user holds none of the roles it needs."""
    command = (message.text or "").split(maxsplit=1)[0].lstrip("/").split("@", 1)[0].lower()
    needed = ROLE_SCREENS.get(command)
    if needed is None:
        return False
    roles, _m = await available_roles(session, user)
    return False if roles & needed else {"screen": command}


@router.message(Command(*ROLE_SCREENS), lacks_role)
async def role_screen_refused(message: Message, screen: str) -> None:
    """Say who the screen is for and how to become that, instead of opening an empty or foreign screen."""
    kb = InlineKeyboardBuilder()
    kb.button(text=_("👤 Choose my role"), callback_data=MenuCB(to="role"))
    await message.answer(_("{who} Choose your role with /start, or with the button below.").format(
        who=_who_for(screen)), reply_markup=nav_row(kb).as_markup())


@router.message(CommandStart(deep_link=True))
async def start_deep_link(message: Message, command: CommandObject, session: AsyncSession, user: User,
                          state: FSMContext, settings: Settings) -> None:
    """Deep links: `verify_CODE` checks a certificate, `invite_CODE` redeems an invite."""
    from bot.handlers.onboarding import redeem_code  # local: the two routers call each other
    from bot.handlers.verify import answer_verification

    payload = command.args or ""
    if payload.startswith("verify_"):
        await answer_verification(message, session, payload)
        return
    if payload.startswith("invite_"):
        await redeem_code(message, session, user, state, payload, webapp_url=settings.webapp_url)
        return
    await start(message, session, user, state)


@router.message(CommandStart())
async def start(message: Message, session: AsyncSession, user: User, state: FSMContext) -> None:
    await state.clear()
    name = message.from_user.first_name if message.from_user else ""
    if user.role is None:
        from bot.keyboards.menu import language_keyboard

        await message.answer(
            _("Assalomu alaykum, {name}! I am Maktab Bot: the course and certificate for teachers, "
              "grades and attendance for parents, reminders for everyone.").format(name=name),
            reply_markup=ReplyKeyboardRemove(),
        )
        await message.answer(_("Language of the bot (you can change it later with /language):"),
                             reply_markup=language_keyboard())
        await message.answer(_("Who are you? Choose your role:"), reply_markup=role_keyboard(ROLE_ORDER,
                                                                                          with_menu=False))
        return
    await show_main_menu(message, session, user)


@router.message(Command("menu"))
async def menu_command(message: Message, session: AsyncSession, user: User, state: FSMContext,
                       settings: Settings) -> None:
    await state.clear()
    await show_main_menu(message, session, user, settings.webapp_url)


@router.callback_query(MenuCB.filter(F.to == "main"))
async def menu_button(query: CallbackQuery, session: AsyncSession, user: User, state: FSMContext,
                      settings: Settings) -> None:
    await state.clear()
    await show_main_menu(query, session, user, settings.webapp_url)


@router.callback_query(MenuCB.filter(F.to == "role"))
async def switch_role(query: CallbackQuery, session: AsyncSession, user: User) -> None:
    if user.role is None:  # Back from a role's linking screen during onboarding
        await show(query, _("Who are you? Choose your role:"), role_keyboard(ROLE_ORDER, with_menu=False))
        return
    roles, _m = await available_roles(session, user)
    choices = [r for r in [*ROLE_ORDER, Role.SUPERVISOR] if r in roles] + [r for r in ROLE_ORDER if r not in roles]
    await show(query, _("Choose the role to use now:"), role_keyboard(choices, with_menu=True))
