"""Onboarding's screens: the menu, the choice of roles, the ways to link oneself, the school list, the head's
confirmation, the language, help. Pure: a view model in, text and keyboard out (in the current language)."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.courses import course_title
from bot.formatting import fmt_date, fmt_minutes, fmt_percent
from bot.keyboards.common import JoinAct, JoinCB, MenuCB, RoleCB, SchoolPickCB, nav_row
from bot.keyboards.menu import language_keyboard, main_menu, role_keyboard
from bot.ui import clip
from domain.roles import Role
from usecases.onboarding import (
    ROLE_ORDER,
    JoinAnswer,
    Linked,
    MenuView,
    Person,
    PhoneLink,
    RoleList,
    SchoolPage,
)
from usecases.verify import Verification

Screen = tuple[str, InlineKeyboardMarkup | None]


def menu_title(role: Role) -> str:
    titles = {
        Role.TEACHER: _("Teacher's menu."),
        Role.CLASS_TEACHER: _("Class teacher's menu."),
        Role.PARENT: _("Parent's menu."),
        Role.ADMIN: _("School administration menu."),
        Role.SUPERVISOR: _("Methodist's menu."),
    }
    return _("🏠 {title} Choose what to do:").format(title=titles[role])


def role_question() -> Screen:
    return _("Who are you? Choose your role:"), role_keyboard(list(ROLE_ORDER), with_menu=False)


def menu_screen(menu: MenuView) -> Screen:
    """The role's menu; before onboarding, the choice of roles."""
    if menu.role is None:
        return role_question()
    return menu_title(menu.role), main_menu(menu.role, other_roles=menu.other_roles)


def role_choice_screen(choices: RoleList) -> Screen:
    if not choices.onboarded:  # Back from a role's linking screen during onboarding
        return role_question()
    return _("Choose the role to use now:"), role_keyboard(choices.roles, with_menu=True)


def greeting(name: str) -> str:
    return _("Assalomu alaykum, {name}! I am Maktab Bot: the course and certificate for teachers, "
             "grades and attendance for parents, reminders for everyone.").format(name=name)


def first_language_screen() -> Screen:
    return _("Language of the bot (you can change it later with /language):"), language_keyboard()


def language_screen() -> Screen:
    return _("Choose the language:"), language_keyboard(MenuCB(to="main").pack())


def _who_for(screen: str) -> str:
    return {
        "class": _("This is for class teachers."),
        "codes": _("This is for class teachers and the school administration."),
        "children": _("This is for parents."),
        "reports": _("This is for the school administration and methodists."),
    }.get(screen, _("This is for teachers."))


def role_refused_screen(screen: str) -> Screen:
    """A role's command typed by someone without the role: who it is for, and how to become that."""
    kb = InlineKeyboardBuilder()
    kb.button(text=_("👤 Choose my role"), callback_data=MenuCB(to="role"))
    return (_("{who} Choose your role with /start, or with the button below.").format(who=_who_for(screen)),
            nav_row(kb).as_markup())


def link_options(role: Role, back: str = "role") -> Screen:
    """How to link oneself for a role one does not hold yet: a code, the phone, (teachers) the school list."""
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
    return text, kb.as_markup()


def ask_code_screen(back: str) -> Screen:
    return (_("Send the code as a message, for example ABCD-EFGH-JKMN."),
            nav_row(InlineKeyboardBuilder(), back=MenuCB(to=back).pack()).as_markup())


def back_to_roles() -> InlineKeyboardMarkup:
    """Under a refused code: the way back to the roles (or type the code again)."""
    return nav_row(InlineKeyboardBuilder(), back=MenuCB(to="role").pack()).as_markup()


def linked_text(linked: Linked) -> str:
    if linked.for_parent:
        return _("✅ Linked: {child}, class {klass}.").format(child=linked.child or "?", klass=linked.class_name or "?")
    return _("✅ You are linked to your school: {school}.").format(school=linked.school or "?")


def phone_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("📱 Send my phone number"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )


def phone_prompt() -> str:
    return _("Press the button below to share your number.")


def phone_text(link: PhoneLink) -> str:
    return {
        PhoneLink.LINKED: _("✅ Found you in your school's lists."),
        PhoneLink.ALREADY: _("✅ You are already connected: this number is linked to you in your school's lists."),
        PhoneLink.TAKEN: _("This number is linked to another Telegram account in your school's lists. Ask the "
                           "school for a code."),
        PhoneLink.UNKNOWN: _("Your number is not in your school's lists yet. Ask the school for a code."),
        PhoneLink.FOREIGN: _("Please share your own number with the button."),
    }[link]


def schools_screen(page: SchoolPage) -> Screen:
    kb = InlineKeyboardBuilder()
    for school_id, name in page.schools:
        kb.button(text=clip(name), callback_data=SchoolPickCB(school_id=school_id))
    kb.adjust(1)
    arrows = []
    if page.has_previous:
        arrows.append(InlineKeyboardButton(text="◀️", callback_data=SchoolPickCB(page=page.page - 1).pack()))
    if page.has_next:
        arrows.append(InlineKeyboardButton(text="▶️", callback_data=SchoolPickCB(page=page.page + 1).pack()))
    if arrows:
        kb.row(*arrows)
    nav_row(kb, back=RoleCB(role=Role.TEACHER.value).pack())
    text = _("Choose your school:") if page.total else _("No schools are registered yet. Ask your school for a code.")
    return text, kb.as_markup()


def picked_text(school: str) -> str:
    return _("School: {school}").format(school=school)


def head_asked_text(school: str, asked: bool) -> str:
    """What the teacher who picked a school is told: the head was asked, or nobody can confirm them yet."""
    if asked:
        text = _("Your school's head has been asked to confirm that you teach at {school}. Until then your "
                 "certificate will not name a school.")
    else:
        text = _("Nobody from the administration of {school} uses the bot yet, so nobody can confirm you there. "
                 "Until your phone number or a code links you to the school, your certificate will not name "
                 "a school.")
    return text.format(school=school)


def person_label(person: Person) -> str:
    return f"{person.name} (@{person.username})" if person.username else person.name


def join_request_screen(teacher: Person, school_id: int, school: str) -> Screen:
    """To the head (in the head's language): confirm or decline a teacher who picked the school."""
    kb = InlineKeyboardBuilder()
    kb.button(text=_("✅ Confirm"), callback_data=JoinCB(a=JoinAct.ok, u=teacher.id, s=school_id))
    kb.button(text=_("❌ Decline"), callback_data=JoinCB(a=JoinAct.no, u=teacher.id, s=school_id))
    text = _("{teacher} says they teach at {school} and asks you to confirm it. Confirm only if they "
             "work at your school: their certificate will name the school.").format(
        teacher=person_label(teacher), school=school)
    return text, kb.as_markup()


def join_answered_text() -> str:
    return _("This request has already been answered.")


def join_done_text(answer: JoinAnswer) -> str:
    """The head's message once answered."""
    label = person_label(answer.teacher)
    if answer.approved:
        return _("✅ {teacher} is confirmed as a teacher of {school}.").format(teacher=label, school=answer.school)
    return _("❌ {teacher} was not confirmed at {school}.").format(teacher=label, school=answer.school)


def join_told_text(answer: JoinAnswer) -> str:
    """The teacher's notice (in the teacher's language)."""
    if answer.approved:
        text = _("✅ Your school's head confirmed you as a teacher of {school}. Your certificate will name the "
                 "school.")
    else:
        text = _("The head of {school} did not confirm you as a teacher there. Share your phone number or enter "
                 "a code from the administration to link yourself to your school.")
    return text.format(school=answer.school)


def help_text(role: Role | None, exam_minutes: int, pass_percent: float) -> str:
    """What the role can do; the exam's length and pass mark as configured (EXAM_MINUTES, EXAM_PASS_PERCENT)."""
    common = _("/menu – main menu\n/reminders – what to remind you of, and when\n/language – change language\n"
               "/verify CODE – check a certificate\n/help – this help")
    parts = {
        None: _("Choose your role with /start: teacher, class teacher, parent or school administration."),
        Role.TEACHER: _("As a teacher you can:\n/journal – attendance, grades, topic and homework of your lessons\n"
                        "/course – study the course lesson by lesson\n"
                        "/exam – take the final exam ({duration}, pass above {pass_mark})\n"
                        "/certificate – get your certificate and send it to the school head").format(
            duration=fmt_minutes(exam_minutes), pass_mark=fmt_percent(pass_percent)),
        Role.CLASS_TEACHER: _("As a class teacher you can:\n/journal – attendance, grades, topic and homework of "
                              "your lessons\n/class – your class at a glance\n/codes – issue, list and revoke "
                              "parents' invite codes\n/course, /exam, /certificate – the course, the final exam and "
                              "your certificate"),
        Role.PARENT: _("As a parent you can:\n/children – your children's grades, attendance and homework\n"
                       "Add another child with the code from their class teacher."),
        Role.ADMIN: _("As school administration you can:\n/reports – certification, journal quality, the "
                      "decree 263 score and term sheets, as text, PDF and XLSX\n/codes – parents' invite codes\n"
                      "You receive the certificates your teachers send, and can take the course and exam."),
        Role.SUPERVISOR: _("As a district or regional methodist you can:\n/reports – course and certification "
                           "progress of the schools in your area, side by side, as text, PDF, XLSX and a chart"),
    }
    return parts[role] + "\n\n" + common


def help_screen(role: Role | None, exam_minutes: int, pass_percent: float, back: str | None = None) -> Screen:
    return help_text(role, exam_minutes, pass_percent), nav_row(InlineKeyboardBuilder(), back=back).as_markup()


def verification_screen(found: Verification) -> Screen:
    """The answer to /verify: not a code, no such certificate, or the certificate (valid or revoked)."""
    kb = nav_row(InlineKeyboardBuilder()).as_markup()
    if found.code is None:
        return _("That does not look like a certificate code: 8 letters and digits, like ABCD-2345 "
                 "(codes never contain 0, O, 1, I or L). Send it again."), kb
    card = found.card
    if card is None:
        return _("❌ No certificate has the code {code}. Check the code on the certificate.").format(
            code=found.code), kb
    return _("{status}\nCertificate No. {number}\nHolder: {name}\nCourse: {course}\nScore: {score}\n"
             "Issued: {date}\nSchool: {school}\nCode: {code}").format(
        status=_("⛔ Revoked") if card.revoked else _("✅ Valid"), number=card.number, name=card.holder,
        course=course_title(card.course_id), score=fmt_percent(card.percent), date=fmt_date(card.issued_on),
        school=card.school or "—", code=card.code), kb


def verify_prompt() -> Screen:
    return (_("Send the code printed on the certificate, for example ABCD-2345."),
            nav_row(InlineKeyboardBuilder()).as_markup())
