"""Onboarding: the role a user picks, and the ways they are linked to a school or a child (an invite code, the
phone number the school listed, the school list with the head's confirmation); the language; blocking.

Each function commits at most once; a refusal raises before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.invites import InviteState, parse_invite
from domain.phones import normalize_phone
from domain.roles import ADMIN_POSITIONS, Role
from storage.models import School, SchoolClass, Student, User
from storage.repositories import users
from storage.repositories.invites import Redeemed, redeem_invite
from storage.repositories.memberships import approve_teacher, is_confirmed_at, link_listed_phones, listed_with_phone
from storage.repositories.schools import list_schools, membership_of, school_heads
from usecases.errors import N_, NotAllowed, UseCaseError
from usecases.roles import available_roles, pick_role
from usecases.uow import UnitOfWork

#: The roles offered before onboarding, in this order.
ROLE_ORDER = (Role.TEACHER, Role.CLASS_TEACHER, Role.PARENT, Role.ADMIN)
#: When the role the user asked for is not theirs after linking: the first of these they hold.
SETTLE_ORDER = (Role.ADMIN, Role.CLASS_TEACHER, Role.TEACHER, Role.PARENT)


class OutdatedButton(UseCaseError):
    code = "outdated_button"
    text = N_("This button is out of date.")


class CodeNotAccepted(UseCaseError):
    """A typed invite code that links nothing; the chat answers it with the way back to the roles."""

    code = "code_not_accepted"
    status = 422


class NotACode(CodeNotAccepted):
    code = "not_a_code"
    text = N_("That does not look like a code: 12 letters and digits, like ABCD-EFGH-JKMN "
              "(codes never contain 0, O, 1, I or L). Try again.")


class UnknownCode(CodeNotAccepted):
    code = "unknown_code"
    status = 404
    text = N_("No such code. Check it letter by letter, or ask the school for a new one.")


class ExpiredCode(CodeNotAccepted):
    code = "expired_code"
    text = N_("This code has expired. Ask the school for a new one.")


class UsedCode(CodeNotAccepted):
    code = "used_code"
    status = 409
    text = N_("This code has already been used. Each code works once: ask for a new one.")


class RevokedCode(CodeNotAccepted):
    code = "revoked_code"
    text = N_("This code was cancelled by the school. Ask for a new one.")


CODE_REFUSALS: dict[InviteState, type[CodeNotAccepted]] = {
    InviteState.UNKNOWN: UnknownCode, InviteState.EXPIRED: ExpiredCode, InviteState.USED: UsedCode,
    InviteState.REVOKED: RevokedCode,
}


class NotSchoolHead(NotAllowed):
    code = "not_school_head"
    text = N_("Only the head or a deputy of this school can answer this.")


class PhoneLink(StrEnum):
    LINKED = "linked"  # something new was linked: a staff row or a child
    ALREADY = "already"  # everything this number matches is linked to this user already
    TAKEN = "taken"  # the number is on the staff list, linked to another Telegram account
    UNKNOWN = "unknown"  # the number is in no list
    FOREIGN = "foreign"  # the contact shared is someone else's: nothing was done


@dataclass(frozen=True)
class MenuView:
    """The menu to show: the role's, or (`role` None) the choice of roles before onboarding."""

    role: Role | None
    other_roles: bool = False


@dataclass(frozen=True)
class RoleList:
    onboarded: bool
    roles: list[Role]  # held roles first when onboarded


@dataclass(frozen=True)
class RoleChoice:
    role: Role
    menu: MenuView | None  # the user holds the role: it is theirs now; None: they must link themselves first


@dataclass(frozen=True)
class Linked:
    """An invite code was redeemed: a parent's child, or a staff member's school."""

    for_parent: bool
    child: str | None
    class_name: str | None
    school: str | None
    menu: MenuView


@dataclass(frozen=True)
class PhoneShared:
    link: PhoneLink
    menu: MenuView | None  # set when the number linked the user (now or before)


@dataclass(frozen=True)
class SchoolPage:
    schools: list[tuple[int, str]]
    page: int
    total: int  # schools in all
    has_previous: bool
    has_next: bool


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    username: str | None
    language: str | None


@dataclass(frozen=True)
class SchoolPicked:
    school_id: int
    school: str
    menu: MenuView
    confirmed: bool  # the user is on the school's staff already (phone, code): nobody needs asking
    teacher: Person
    heads: list[Person] = field(default_factory=list)  # the head and deputies to ask, who use the bot


@dataclass(frozen=True)
class JoinAnswer:
    teacher: Person
    school: str
    approved: bool
    already: bool  # answered before (or the teacher left the school): nothing changed


def _person(user: User) -> Person:
    return Person(id=user.id, name=user.full_name or user.tg_name or str(user.id), username=user.username,
                  language=user.language)


async def _user(uow: UnitOfWork, user_id: int) -> User:
    user = await uow.session.get(User, user_id)
    if user is None:
        raise OutdatedButton("no such user")
    return user


async def _menu(uow: UnitOfWork, user: User) -> MenuView:
    if user.role is None:
        return MenuView(None)
    roles, _membership = await available_roles(uow.session, user)
    return MenuView(pick_role(user, roles), len(roles) > 1)


async def _settle(uow: UnitOfWork, user: User, wanted: Role) -> MenuView:
    """Linked: the role asked for if the user holds it, else the first they hold (not committed)."""
    roles, _membership = await available_roles(uow.session, user)
    role = wanted if wanted in roles else next((r for r in SETTLE_ORDER if r in roles), None)
    if role is not None:
        user.role = role.value
    return MenuView(pick_role(user, roles), len(roles) > 1)


async def main_menu(uow: UnitOfWork, user_id: int) -> MenuView:
    return await _menu(uow, await _user(uow, user_id))


async def held_roles(uow: UnitOfWork, user_id: int) -> set[Role]:
    roles, _membership = await available_roles(uow.session, await _user(uow, user_id))
    return roles


async def role_choices(uow: UnitOfWork, user_id: int) -> RoleList:
    """The roles to offer: before onboarding all four; after it, the user's own first (methodist included)."""
    user = await _user(uow, user_id)
    if user.role is None:
        return RoleList(onboarded=False, roles=list(ROLE_ORDER))
    roles, _membership = await available_roles(uow.session, user)
    held = [r for r in (*ROLE_ORDER, Role.SUPERVISOR) if r in roles]
    return RoleList(onboarded=True, roles=held + [r for r in ROLE_ORDER if r not in roles])


async def choose_role(uow: UnitOfWork, user_id: int, value: str) -> RoleChoice:
    try:
        role = Role(value)
    except ValueError:
        raise OutdatedButton(value) from None
    user = await _user(uow, user_id)
    roles, _membership = await available_roles(uow.session, user)
    if role not in roles:
        return RoleChoice(role, None)
    user.role = role.value
    await uow.commit()
    return RoleChoice(role, MenuView(role, len(roles) > 1))


async def redeem_code(uow: UnitOfWork, user_id: int, text: str, wanted: Role, now: datetime) -> Linked:
    """Link the user with a typed (or deep-linked) invite code; the role becomes the parent's or `wanted`."""
    code = parse_invite(text)
    if code is None:
        raise NotACode()
    result = await redeem_invite(uow.session, code, user_id, now)
    if not isinstance(result, Redeemed):
        raise CODE_REFUSALS[result](result.value)
    child, class_name, school = await _what_was_linked(uow, result)
    for_parent = result.kind == "parent"
    menu = await _settle(uow, await _user(uow, user_id), Role.PARENT if for_parent else wanted)
    await uow.commit()
    return Linked(for_parent=for_parent, child=child, class_name=class_name, school=school, menu=menu)


async def _what_was_linked(uow: UnitOfWork, result: Redeemed) -> tuple[str | None, str | None, str | None]:
    if result.kind == "parent":
        student = await uow.session.get(Student, result.student_id) if result.student_id else None
        klass = await uow.session.get(SchoolClass, student.class_id) if student else None
        return (student.full_name if student else None), (klass.name if klass else None), None
    school = await uow.session.get(School, result.school_id)
    return None, None, (school.name if school else None)


async def share_phone(uow: UnitOfWork, user_id: int, contact_user_id: int | None, phone: str, wanted: Role,
                      now: datetime) -> PhoneShared:
    """The user shared a contact: their own number links what their school listed with it."""
    if contact_user_id != user_id:
        return PhoneShared(PhoneLink.FOREIGN, None)
    user = await _user(uow, user_id)
    user.phone = normalize_phone(phone)
    await uow.session.flush()
    link = PhoneLink.LINKED if (await link_listed_phones(uow.session, now, user_id=user_id)).any \
        else await _unlinked_reason(uow, user)
    menu = await _settle(uow, user, wanted) if link in (PhoneLink.LINKED, PhoneLink.ALREADY) else None
    await uow.commit()
    return PhoneShared(link, menu)


async def _unlinked_reason(uow: UnitOfWork, user: User) -> PhoneLink:
    holders, guardian = await listed_with_phone(uow.session, user.phone or "")
    if user.id in holders or guardian:
        return PhoneLink.ALREADY
    return PhoneLink.TAKEN if holders else PhoneLink.UNKNOWN


async def schools_page(uow: UnitOfWork, page: int, per_page: int = 8) -> SchoolPage:
    page = max(page, 0)
    schools, total = await list_schools(uow.session, offset=page * per_page, limit=per_page)
    return SchoolPage(schools=[(s.id, s.name) for s in schools], page=page, total=total, has_previous=page > 0,
                      has_next=(page + 1) * per_page < total)


async def pick_school(uow: UnitOfWork, user_id: int, school_id: int) -> SchoolPicked:
    """A teacher picks their school from the list: a teacher of it at once, confirmed only once the head says so
    (or a phone number or code links them); the heads to ask come with the answer."""
    school = await uow.session.get(School, school_id)
    if school is None:
        raise OutdatedButton(str(school_id))
    user = await _user(uow, user_id)
    user.school_id, user.role = school.id, Role.TEACHER.value
    confirmed = await is_confirmed_at(uow.session, user.id, school.id)
    heads = [] if confirmed else await _heads_to_ask(uow, school.id, user.id)
    menu = await _menu(uow, user)
    await uow.commit()
    return SchoolPicked(school_id=school.id, school=school.name, menu=menu, confirmed=confirmed,
                        teacher=_person(user), heads=heads)


async def _heads_to_ask(uow: UnitOfWork, school_id: int, teacher_id: int) -> list[Person]:
    heads = await school_heads(uow.session, school_id)
    found = await users.users_by_ids(uow.session, [h.user_id for h in heads if h.user_id and h.user_id != teacher_id])
    return [_person(head) for head in found.values() if head.blocked_at is None]


async def answer_join(uow: UnitOfWork, head_id: int, teacher_id: int, school_id: int, approve: bool,
                      now: datetime) -> JoinAnswer:
    """The head (or a deputy) confirms or declines a teacher who picked their school; the first answer counts."""
    staff = (await membership_of(uow.session, head_id)).staff_at(school_id)
    if staff is None or staff.position not in ADMIN_POSITIONS:
        raise NotSchoolHead()
    teacher = await uow.session.get(User, teacher_id)
    school = await uow.session.get(School, school_id)
    if teacher is None or school is None or teacher.school_id != school.id \
            or await is_confirmed_at(uow.session, teacher.id, school.id):
        gone = Person(id=teacher_id, name=str(teacher_id), username=None, language=None)
        return JoinAnswer(_person(teacher) if teacher else gone, school.name if school else "", approve, True)
    if approve:
        await approve_teacher(uow.session, teacher, school.id, now)
    else:
        teacher.school_id = None
    await uow.commit()
    return JoinAnswer(_person(teacher), school.name, approve, False)


async def set_language(uow: UnitOfWork, user_id: int, code: str, supported: tuple[str, ...]) -> MenuView:
    """The user's language; the menu (or the role choice) to redraw in it."""
    if code not in supported:
        raise OutdatedButton(code)
    user = await _user(uow, user_id)
    user.language = code
    menu = await _menu(uow, user)
    await uow.commit()
    return menu


async def current_role(uow: UnitOfWork, user_id: int) -> Role | None:
    return (await main_menu(uow, user_id)).role


async def note_blocked(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """The user blocked the bot: reminders skip them until they come back."""
    await users.mark_blocked(uow.session, user_id, now)
    await uow.commit()


async def note_unblocked(uow: UnitOfWork, user_id: int) -> None:
    await users.mark_unblocked(uow.session, user_id)
    await uow.commit()
