"""Class teachers (and school administration): the class at a glance, and parents' invite codes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.formatting import fmt_date
from bot.keyboards.common import MenuCB, nav_row
from bot.services.clock import school_today
from bot.ui import clip, notify, show
from domain.countries import rules_for
from domain.invites import InviteState, invite_state
from domain.journal import too_few_grades
from storage.models import InviteCode, ParentLink, School, SchoolClass, Student, User
from storage.repositories import journal
from storage.repositories.invites import create_invite, list_invites, revoke_invite
from storage.repositories.schools import membership_of, students_of_class

router = Router(name=__name__)
log = logging.getLogger(__name__)


class ClassCB(CallbackData, prefix="cl"):
    """a: pick (choose class for `next`), glance, codes, student, new, revoke; c: class; s: student; i: invite."""

    a: str
    c: int = 0
    s: int = 0
    i: int = 0
    next: str = ""


async def my_classes(session: AsyncSession, user: User) -> list[SchoolClass]:
    """Classes the user may manage: their own as class teacher; every class of a school they administer."""
    membership = await membership_of(session, user.id)
    admin_schools = [s.school_id for s in membership.staff if s.position in ("head", "deputy")]
    query = select(SchoolClass).where(SchoolClass.id.in_(membership.class_ids or [0]))
    if admin_schools:
        query = select(SchoolClass).where(
            SchoolClass.id.in_(membership.class_ids or [0]) | SchoolClass.school_id.in_(admin_schools))
    return list(await session.scalars(query.order_by(SchoolClass.grade, SchoolClass.name)))


async def pick_class(event: Message | CallbackQuery, session: AsyncSession, user: User, next_action: str) -> None:
    classes = await my_classes(session, user)
    kb = InlineKeyboardBuilder()
    if not classes:
        await show(event, _("You are not a class teacher of any class in the school's lists."),
                   nav_row(kb).as_markup())
        return
    if len(classes) == 1:
        await route(event, session, user, ClassCB(a=next_action, c=classes[0].id))
        return
    for klass in classes:
        kb.button(text=klass.name, callback_data=ClassCB(a=next_action, c=klass.id))
    kb.adjust(4)
    await show(event, _("Choose the class:"), nav_row(kb).as_markup())


@router.message(Command("class"))
async def class_command(message: Message, session: AsyncSession, user: User) -> None:
    await pick_class(message, session, user, "glance")


@router.message(Command("codes"))
async def codes_command(message: Message, session: AsyncSession, user: User) -> None:
    await pick_class(message, session, user, "codes")


@router.callback_query(MenuCB.filter(F.to.in_({"class", "codes"})))
async def class_button(query: CallbackQuery, callback_data: MenuCB, session: AsyncSession, user: User) -> None:
    await pick_class(query, session, user, "glance" if callback_data.to == "class" else "codes")


@router.callback_query(ClassCB.filter())
async def class_action(query: CallbackQuery, callback_data: ClassCB, session: AsyncSession, user: User,
                       settings: Settings, bot: Bot, callback_answer: CallbackAnswer) -> None:
    if callback_data.c not in {k.id for k in await my_classes(session, user)}:
        log.warning("user %s tried class %s that is not theirs", user.id, callback_data.c)
        notify(callback_answer, _("This is not your class."), alert=True)
        return
    await route(query, session, user, callback_data, settings=settings, bot=bot, callback_answer=callback_answer)


async def route(event, session: AsyncSession, user: User, cb: ClassCB, *, settings: Settings | None = None,
                bot: Bot | None = None, callback_answer: CallbackAnswer | None = None) -> None:
    if cb.a == "glance":
        await glance(event, session, cb.c)
    elif cb.a == "codes":
        await codes_screen(event, session, cb.c)
    elif cb.a == "student":
        await student_codes(event, session, cb.c, cb.s)
    elif cb.a == "new" and settings is not None:
        await new_code(event, session, user, cb.c, cb.s, settings, bot)
    elif cb.a == "revoke":
        invite = await session.get(InviteCode, cb.i)
        klass = await session.get(SchoolClass, cb.c)
        student = await session.get(Student, invite.student_id) if invite and invite.student_id else None
        if invite is None or student is None or student.class_id != cb.c or klass is None:
            if callback_answer:
                notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)
            return
        done = await revoke_invite(session, invite.id, datetime.now(UTC))
        await session.commit()
        if callback_answer:
            notify(callback_answer, _("Code cancelled.") if done else _("This code can no longer be cancelled."))
        await student_codes(event, session, cb.c, student.id)


async def glance(event, session: AsyncSession, class_id: int) -> None:
    klass = await session.get(SchoolClass, class_id)
    school = await session.get(School, klass.school_id)
    today = school_today(school.timezone)
    absences = await journal.class_day_absences(session, class_id, today)
    students = await students_of_class(session, class_id)
    term = await journal.term_for(session, school.id, today)
    lines = [_("{klass} · {date}").format(klass=klass.name, date=fmt_date(today, fmt="EEEE d MMMM"))]
    absent_names = sorted({name for name, _s, kind in absences if kind != "late"})
    lines.append(_("Absent today: {n}").format(n=len(absent_names)))
    lines += [f"• {name}" for name in absent_names[:15]]
    if term is not None:
        counts = await journal.class_grade_counts(session, class_id, term.starts_on, term.ends_on)
        # A fair term mark needs more marks in a subject with more lessons a week (seed 001: 3–4 for 2 hours).
        rules = rules_for(school.country)
        need = {subject: rules.min_marks(hours)
                for subject, hours in (await journal.class_subject_hours(session, class_id)).items()}
        few = too_few_grades(counts, [s.id for s in students], list(need), need)
        names = {s.id: s.full_name for s in students}
        lines += ["", _("Too few grades this term for a fair term mark:")]
        if not few:
            lines.append(_("nobody"))
        for subject, ids in few.items():
            shown = ", ".join(names[i].split()[0] for i in ids[:5])
            more = f" +{len(ids) - 5}" if len(ids) > 5 else ""
            lines.append("• " + _("{subject} (at least {n})").format(subject=subject, n=need[subject])
                         + f": {len(ids)} — {shown}{more}")
        week_ago = today - timedelta(days=7)
        gaps = await journal.ungraded_lessons(session, class_id, week_ago, today)
        lines += ["", _("Lessons without any grade in the last 7 days:")]
        lines += [f"• {subject}: {n}" for subject, n in gaps] or [_("none")]
    kb = InlineKeyboardBuilder()
    kb.button(text=_("🔑 Parent codes"), callback_data=ClassCB(a="codes", c=class_id))
    await show(event, "\n".join(lines)[:4000], nav_row(kb).as_markup())


async def codes_screen(event, session: AsyncSession, class_id: int) -> None:
    klass = await session.get(SchoolClass, class_id)
    students = await students_of_class(session, class_id)
    linked = set(await session.scalars(select(ParentLink.student_id).where(
        ParentLink.student_id.in_([s.id for s in students] or [0]))))
    kb = InlineKeyboardBuilder()
    for student in students:
        mark = "👪" if student.id in linked else "▫️"
        kb.button(text=clip(f"{mark} {student.full_name}"),
                  callback_data=ClassCB(a="student", c=class_id, s=student.id))
    kb.adjust(2)
    text = _("{klass}: parents linked {linked} of {total}. Tap a student to issue or cancel a code.").format(
        klass=klass.name, linked=len(linked), total=len(students))
    await show(event, text, nav_row(kb, ClassCB(a="glance", c=class_id).pack()).as_markup())


async def student_codes(event, session: AsyncSession, class_id: int, student_id: int) -> None:
    student = await session.get(Student, student_id)
    if student is None or student.class_id != class_id:
        await show(event, _("This button is out of date. Open the /menu."),
                   nav_row(InlineKeyboardBuilder()).as_markup())
        return
    now = datetime.now(UTC)
    invites = await list_invites(session, school_id=student.school_id, student_ids=[student.id])
    parents = await session.scalar(select(ParentLink.id).where(ParentLink.student_id == student.id).limit(1))
    lines = [student.full_name, _("Parent linked: yes") if parents else _("Parent linked: not yet")]
    kb = InlineKeyboardBuilder()
    states = {
        InviteState.VALID: _("active until {date}"),
        InviteState.USED: _("used"),
        InviteState.EXPIRED: _("expired"),
        InviteState.REVOKED: _("cancelled"),
    }
    for invite in invites[:5]:
        state = invite_state(expires_at=invite.expires_at, used_at=invite.used_at, revoked_at=invite.revoked_at,
                             now=now)
        until = fmt_date(invite.expires_at.date(), fmt="d MMMM")  # whole month: uz joins "gacha" to it
        lines.append(f"• …{invite.hint}: " + states[state].format(date=until))
        if state is InviteState.VALID:
            kb.button(text=_("✖ Cancel …{hint}").format(hint=invite.hint),
                      callback_data=ClassCB(a="revoke", c=class_id, i=invite.id))
    kb.button(text=_("🔑 New code"), callback_data=ClassCB(a="new", c=class_id, s=student.id))
    kb.adjust(1)
    await show(event, "\n".join(lines), nav_row(kb, ClassCB(a="codes", c=class_id).pack()).as_markup())


async def new_code(event, session: AsyncSession, user: User, class_id: int, student_id: int, settings: Settings,
                   bot: Bot | None) -> None:
    student = await session.get(Student, student_id)
    if student is None or student.class_id != class_id:
        return
    invite = await create_invite(session, kind="parent", school_id=student.school_id, student_id=student.id,
                                 now=datetime.now(UTC), valid_days=settings.invite_code_days, created_by=user.id)
    await session.commit()
    me = await bot.me() if bot else None
    link = f"https://t.me/{me.username}?start=invite_{invite.code}" if me and me.username else ""
    text = _("🔑 Code for a parent of {student}:\n\n{code}\n\nIt works once, until {date}. The parent opens the bot, "
             "chooses “Parent” and sends the code, or opens this link:\n{link}").format(
        student=student.full_name, code=invite.display, date=fmt_date(invite.expires_at.date(), fmt="d MMMM"),
        link=link)
    kb = InlineKeyboardBuilder()
    await show(event, text, nav_row(kb, ClassCB(a="student", c=class_id, s=student.id).pack()).as_markup())
