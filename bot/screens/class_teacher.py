"""What a class teacher sees: pure functions from the class teacher's use cases' views
(usecases/class_teacher.py) to a text and its keyboard, in the current locale."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.formatting import fmt_date
from bot.keyboards.class_teacher import ClassAct, ClassCB
from bot.keyboards.common import nav_row
from bot.ui import clip
from domain.invites import InviteState
from usecases.class_teacher import ClassCodes, ClassPick, FewMarks, Glance, IssuedCode, Revoked, StudentCodes

Screen = tuple[str, InlineKeyboardMarkup]

#: How many names the glance lists: absent pupils, pupils short of marks per subject; codes per pupil.
ABSENT_SHOWN, FEW_SHOWN, CODES_SHOWN = 15, 5, 5
#: Telegram's limit is 4,096 characters.
TEXT_LIMIT = 4000


def pick_screen(pick: ClassPick, act: ClassAct) -> Screen:
    """The choice of classes for `act` (glance or codes); the only class's screen; or why there is none."""
    if pick.glance is not None:
        return glance_screen(pick.glance)
    if pick.codes is not None:
        return codes_screen(pick.codes)
    kb = InlineKeyboardBuilder()
    if not pick.classes:
        return _("You are not a class teacher of any class in the school's lists."), nav_row(kb).as_markup()
    for klass in pick.classes:
        kb.button(text=klass.name, callback_data=ClassCB(a=act, c=klass.id))
    kb.adjust(4)
    return _("Choose the class:"), nav_row(kb).as_markup()


def glance_screen(glance: Glance) -> Screen:
    lines = [_("{klass} · {date}").format(klass=glance.class_name, date=fmt_date(glance.today, fmt="EEEE d MMMM")),
             _("Absent today: {n}").format(n=len(glance.absent))]
    lines += [f"• {name}" for name in glance.absent[:ABSENT_SHOWN]]
    if glance.has_term:
        lines += ["", _("Too few grades this term for a fair term mark:")]
        lines += [_few_line(few) for few in glance.few_marks] or [_("nobody")]
        lines += ["", _("Lessons without any grade in the last 7 days:")]
        lines += [f"• {subject}: {n}" for subject, n in glance.ungraded] or [_("none")]
    kb = InlineKeyboardBuilder()
    kb.button(text=_("🔑 Parent codes"), callback_data=ClassCB(a=ClassAct.codes, c=glance.class_id))
    return "\n".join(lines)[:TEXT_LIMIT], nav_row(kb).as_markup()


def _few_line(few: FewMarks) -> str:
    """"• Matematika (at least 5): 12 — Aliyev, Karimova, … +7": surnames only, the first five."""
    shown = ", ".join(name.split()[0] for name in few.names[:FEW_SHOWN])
    more = f" +{len(few.names) - FEW_SHOWN}" if len(few.names) > FEW_SHOWN else ""
    return "• " + _("{subject} (at least {n})").format(subject=few.subject, n=few.need) \
        + f": {len(few.names)} — {shown}{more}"


def codes_screen(codes: ClassCodes) -> Screen:
    """The class list, 👪 where a parent is linked; a pupil opens their codes."""
    kb = InlineKeyboardBuilder()
    for pupil in codes.pupils:
        mark = "👪" if pupil.parent_linked else "▫️"
        kb.button(text=clip(f"{mark} {pupil.name}"),
                  callback_data=ClassCB(a=ClassAct.student, c=codes.class_id, s=pupil.id))
    kb.adjust(2)
    text = _("{klass}: parents linked {linked} of {total}. Tap a student to issue or cancel a code.").format(
        klass=codes.class_name, linked=sum(p.parent_linked for p in codes.pupils), total=len(codes.pupils))
    return text, nav_row(kb, ClassCB(a=ClassAct.glance, c=codes.class_id).pack()).as_markup()


def student_codes_screen(codes: StudentCodes) -> Screen:
    """A pupil's latest codes with their state, ✖ for each still valid, and 🔑 for a new one."""
    states = {
        InviteState.VALID: _("active until {date}"),
        InviteState.USED: _("used"),
        InviteState.EXPIRED: _("expired"),
        InviteState.REVOKED: _("cancelled"),
    }
    lines = [codes.name, _("Parent linked: yes") if codes.parent_linked else _("Parent linked: not yet")]
    kb = InlineKeyboardBuilder()
    for code in codes.codes[:CODES_SHOWN]:
        until = fmt_date(code.expires_on, fmt="d MMMM")  # whole month: uz joins "gacha" to it
        lines.append(f"• …{code.hint}: " + states[code.state].format(date=until))
        if code.state is InviteState.VALID:
            kb.button(text=_("✖ Cancel …{hint}").format(hint=code.hint),
                      callback_data=ClassCB(a=ClassAct.revoke, c=codes.class_id, i=code.invite_id))
    kb.button(text=_("🔑 New code"), callback_data=ClassCB(a=ClassAct.new, c=codes.class_id, s=codes.student_id))
    kb.adjust(1)
    return "\n".join(lines), nav_row(kb, ClassCB(a=ClassAct.codes, c=codes.class_id).pack()).as_markup()


def issued_screen(issued: IssuedCode, bot_username: str | None) -> Screen:
    """The new code, shown once, with the deep link that redeems it."""
    link = f"https://t.me/{bot_username}?start=invite_{issued.code}" if bot_username else ""
    text = _("🔑 Code for a parent of {student}:\n\n{code}\n\nIt works once, until {date}. The parent opens the bot, "
             "chooses “Parent” and sends the code, or opens this link:\n{link}").format(
        student=issued.student_name, code=issued.display, date=fmt_date(issued.expires_on, fmt="d MMMM"), link=link)
    back = ClassCB(a=ClassAct.student, c=issued.class_id, s=issued.student_id).pack()
    return text, nav_row(InlineKeyboardBuilder(), back).as_markup()


def revoked_toast(revoked: Revoked) -> str:
    return _("Code cancelled.") if revoked.done else _("This code can no longer be cancelled.")
