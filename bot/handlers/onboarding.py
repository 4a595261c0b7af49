"""Onboarding by role: invite codes, a shared phone number matched to the roster, or a school list."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.handlers.school_approval import request_confirmation
from bot.handlers.start import show_main_menu
from bot.keyboards.common import MenuCB, RoleCB, SchoolPickCB, nav_row
from bot.services.commands import set_user_commands
from bot.services.memberships import PhoneLink, is_confirmed_at, link_by_phone
from bot.services.roles import available_roles
from bot.ui import TYPED_TEXT, clip, notify, show
from domain.invites import InviteState, parse_invite
from domain.phones import normalize_phone
from domain.roles import Role
from storage.models import School, SchoolClass, Student, User
from storage.repositories.invites import Redeemed, redeem_invite
from storage.repositories.schools import list_schools

router = Router(name=__name__)

SCHOOLS_PER_PAGE = 8


class Onboarding(StatesGroup):
    code = State()


async def choose_role(bot: Bot, i18n: I18n, session: AsyncSession, user: User, role: Role) -> None:
    user.role = role.value
    await session.commit()
    lang = user.language or i18n.current_locale
    await set_user_commands(bot, i18n, user.id, role, lang)


def _link_options(role: Role, back: str = "role") -> tuple[str, InlineKeyboardBuilder]:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("🔑 I have a code"), callback_data=MenuCB(to="code"))
    kb.button(text=_("📱 Share my phone number"), callback_data=MenuCB(to="phone"))
    if role is Role.TEACHER:
        kb.button(text=_("🏫 Choose my school"), callback_data=SchoolPickCB(page=0))
    kb.adjust(1)
    nav_row(kb, back=MenuCB(to=back).pack())
    if role is Role.PARENT:
        text = _("To see your child's grades, enter the invite code from the class teacher, "
                 "or share your phone number if the school has it.")
    elif role is Role.TEACHER:
        text = _("Link yourself to your school: share your phone number (if the school uploaded its staff "
                 "list), enter a code from the administration, or choose your school from the list.")
    else:
        text = _("This role is given by your school. Share your phone number (if the school uploaded its staff "
                 "list) or enter the code the administration gave you.")
    return text, kb


@router.callback_query(RoleCB.filter())
async def role_chosen(query: CallbackQuery, callback_data: RoleCB, session: AsyncSession, user: User,
                      state: FSMContext, bot: Bot, i18n: I18n, callback_answer: CallbackAnswer,
                      settings: Settings) -> None:
    try:
        role = Role(callback_data.role)
    except ValueError:
        notify(callback_answer, _("This button is out of date."), alert=True)
        return
    roles, _m = await available_roles(session, user)
    if role in roles:
        await choose_role(bot, i18n, session, user, role)
        await show_main_menu(query, session, user, settings.webapp_url)
        return
    await state.update_data(role=role.value, back="role")
    text, kb = _link_options(role)
    await show(query, text, kb.as_markup())


@router.callback_query(MenuCB.filter(F.to.in_({"addchild", "addkid"})))
async def add_child(query: CallbackQuery, callback_data: MenuCB, state: FSMContext) -> None:
    # Back goes where the parent came from ("addkid": the children list; "addchild": the menu), never to the
    # choice of roles they do not hold.
    back = "kids" if callback_data.to == "addkid" else "main"
    await state.update_data(role=Role.PARENT.value, back=back)
    text, kb = _link_options(Role.PARENT, back=back)
    await show(query, text, kb.as_markup())


@router.callback_query(MenuCB.filter(F.to == "code"))
async def ask_code(query: CallbackQuery, state: FSMContext) -> None:
    back = (await state.get_data()).get("back", "role")
    await state.set_state(Onboarding.code)
    kb = nav_row(InlineKeyboardBuilder(), back=MenuCB(to=back).pack())
    await show(query, _("Send the code as a message, for example ABCD-EFGH-JKMN."), kb.as_markup())


@router.message(StateFilter(Onboarding.code), TYPED_TEXT)
async def code_entered(message: Message, session: AsyncSession, user: User, state: FSMContext, bot: Bot,
                       i18n: I18n, settings: Settings) -> None:
    await redeem_code(message, session, user, state, message.text or "", bot=bot, i18n=i18n,
                      webapp_url=settings.webapp_url)


def _refusal(state: InviteState) -> str:
    return {
        InviteState.UNKNOWN: _("No such code. Check it letter by letter, or ask the school for a new one."),
        InviteState.EXPIRED: _("This code has expired. Ask the school for a new one."),
        InviteState.USED: _("This code has already been used. Each code works once: ask for a new one."),
        InviteState.REVOKED: _("This code was cancelled by the school. Ask for a new one."),
    }[state]


async def redeem_code(message: Message, session: AsyncSession, user: User, state: FSMContext, text: str,
                      *, bot: Bot | None = None, i18n: I18n | None = None, webapp_url: str | None = None) -> None:
    code = parse_invite(text)
    kb = nav_row(InlineKeyboardBuilder(), back=MenuCB(to="role").pack()).as_markup()
    if code is None:
        await message.answer(_("That does not look like a code: 12 letters and digits, like ABCD-EFGH-JKMN "
                               "(codes never contain 0, O, 1, I or L). Try again."), reply_markup=kb)
        return
    result = await redeem_invite(session, code, user.id, datetime.now(UTC))
    if not isinstance(result, Redeemed):
        await message.answer(_refusal(result), reply_markup=kb)
        return
    await session.commit()
    await state.set_state(None)
    if result.kind == "parent":
        student = await session.get(Student, result.student_id)
        klass = await session.get(SchoolClass, student.class_id) if student else None
        await message.answer(_("✅ Linked: {child}, class {klass}.").format(
            child=student.full_name if student else "?", klass=klass.name if klass else "?"))
        wanted = Role.PARENT
    else:
        school = await session.get(School, result.school_id)
        await message.answer(_("✅ You are linked to your school: {school}.").format(
            school=school.name if school else "?"))
        wanted = Role((await state.get_data()).get("role", Role.TEACHER.value))
    await _settle_role(message, session, user, wanted, bot or message.bot, i18n, webapp_url)


async def _settle_role(event: Message, session: AsyncSession, user: User, wanted: Role, bot: Bot,
                       i18n: I18n | None, webapp_url: str | None = None) -> None:
    """Onboarding is complete: the role is set, the menu shown, and the Mini App's menu button offered."""
    roles, _m = await available_roles(session, user)
    role = wanted if wanted in roles else next((r for r in (Role.ADMIN, Role.CLASS_TEACHER, Role.TEACHER,
                                                             Role.PARENT) if r in roles), None)
    if role is not None and i18n is not None:
        await choose_role(bot, i18n, session, user, role)
    elif role is not None:
        user.role = role.value
        await session.commit()
    await show_main_menu(event, session, user, webapp_url)


@router.callback_query(MenuCB.filter(F.to == "phone"))
async def ask_phone(query: CallbackQuery) -> None:
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("📱 Send my phone number"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )
    await query.bot.send_message(query.from_user.id, _("Press the button below to share your number."),
                                 reply_markup=keyboard)


@router.message(F.contact)
async def contact_shared(message: Message, session: AsyncSession, user: User, state: FSMContext, bot: Bot,
                         i18n: I18n, settings: Settings) -> None:
    contact = message.contact
    if contact is None or contact.user_id != user.id:
        await message.answer(_("Please share your own number with the button."),
                             reply_markup=ReplyKeyboardRemove())
        return
    phone = normalize_phone(contact.phone_number)
    user.phone = phone
    linked = await link_by_phone(session, user, phone, datetime.now(UTC))
    await session.commit()
    await message.answer({
        PhoneLink.LINKED: _("✅ Found you in your school's lists."),
        PhoneLink.ALREADY: _("✅ You are already connected: this number is linked to you in your school's lists."),
        PhoneLink.TAKEN: _("This number is linked to another Telegram account in your school's lists. Ask the "
                           "school for a code."),
        PhoneLink.UNKNOWN: _("Your number is not in your school's lists yet. Ask the school for a code."),
    }[linked], reply_markup=ReplyKeyboardRemove())
    if linked in (PhoneLink.TAKEN, PhoneLink.UNKNOWN):
        text, kb = _link_options(Role((await state.get_data()).get("role", Role.PARENT.value)))
        await message.answer(text, reply_markup=kb.as_markup())
        return
    wanted = Role((await state.get_data()).get("role", Role.TEACHER.value))
    await _settle_role(message, session, user, wanted, bot, i18n, settings.webapp_url)


@router.callback_query(SchoolPickCB.filter())
async def pick_school(query: CallbackQuery, callback_data: SchoolPickCB, session: AsyncSession, user: User,
                      bot: Bot, i18n: I18n, callback_answer: CallbackAnswer, settings: Settings) -> None:
    if callback_data.school_id:
        school = await session.get(School, callback_data.school_id)
        if school is None:
            notify(callback_answer, _("This button is out of date."), alert=True)
            return
        user.school_id = school.id
        await choose_role(bot, i18n, session, user, Role.TEACHER)
        notify(callback_answer, _("School: {school}").format(school=school.name))
        await show_main_menu(query, session, user, settings.webapp_url)
        if not await is_confirmed_at(session, user.id, school.id):  # a request until the head confirms it
            await _ask_head(query, session, user, school, bot, i18n, settings)
        return
    page = max(callback_data.page, 0)
    schools, total = await list_schools(session, offset=page * SCHOOLS_PER_PAGE, limit=SCHOOLS_PER_PAGE)
    kb = InlineKeyboardBuilder()
    for school in schools:
        kb.button(text=clip(school.name), callback_data=SchoolPickCB(school_id=school.id))
    kb.adjust(1)
    pages = []
    if page > 0:
        pages.append(("◀️", SchoolPickCB(page=page - 1)))
    if (page + 1) * SCHOOLS_PER_PAGE < total:
        pages.append(("▶️", SchoolPickCB(page=page + 1)))
    if pages:
        kb.row(*[InlineKeyboardButton(text=t, callback_data=d.pack()) for t, d in pages])
    nav_row(kb, back=RoleCB(role=Role.TEACHER.value).pack())
    text = _("Choose your school:") if total else _("No schools are registered yet. Ask your school for a code.")
    await show(query, text, kb.as_markup())


async def _ask_head(query: CallbackQuery, session: AsyncSession, user: User, school: School, bot: Bot, i18n: I18n,
                    settings: Settings) -> None:
    if await request_confirmation(bot, i18n, session, user, school, settings.default_language):
        text = _("Your school's head has been asked to confirm that you teach at {school}. Until then your "
                 "certificate will not name a school.")
    else:
        text = _("Nobody from the administration of {school} uses the bot yet, so nobody can confirm you there. "
                 "Until your phone number or a code links you to the school, your certificate will not name "
                 "a school.")
    await bot.send_message(query.from_user.id, text.format(school=school.name))
