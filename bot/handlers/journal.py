"""Teachers fill the journal from the phone: today's lessons first, the class list, a tap per student for
attendance or a grade, topic and homework. Every change keeps history; a screen older than the lesson's
last change is refused (the last write wins only when nobody else changed it meanwhile)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.formatting import fmt_date, line_start, mark_text, summative_names
from bot.keyboards.common import MenuCB, nav_row
from bot.keyboards.journal import LessonCB, grid_button
from bot.services.clock import school_today
from bot.ui import TYPED_TEXT, clip, notify, show
from domain.grading import allowed_grades, first_half_end, parse_score, score_percent, summatives_scored
from domain.journal import next_attendance
from storage.models import School, User
from storage.repositories import journal
from storage.repositories.journal import LessonSheet
from storage.repositories.schools import membership_of

router = Router(name=__name__)
log = logging.getLogger(__name__)

ATTENDANCE_MARK = {"present": "✓", "absent": "✗", "excused": "🤒", "late": "⏰"}


class LessonText(StatesGroup):
    waiting = State()


class SummativePercent(StatesGroup):
    """Kazakhstan's СОР/СОЧ results are points over a maximum ("17/20") or a per cent: typed, not buttons."""

    waiting = State()


async def teacher_staff_ids(session: AsyncSession, user: User) -> list[int]:
    return [s.id for s in (await membership_of(session, user.id)).staff]


async def day_screen(event: Message | CallbackQuery, session: AsyncSession, user: User, day: date | None,
                     webapp_url: str | None = None) -> None:
    membership = await membership_of(session, user.id)
    staff_ids = [s.id for s in membership.staff]
    kb = InlineKeyboardBuilder()
    if not staff_ids:
        await show(event, _("The journal is for teachers on a school's staff list. Ask your school to add you."),
                   nav_row(kb).as_markup())
        return
    school = await session.get(School, membership.staff[0].school_id)
    today = school_today(school.timezone)
    day = day or today
    slots = await journal.teacher_day(session, staff_ids, day)
    for item in slots:
        if day > today:
            mark = "▫️"
        elif item.lesson is None or item.lesson.attendance_taken_at is None:
            mark = "⚠️"
        elif item.graded == 0:
            mark = "🔸"
        else:
            mark = "✅"
        kb.button(text=clip(f"{mark} {item.slot.period}. {item.class_name} · {item.subject_name}"),
                  callback_data=LessonCB(a="open", t=item.slot.id, d=day.toordinal()))
    kb.adjust(1)
    kb.row(InlineKeyboardButton(text=_("◀️ Day before"), callback_data=LessonCB(
               a="list", d=(day - timedelta(days=1)).toordinal()).pack()),
           InlineKeyboardButton(text=_("Day after ▶️"), callback_data=LessonCB(
               a="list", d=(day + timedelta(days=1)).toordinal()).pack()))
    if webapp_url:
        kb.row(grid_button(webapp_url))
    when = _("Today") if day == today else line_start(fmt_date(day, fmt="EEEE"))  # "Жұма", like "Бүгін"
    head = "📒 " + _("{when}, {date}").format(when=when, date=fmt_date(day, fmt="d MMMM")) + ": " + ngettext(
        "{n} lesson", "{n} lessons", len(slots)).format(n=len(slots))
    if slots:
        head += "\n" + _("⚠️ attendance not saved · 🔸 no grades · ✅ done")
    else:
        head += "\n" + _("No lessons in your timetable on this day.")
    await show(event, head, nav_row(kb).as_markup())


@router.message(Command("journal"))
async def journal_command(message: Message, session: AsyncSession, user: User, state: FSMContext,
                          settings: Settings) -> None:
    await state.set_state(None)
    await day_screen(message, session, user, None, settings.webapp_url)


@router.callback_query(MenuCB.filter(F.to == "journal"))
async def journal_button(query: CallbackQuery, session: AsyncSession, user: User, settings: Settings) -> None:
    await day_screen(query, session, user, None, settings.webapp_url)


def sheet_text(sheet: LessonSheet, day: date, mode: str) -> str:
    lesson = sheet.lesson
    present = sum(1 for s in sheet.students if (m := sheet.marks.get(s.id)) is None or m.attendance in
                  ("present", "late"))
    grades = sum(1 for m in sheet.marks.values() if m.grade is not None)
    lines = [
        f"{sheet.klass.name} · {sheet.subject.name} · {fmt_date(day, fmt='EEE d MMM')} · "
        + _("lesson {n}").format(n=sheet.slot.period),
        _("Present {present}/{total} · grades {grades}").format(present=present, total=len(sheet.students),
                                                               grades=grades),
        _("Topic: {topic}").format(topic=(lesson.topic if lesson and lesson.topic else "—")),
        _("Homework: {homework}").format(homework=(lesson.homework if lesson and lesson.homework else "—")),
    ]
    if lesson is None or lesson.attendance_taken_at is None:
        lines.append(_("⚠️ Attendance is not saved yet."))
    lines.append("")
    if mode == "att":
        lines.append(_("Tap a student to change attendance: ✓ → ✗ → 🤒 (with a reason) → ⏰ late."))
    else:  # the buttons still carry the attendance symbols: one line says what they mean
        lines += [_("Tap a student to give a grade."), _("✓ present · ✗ absent · 🤒 with a reason · ⏰ late")]
    return "\n".join(lines)


def sheet_keyboard(sheet: LessonSheet, day: date, mode: str, scale: tuple[int, ...]):
    kb = InlineKeyboardBuilder()
    version = sheet.lesson.version if sheet.lesson else 0
    d = day.toordinal()
    country = sheet.school.country
    for student in sheet.students:
        mark = sheet.marks.get(student.id)
        attendance = mark.attendance if mark else "present"
        label = f"{ATTENDANCE_MARK.get(attendance, '?')} {student.full_name}"
        if mark and mark.grade is not None:
            label += " · " + mark_text(country, mark.grade, mark.kind, mark.points, mark.max_points)
        action = "att" if mode == "att" else "pick"
        kb.button(text=clip(label), callback_data=LessonCB(a=action, t=sheet.slot.id, d=d, s=student.id, n=version))
    kb.adjust(2)
    controls = [InlineKeyboardButton(text=_("✅ Save attendance"), callback_data=LessonCB(
        a="save", t=sheet.slot.id, d=d, n=version).pack())]
    if scale:
        controls.append(InlineKeyboardButton(
            text=_("🔢 Grades") if mode == "att" else _("🙋 Attendance"),
            callback_data=LessonCB(a="gmode" if mode == "att" else "amode", t=sheet.slot.id, d=d).pack()))
    kb.row(*controls)
    back_to_grades = int(mode == "grade")  # after typing, return to the mode the teacher was in
    kb.row(InlineKeyboardButton(text=_("✏️ Topic"), callback_data=LessonCB(
               a="topic", t=sheet.slot.id, d=d, v=back_to_grades).pack()),
           InlineKeyboardButton(text=_("✏️ Homework"), callback_data=LessonCB(
               a="hw", t=sheet.slot.id, d=d, v=back_to_grades).pack()))
    return nav_row(kb, LessonCB(a="list", d=d).pack()).as_markup()


async def load_own_sheet(session: AsyncSession, user: User, callback_data: LessonCB) -> LessonSheet | None:
    """The lesson only if it is this teacher's: forged ids of other schools' lessons get nothing."""
    try:
        date.fromordinal(callback_data.d)
    except ValueError:
        return None
    sheet = await journal.lesson_sheet(session, callback_data.t, date.fromordinal(callback_data.d))
    if sheet is None or sheet.slot.teacher_id not in await teacher_staff_ids(session, user):
        if sheet is not None:
            log.warning("user %s tried lesson %s of another teacher", user.id, callback_data.t)
        return None
    if date.fromordinal(callback_data.d).weekday() != sheet.slot.weekday:
        return None
    return sheet


async def grades_for(session: AsyncSession, sheet: LessonSheet, day: date) -> tuple[int, ...]:
    """The marks this lesson may carry (none in grade 1, nor in grade 2's first half-year)."""
    terms = await journal.school_terms(session, sheet.school.id)
    return allowed_grades(sheet.school.country, sheet.klass.grade, day, first_half_end(terms, day))


async def show_sheet(event: Message | CallbackQuery, sheet: LessonSheet, day: date, mode: str,
                     session: AsyncSession) -> None:
    scale = await grades_for(session, sheet, day)
    if not scale:
        mode = "att"
    await show(event, sheet_text(sheet, day, mode), sheet_keyboard(sheet, day, mode, scale))


@router.callback_query(LessonCB.filter())
async def lesson_action(query: CallbackQuery, callback_data: LessonCB, session: AsyncSession, user: User,
                        state: FSMContext, callback_answer: CallbackAnswer) -> None:
    if callback_data.a == "list":
        try:
            day = date.fromordinal(callback_data.d)
        except ValueError:
            day = None
        await day_screen(query, session, user, day)
        return
    sheet = await load_own_sheet(session, user, callback_data)
    if sheet is None:
        notify(callback_answer, _("This is not your lesson, or the button is out of date."), alert=True)
        return
    day = date.fromordinal(callback_data.d)
    today = school_today(sheet.school.timezone)
    if day > today:
        notify(callback_answer, _("The journal is filled on the day of the lesson, not before."), alert=True)
        await day_screen(query, session, user, day)
        return
    action = callback_data.a
    if action in ("open", "amode"):
        await show_sheet(query, sheet, day, "att", session)
        return
    if action == "gmode":
        await show_sheet(query, sheet, day, "grade", session)
        return
    if action in ("topic", "hw"):
        await state.set_state(LessonText.waiting)
        await state.update_data(field="topic" if action == "topic" else "homework", t=sheet.slot.id, d=callback_data.d,
                                mode="grade" if callback_data.v else "att")
        prompt = _("Send the lesson's topic as a message.") if action == "topic" else \
            _("Send the homework as a message.")
        await show(query, prompt, nav_row(InlineKeyboardBuilder(), LessonCB(
            a="open", t=sheet.slot.id, d=callback_data.d).pack()).as_markup())
        return
    current_version = sheet.lesson.version if sheet.lesson else 0
    if action in ("att", "pick", "grade", "save") and callback_data.n != current_version:
        notify(callback_answer, _("Someone changed this lesson meanwhile. Here is the fresh list: check and tap "
                                  "again."), alert=True)
        await show_sheet(query, sheet, day, "att" if action in ("att", "save") else "grade", session)
        return
    student_ids = {s.id for s in sheet.students}
    if action in ("att", "pick", "grade", "pct") and callback_data.s not in student_ids:
        notify(callback_answer, _("This is not your lesson, or the button is out of date."), alert=True)
        return
    now = datetime.now(UTC)
    if action == "att":
        await journal.ensure_lesson(session, sheet, day, user.id, now)
        mark = sheet.marks.get(callback_data.s)
        new = next_attendance(mark.attendance if mark else "present")
        await journal.set_mark(session, sheet, callback_data.s, user_id=user.id, now=now, attendance=new,
                               reason="excused" if new == "excused" else None)
        await session.commit()
        await show_sheet(query, sheet, day, "att", session)
    elif action == "save":
        await journal.ensure_lesson(session, sheet, day, user.id, now)
        await journal.mark_attendance_taken(session, sheet, user_id=user.id, now=now)
        await session.commit()
        notify(callback_answer, _("✅ Attendance saved."))
        await show_sheet(query, sheet, day, "grade", session)
    elif action == "pick":
        await grade_picker(query, sheet, day, callback_data.s, session)
    elif action == "pct" and callback_data.v in (1, 2):
        await state.set_state(SummativePercent.waiting)
        await state.update_data(t=sheet.slot.id, d=callback_data.d, s=callback_data.s, k=callback_data.v,
                                n=callback_data.n, prompt=query.message.message_id if query.message else 0)
        student = next(x for x in sheet.students if x.id == callback_data.s)
        name = summative_names(sheet.school.country)[callback_data.v - 1]
        await show(query, _("Send {student}'s {name} result: points over the maximum, for example 17/20, or a per "
                            "cent, for example 85.").format(student=student.full_name, name=name),
                   nav_row(InlineKeyboardBuilder(), LessonCB(
                a="gmode", t=sheet.slot.id, d=callback_data.d).pack()).as_markup())
    elif action == "grade":
        scale = await grades_for(session, sheet, day)
        value, kind = divmod(callback_data.v, 10)  # v = grade*10 + kind index; grade 0 clears
        kinds = ("regular", "section", "term")
        typed_summative = summatives_scored(sheet.school.country) and kind != 0  # typed as points, not buttons
        if (value and value not in scale) or kind >= len(kinds) or typed_summative:
            notify(callback_answer, _("This grade is not used for this class."), alert=True)
            return
        await journal.ensure_lesson(session, sheet, day, user.id, now)
        await journal.set_mark(session, sheet, callback_data.s, user_id=user.id, now=now,
                               grade=value or None, clear_grade=value == 0, kind=kinds[kind])
        await session.commit()
        if value and sheet.marks[callback_data.s].attendance in ("absent", "excused"):
            # Allowed (work handed in, a summative written later), but worth a second look.
            notify(callback_answer, _("Saved. Note: this student is marked absent today."))
        await show_sheet(query, sheet, day, "grade", session)
    else:
        notify(callback_answer, _("This button is out of date. Open the /menu."), alert=True)


async def grade_picker(query: CallbackQuery, sheet: LessonSheet, day: date, student_id: int,
                       session: AsyncSession) -> None:
    scale = await grades_for(session, sheet, day)
    student = next(s for s in sheet.students if s.id == student_id)
    version = sheet.lesson.version if sheet.lesson else 0
    d = day.toordinal()
    kb = InlineKeyboardBuilder()
    section, term = summative_names(sheet.school.country)
    scored = summatives_scored(sheet.school.country)
    # Kazakhstan: formative marks 1–10 as buttons; СОР/СОЧ are points over a maximum, typed after a button.
    kinds = ((0, ""),) if scored else ((0, ""), (1, section), (2, term))
    for kind_index, label in kinds:
        row = [InlineKeyboardButton(text=f"{g} {label}".strip(), callback_data=LessonCB(
            a="grade", t=sheet.slot.id, d=d, s=student_id, v=g * 10 + kind_index, n=version).pack())
            for g in scale]
        for i in range(0, len(row), 5):
            kb.row(*row[i:i + 5])
    if scored:
        kb.row(*[InlineKeyboardButton(text=f"✏️ {name}", callback_data=LessonCB(
            a="pct", t=sheet.slot.id, d=d, s=student_id, v=kind_index, n=version).pack())
            for kind_index, name in ((1, section), (2, term))])
    kb.row(InlineKeyboardButton(text=_("✖ No grade"), callback_data=LessonCB(
        a="grade", t=sheet.slot.id, d=d, s=student_id, v=0, n=version).pack()))
    if scored:
        # Which summative a typed "17/20" is cannot be guessed: the teacher presses ✏️ СОР or ✏️ СОЧ first.
        text = _("{student}: choose the formative mark ({low}–{high}). For a {section} or {term} result, first press "
                 "✏️ {section} or ✏️ {term}, then type the points over the maximum (17/20) or a per cent (85).").format(
            student=student.full_name, low=scale[0], high=scale[-1], section=section, term=term)
    else:
        text = _("{student}: choose the grade. Second row: {section}, third row: {term}.").format(
            student=student.full_name, section=section, term=term)
    await show(query, text, nav_row(kb, LessonCB(a="gmode", t=sheet.slot.id, d=d).pack()).as_markup())


@router.message(StateFilter(LessonText.waiting), TYPED_TEXT)
async def lesson_text_typed(message: Message, session: AsyncSession, user: User, state: FSMContext) -> None:
    data = await state.get_data()
    await state.set_state(None)
    callback = LessonCB(a="open", t=int(data.get("t", 0)), d=int(data.get("d", 0)))
    sheet = await load_own_sheet(session, user, callback)
    if sheet is None:
        await message.answer(_("This is not your lesson, or the button is out of date."))
        return
    day = date.fromordinal(callback.d)
    now = datetime.now(UTC)
    lesson = await journal.ensure_lesson(session, sheet, day, user.id, now)
    text = (message.text or "").strip()[:300 if data.get("field") == "topic" else 1000]
    await journal.set_lesson_text(session, lesson, "topic" if data.get("field") == "topic" else "homework", text,
                                  user_id=user.id, now=now)
    await session.commit()
    await show_sheet(message, sheet, day, data.get("mode", "att"), session)


async def drop_prompt(message: Message, prompt_id: int) -> None:
    """Delete the prompt a typed answer replies to (or, when Telegram refuses, e.g. after 48 hours, take its
    buttons away), so that only the screen shown next can be pressed."""
    if not prompt_id:
        return
    bot: Bot = message.bot
    try:
        await bot.delete_message(message.chat.id, prompt_id)
    except TelegramBadRequest:
        try:
            await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=prompt_id, reply_markup=None)
        except TelegramBadRequest:
            log.info("prompt %s of chat %s is gone already", prompt_id, message.chat.id)


@router.message(StateFilter(SummativePercent.waiting), TYPED_TEXT)
async def percent_typed(message: Message, session: AsyncSession, user: User, state: FSMContext) -> None:
    data = await state.get_data()
    callback = LessonCB(a="open", t=int(data.get("t", 0)), d=int(data.get("d", 0)))
    sheet = await load_own_sheet(session, user, callback)
    if sheet is None:
        await state.set_state(None)
        await message.answer(_("This is not your lesson, or the button is out of date."))
        return
    await drop_prompt(message, int(data.get("prompt", 0)))  # the screen moves on: its Back must not stay live
    try:
        points, maximum = parse_score(message.text or "")
    except ValueError:
        again = await message.answer(
            _("Please send points over the maximum, like 17/20, or a per cent from 0 to 100, like 85."),
            reply_markup=nav_row(InlineKeyboardBuilder(), LessonCB(a="gmode", t=callback.t, d=callback.d).pack())
            .as_markup())
        await state.update_data(prompt=again.message_id)  # the new prompt, removed in its turn
        return
    await state.set_state(None)
    day = date.fromordinal(callback.d)
    if int(data.get("s", 0)) not in {student.id for student in sheet.students}:
        await message.answer(_("This is not your lesson, or the button is out of date."))
        return
    if not await grades_for(session, sheet, day):
        await message.answer(_("This grade is not used for this class."))
        return
    if (sheet.lesson.version if sheet.lesson else 0) != int(data.get("n", -1)):
        await message.answer(_("Someone changed this lesson meanwhile. Here is the fresh list: check and tap again."))
        await show_sheet(message, sheet, day, "grade", session)
        return
    now = datetime.now(UTC)
    await journal.ensure_lesson(session, sheet, day, user.id, now)
    kind = "section" if int(data.get("k", 1)) == 1 else "term"
    await journal.set_mark(session, sheet, int(data.get("s", 0)), user_id=user.id, now=now,
                           grade=score_percent(points, maximum), kind=kind, score=(points, maximum))
    await session.commit()
    await show_sheet(message, sheet, day, "grade", session)
