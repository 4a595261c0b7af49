"""The journal's screens, from usecases/journal.py's views: a teacher's day, a lesson's sheet (attendance or
marks mode), a pupil's mark picker, and the prompts for a typed topic, homework or СОР/СОЧ result."""

from __future__ import annotations

from datetime import timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.formatting import fmt_date, line_start, mark_text, summative_names
from bot.keyboards.common import nav_row
from bot.keyboards.journal import LessonAct, LessonCB, grid_button
from bot.ui import clip
from domain.grading import MarkKind
from usecases.journal import DayView, LessonState, SheetMode, SheetView

Screen = tuple[str, InlineKeyboardMarkup]

ATTENDANCE_MARK = {"present": "✓", "absent": "✗", "excused": "🤒", "late": "⏰"}
STATE_MARK = {LessonState.FUTURE: "▫️", LessonState.NO_ATTENDANCE: "⚠️", LessonState.NO_GRADES: "🔸",
              LessonState.DONE: "✅"}
SUMMATIVES = (MarkKind.SECTION, MarkKind.TERM)


def _cb(view: SheetView, a: LessonAct, **fields: object) -> str:
    """A button of this lesson's sheet."""
    return LessonCB(a=a, t=view.timetable_id, d=view.day.toordinal(), **fields).pack()


def _button(text: str, view: SheetView, a: LessonAct, **fields: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=_cb(view, a, **fields))


def day_screen(view: DayView, webapp_url: str | None = None) -> Screen:
    kb = InlineKeyboardBuilder()
    if not view.on_staff or view.day is None:
        return (_("The journal is for teachers on a school's staff list. Ask your school to add you."),
                nav_row(kb).as_markup())
    day = view.day
    for item in view.items:
        kb.button(text=clip(f"{STATE_MARK[item.state]} {item.period}. {item.class_name} · {item.subject_name}"),
                  callback_data=LessonCB(a=LessonAct.open, t=item.timetable_id, d=day.toordinal()))
    kb.adjust(1)
    kb.row(InlineKeyboardButton(text=_("◀️ Day before"), callback_data=LessonCB(
               a=LessonAct.days, d=(day - timedelta(days=1)).toordinal()).pack()),
           InlineKeyboardButton(text=_("Day after ▶️"), callback_data=LessonCB(
               a=LessonAct.days, d=(day + timedelta(days=1)).toordinal()).pack()))
    if webapp_url:
        kb.row(grid_button(webapp_url))
    when = _("Today") if day == view.today else line_start(fmt_date(day, fmt="EEEE"))  # "Жұма", like "Бүгін"
    head = "📒 " + _("{when}, {date}").format(when=when, date=fmt_date(day, fmt="d MMMM")) + ": " + ngettext(
        "{n} lesson", "{n} lessons", len(view.items)).format(n=len(view.items))
    if view.items:
        head += "\n" + _("⚠️ attendance not saved · 🔸 no grades · ✅ done")
    else:
        head += "\n" + _("No lessons in your timetable on this day.")
    return head, nav_row(kb).as_markup()


def sheet_text(view: SheetView) -> str:
    lines = [
        f"{view.class_name} · {view.subject_name} · {fmt_date(view.day, fmt='EEE d MMM')} · "
        + _("lesson {n}").format(n=view.period),
        _("Present {present}/{total} · grades {grades}").format(present=view.present, total=len(view.rows),
                                                               grades=view.graded),
        _("Topic: {topic}").format(topic=view.topic or "—"),
        _("Homework: {homework}").format(homework=view.homework or "—"),
    ]
    if not view.attendance_taken:
        lines.append(_("⚠️ Attendance is not saved yet."))
    lines.append("")
    if view.mode is SheetMode.ATTENDANCE:
        lines.append(_("Tap a student to change attendance: ✓ → ✗ → 🤒 (with a reason) → ⏰ late."))
    else:  # the buttons still carry the attendance symbols: one line says what they mean
        lines += [_("Tap a student to give a grade."), _("✓ present · ✗ absent · 🤒 with a reason · ⏰ late")]
    return "\n".join(lines)


def sheet_keyboard(view: SheetView) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    marks = view.mode is SheetMode.GRADES
    for row in view.rows:
        cell = row.cell
        label = f"{ATTENDANCE_MARK.get(cell.attendance or 'present', '?')} {row.name}"
        if cell.grade is not None:
            label += " · " + mark_text(view.country, cell.grade, cell.kind, cell.points, cell.max_points)
        kb.button(text=clip(label), callback_data=_cb(view, LessonAct.pick if marks else LessonAct.att,
                                                      s=row.student_id, n=view.version))
    kb.adjust(2)
    controls = [_button(_("✅ Save attendance"), view, LessonAct.save, n=view.version)]
    if view.scale:
        controls.append(_button(_("🙋 Attendance"), view, LessonAct.amode) if marks
                        else _button(_("🔢 Grades"), view, LessonAct.gmode))
    kb.row(*controls)
    back_to_grades = int(marks)  # after typing, return to the mode the teacher was in
    kb.row(_button(_("✏️ Topic"), view, LessonAct.topic, v=back_to_grades),
           _button(_("✏️ Homework"), view, LessonAct.hw, v=back_to_grades))
    return nav_row(kb, LessonCB(a=LessonAct.days, d=view.day.toordinal()).pack()).as_markup()


def sheet_screen(view: SheetView) -> Screen:
    return sheet_text(view), sheet_keyboard(view)


def picker_screen(view: SheetView, student_id: int) -> Screen:
    """A pupil's marks as buttons. Kazakhstan: formative marks 1–10 as buttons; СОР/СОЧ are points over a
    maximum, typed after a ✏️ button. Elsewhere the second and third rows are the two summatives."""
    student = view.row(student_id).name
    section, term = summative_names(view.country)
    kinds = ((MarkKind.REGULAR, ""),) if view.summatives_scored else \
        ((MarkKind.REGULAR, ""), (MarkKind.SECTION, section), (MarkKind.TERM, term))
    kb = InlineKeyboardBuilder()
    for kind, label in kinds:
        k = None if kind is MarkKind.REGULAR else kind
        row = [_button(f"{g} {label}".strip(), view, LessonAct.grade, s=student_id, v=g, n=view.version, k=k)
               for g in view.scale]
        for i in range(0, len(row), 5):
            kb.row(*row[i:i + 5])
    if view.summatives_scored:
        kb.row(*[_button(f"✏️ {name}", view, LessonAct.pct, s=student_id, n=view.version, k=kind)
                 for kind, name in zip(SUMMATIVES, (section, term), strict=True)])
    kb.row(_button(_("✖ No grade"), view, LessonAct.grade, s=student_id, v=0, n=view.version))
    return _picker_text(view, student, section, term), nav_row(kb, _cb(view, LessonAct.gmode)).as_markup()


def _picker_text(view: SheetView, student: str, section: str, term: str) -> str:
    """Which summative a typed "17/20" is cannot be guessed: in Kazakhstan the teacher presses ✏️ СОР or
    ✏️ СОЧ first."""
    if view.summatives_scored:
        return _("{student}: choose the formative mark ({low}–{high}). For a {section} or {term} result, first press "
                 "✏️ {section} or ✏️ {term}, then type the points over the maximum (17/20) or a per cent (85).").format(
            student=student, low=view.scale[0], high=view.scale[-1], section=section, term=term)
    return _("{student}: choose the grade. Second row: {section}, third row: {term}.").format(
        student=student, section=section, term=term)


def summative_prompt_screen(view: SheetView, student_id: int, kind: MarkKind) -> Screen:
    name = summative_names(view.country)[SUMMATIVES.index(kind)]
    text = _("Send {student}'s {name} result: points over the maximum, for example 17/20, or a per cent, for "
             "example 85.").format(student=view.row(student_id).name, name=name)
    return text, nav_row(InlineKeyboardBuilder(), _cb(view, LessonAct.gmode)).as_markup()


def score_retry_screen(timetable_id: int, ordinal: int) -> Screen:
    """A typed result that is neither points over a maximum nor a per cent: the question again."""
    back = LessonCB(a=LessonAct.gmode, t=timetable_id, d=ordinal).pack()
    return (_("Please send points over the maximum, like 17/20, or a per cent from 0 to 100, like 85."),
            nav_row(InlineKeyboardBuilder(), back).as_markup())


def text_prompt_screen(view: SheetView, field_name: str) -> Screen:
    text = _("Send the lesson's topic as a message.") if field_name == "topic" else \
        _("Send the homework as a message.")
    return text, nav_row(InlineKeyboardBuilder(), _cb(view, LessonAct.open)).as_markup()
