"""A teacher's journal, one lesson at a time: the day's lessons, a lesson's sheet, attendance, marks, Kazakhstan's
СОР/СОЧ points, topic and homework. The chat and the Mini App (usecases/journal_grid.py) write through the same
gate (`editable_sheet`: this teacher's lesson, not in the future, a screen not older than the lesson's last
change, a pupil of the class) and the same writers, each committing once and keeping a history row per change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Row

from domain.countries import local_day
from domain.grading import MarkKind, allowed_grades, first_half_end, is_percent_kind, parse_score, score_percent
from domain.grading import summatives_scored as scored_as_points
from domain.journal import ATTENDANCE_CYCLE, next_attendance
from storage.models import JournalMark, School
from storage.repositories import journal
from storage.repositories.journal import LessonSheet
from storage.repositories.schools import membership_of
from usecases.errors import N_, BadValue, NotAllowed, NotFound, StaleScreen, TooEarly
from usecases.uow import UnitOfWork

log = logging.getLogger(__name__)

#: Typed topic and homework are cut to their columns' sizes.
LESSON_TEXT_LIMITS = {"topic": 300, "homework": 1000}


# --- refusals (the chat's wording; codes and statuses are the Mini App's) -----------------------------------


class NotYourLesson(NotAllowed):
    text = N_("This is not your lesson, or the button is out of date.")


class LessonGone(NotFound):
    text = N_("This is not your lesson, or the button is out of date.")


class NotOnLessonDay(TooEarly):
    text = N_("The journal is filled on the day of the lesson, not before.")


class LessonChanged(StaleScreen):
    """`data` has the lesson's version (and the pupil's cell); `view` the fresh sheet when the chat asked for it."""

    text = N_("Someone changed this lesson meanwhile. Here is the fresh list: check and tap again.")
    view: SheetView | None = None


class GradeNotUsed(BadValue):
    text = N_("This grade is not used for this class.")


class BadScore(BadValue):
    """A summative's result that is neither points over a maximum ("17/20") nor a per cent ("85")."""

    text = N_("Please send points over the maximum, like 17/20, or a per cent from 0 to 100, like 85.")


# --- view models ---------------------------------------------------------------------------------------------


class SheetMode(StrEnum):
    """What a tap on a pupil does: cycle attendance, or open the marks."""

    ATTENDANCE = "att"
    GRADES = "grade"


@dataclass(frozen=True, slots=True)
class Cell:
    attendance: str | None  # None: nothing entered
    grade: int | None  # a mark, or a scored summative's per cent
    kind: str
    #: Kazakhstan's СОР/СОЧ: points over a maximum ("17/20"); None for a mark.
    points: int | None = None
    max_points: int | None = None


@dataclass(frozen=True, slots=True)
class SheetRow:
    student_id: int
    name: str
    cell: Cell


@dataclass(frozen=True)
class SheetView:
    timetable_id: int
    day: date
    period: int
    class_name: str
    subject_name: str
    country: str
    version: int
    topic: str | None
    homework: str | None
    attendance_taken: bool
    #: The marks a regular mark may take; () where the class gets no marks on this day.
    scale: tuple[int, ...]
    #: Kazakhstan: СОР/СОЧ are typed as points over a maximum, not chosen from the scale.
    summatives_scored: bool
    mode: SheetMode
    rows: tuple[SheetRow, ...]
    #: "absent_with_grade" after a mark given to a pupil marked absent (allowed; worth a second look).
    note: str = ""

    @property
    def present(self) -> int:
        return sum(1 for r in self.rows if r.cell.attendance in (None, "present", "late"))

    @property
    def graded(self) -> int:
        return sum(1 for r in self.rows if r.cell.grade is not None)

    def row(self, student_id: int) -> SheetRow:
        return next(r for r in self.rows if r.student_id == student_id)


class LessonState(StrEnum):
    FUTURE = "future"
    NO_ATTENDANCE = "no_attendance"
    NO_GRADES = "no_grades"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class DayItem:
    timetable_id: int
    period: int
    class_name: str
    subject_name: str
    state: LessonState


@dataclass(frozen=True)
class DayView:
    on_staff: bool
    day: date | None = None
    today: date | None = None
    items: tuple[DayItem, ...] = ()


@dataclass(frozen=True)
class Change:
    """What one tap or one request changes in a pupil's cell."""

    attendance: str | None = None
    #: Attendance one step on: ✓ → ✗ → 🤒 → ⏰ → ✓.
    cycle: bool = False
    grade: int | None = None
    kind: str = MarkKind.REGULAR.value
    clear_grade: bool = False
    #: A summative typed as the chat takes it where the country scores them: "17/20", or a per cent "85".
    score: str | None = None


def cell_from(mark: JournalMark | Row) -> Cell:
    return Cell(attendance=mark.attendance, grade=mark.grade, kind=mark.kind, points=mark.points,
                max_points=mark.max_points)


def cell_of(sheet: LessonSheet, student_id: int) -> Cell:
    mark = sheet.marks.get(student_id)
    return cell_from(mark) if mark is not None else Cell(attendance=None, grade=None, kind=MarkKind.REGULAR.value)


def absent_note(sheet: LessonSheet, student_id: int, grade: int | None) -> str:
    return "absent_with_grade" if grade is not None and cell_of(sheet, student_id).attendance in (
        "absent", "excused") else ""


async def lesson_scale(uow: UnitOfWork, sheet: LessonSheet, day: date,
                       kind: str = MarkKind.REGULAR.value) -> tuple[int, ...]:
    """The marks this lesson may carry (none in grade 1, nor in some countries' grade 2 first half-year)."""
    terms = await journal.school_terms(uow.session, sheet.school.id)
    return allowed_grades(sheet.school.country, sheet.klass.grade, day, first_half_end(terms, day), kind=kind)


async def sheet_view(uow: UnitOfWork, sheet: LessonSheet, day: date, mode: SheetMode, note: str = "") -> SheetView:
    scale = await lesson_scale(uow, sheet, day)
    lesson = sheet.lesson
    return SheetView(
        timetable_id=sheet.slot.id, day=day, period=sheet.slot.period, class_name=sheet.klass.name,
        subject_name=sheet.subject.name, country=sheet.school.country, version=lesson.version if lesson else 0,
        topic=lesson.topic if lesson else None, homework=lesson.homework if lesson else None,
        attendance_taken=lesson is not None and lesson.attendance_taken_at is not None, scale=scale,
        summatives_scored=scored_as_points(sheet.school.country), mode=mode if scale else SheetMode.ATTENDANCE,
        rows=tuple(SheetRow(s.id, s.full_name, cell_of(sheet, s.id)) for s in sheet.students), note=note)


# --- the one gate of every read and write of a lesson ---------------------------------------------------------


async def own_sheet(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, now: datetime) -> LessonSheet:
    """The lesson only if it is this teacher's (forged ids of other teachers' lessons get nothing) and not in
    the future."""
    sheet = await journal.lesson_sheet(uow.session, timetable_id, day)
    if sheet is None:
        raise LessonGone("lesson")
    membership = await membership_of(uow.session, user_id)
    if sheet.slot.teacher_id not in [s.id for s in membership.staff] or day.weekday() != sheet.slot.weekday:
        log.warning("user %s tried lesson %s of another teacher or day", user_id, timetable_id)
        raise NotYourLesson("not this teacher's lesson")
    if day > local_day(sheet.school.timezone, now):
        raise NotOnLessonDay("lesson in the future")
    return sheet


async def editable_sheet(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, seen_version: int | None,
                         now: datetime, student_id: int | None = None, *,
                         redraw: SheetMode | None = None) -> LessonSheet:
    """`own_sheet`, refused when the screen is older than the lesson's last change (`seen_version`; None skips
    the check) or the pupil is not in the class. `redraw`: the fresh sheet goes with the refusal, in that mode."""
    sheet = await own_sheet(uow, user_id, timetable_id, day, now)
    current = sheet.lesson.version if sheet.lesson else 0
    if seen_version is not None and seen_version != current:
        fresh = {"cell": cell_of(sheet, student_id)} if student_id is not None else {}
        refusal = LessonChanged("lesson changed meanwhile", version=current, **fresh)
        if redraw is not None:
            refusal.view = await sheet_view(uow, sheet, day, redraw)
        raise refusal
    if student_id is not None and student_id not in {s.id for s in sheet.students}:
        raise NotYourLesson("not a pupil of this class")
    return sheet


# --- the writers (chat and Mini App) -------------------------------------------------------------------------


def _typed_score(change: Change) -> tuple[int | None, tuple[int, int] | None]:
    """(grade, points): a typed summative's per cent and its points over the maximum, or the change's grade."""
    if change.score is None:
        return change.grade, None
    try:
        points = parse_score(change.score)
    except ValueError as exc:
        raise BadScore("score") from exc
    return score_percent(*points), points


async def _checked_values(uow: UnitOfWork, sheet: LessonSheet, day: date, student_id: int,
                          change: Change) -> tuple[str | None, int | None, tuple[int, int] | None]:
    """(attendance, grade, points) the change writes, or a refusal."""
    grade, points = _typed_score(change)
    attendance = next_attendance(cell_of(sheet, student_id).attendance or "present") if change.cycle \
        else change.attendance
    if attendance is not None and attendance not in ATTENDANCE_CYCLE:
        raise BadValue("attendance")
    if attendance is None and grade is None and not change.clear_grade:
        raise BadValue("nothing to change")
    if change.kind not in MarkKind._value2member_map_:
        raise BadValue("kind")
    if grade is not None:
        allowed = await lesson_scale(uow, sheet, day, change.kind)
        if grade not in allowed:
            raise GradeNotUsed("grade outside the scale", allowed=[allowed[0], allowed[-1]] if allowed else [])
        if is_percent_kind(sheet.school.country, change.kind) != (points is not None):
            raise GradeNotUsed("score")  # Kazakhstan's СОР/СОЧ are scored (points/maximum), marks are not
    return attendance, grade, points


async def write_cell(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, student_id: int,
                     seen_version: int, now: datetime, change: Change, *,
                     redraw: SheetMode | None = None) -> LessonSheet:
    """One pupil's attendance and/or mark on one lesson; committed once, with history."""
    sheet = await editable_sheet(uow, user_id, timetable_id, day, seen_version, now, student_id, redraw=redraw)
    attendance, grade, points = await _checked_values(uow, sheet, day, student_id, change)
    await journal.ensure_lesson(uow.session, sheet, day, user_id, now)
    writes_grade = grade is not None or change.clear_grade
    await journal.set_mark(uow.session, sheet, student_id, user_id=user_id, now=now, attendance=attendance,
                           reason="excused" if attendance == "excused" else None, grade=grade,
                           clear_grade=change.clear_grade, kind=change.kind if writes_grade else None, score=points)
    await uow.commit()
    return sheet


async def write_attendance_taken(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, seen_version: int,
                                 now: datetime, *, redraw: SheetMode | None = None) -> LessonSheet:
    """"Attendance taken" for the lesson: everyone not marked otherwise is present."""
    sheet = await editable_sheet(uow, user_id, timetable_id, day, seen_version, now, redraw=redraw)
    await journal.ensure_lesson(uow.session, sheet, day, user_id, now)
    await journal.mark_attendance_taken(uow.session, sheet, user_id=user_id, now=now)
    await uow.commit()
    return sheet


async def write_text(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, field_name: str, value: str,
                     now: datetime) -> LessonSheet:
    """Topic or homework of a lesson: trimmed, cut to the column's size."""
    if field_name not in LESSON_TEXT_LIMITS:
        raise BadValue("field")
    sheet = await own_sheet(uow, user_id, timetable_id, day, now)
    lesson = await journal.ensure_lesson(uow.session, sheet, day, user_id, now)
    await journal.set_lesson_text(uow.session, lesson, field_name, value.strip()[:LESSON_TEXT_LIMITS[field_name]],
                                  user_id=user_id, now=now)
    await uow.commit()
    return sheet


# --- the chat's use cases: each returns the screen to show next ---------------------------------------------


def _state(item: journal.DaySlot, day: date, today: date) -> LessonState:
    if day > today:
        return LessonState.FUTURE
    if item.lesson is None or item.lesson.attendance_taken_at is None:
        return LessonState.NO_ATTENDANCE
    return LessonState.NO_GRADES if item.graded == 0 else LessonState.DONE


async def day_view(uow: UnitOfWork, user_id: int, day: date | None, now: datetime) -> DayView:
    """A teacher's lessons of a day (default: the school's today), each with what is still missing."""
    staff = (await membership_of(uow.session, user_id)).staff
    if not staff:
        return DayView(on_staff=False)
    school = await uow.session.get(School, staff[0].school_id)
    today = local_day(school.timezone if school else None, now)
    day = day or today
    slots = await journal.teacher_day(uow.session, [s.id for s in staff], day)
    return DayView(on_staff=True, day=day, today=today, items=tuple(
        DayItem(s.slot.id, s.slot.period, s.class_name, s.subject_name, _state(s, day, today)) for s in slots))


async def open_sheet(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, now: datetime,
                     mode: SheetMode = SheetMode.ATTENDANCE) -> SheetView:
    return await sheet_view(uow, await own_sheet(uow, user_id, timetable_id, day, now), day, mode)


async def choose_pupil(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, student_id: int,
                       seen_version: int | None, now: datetime) -> SheetView:
    """The sheet, checked for the pupil about to get a mark (the grade picker, the СОР/СОЧ prompt)."""
    sheet = await editable_sheet(uow, user_id, timetable_id, day, seen_version, now, student_id,
                                 redraw=SheetMode.GRADES)
    return await sheet_view(uow, sheet, day, SheetMode.GRADES)


async def cycle_attendance(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, student_id: int,
                           seen_version: int, now: datetime) -> SheetView:
    mode = SheetMode.ATTENDANCE
    sheet = await write_cell(uow, user_id, timetable_id, day, student_id, seen_version, now, Change(cycle=True),
                             redraw=mode)
    return await sheet_view(uow, sheet, day, mode)


async def save_attendance(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, seen_version: int,
                          now: datetime) -> SheetView:
    """Attendance saved; the sheet moves on to the marks."""
    sheet = await write_attendance_taken(uow, user_id, timetable_id, day, seen_version, now,
                                         redraw=SheetMode.ATTENDANCE)
    return await sheet_view(uow, sheet, day, SheetMode.GRADES)


async def set_grade(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, student_id: int,
                    seen_version: int, grade: int, kind: str, now: datetime) -> SheetView:
    """A mark from the scale (0 clears it)."""
    change = Change(grade=grade or None, clear_grade=grade == 0, kind=kind)
    sheet = await write_cell(uow, user_id, timetable_id, day, student_id, seen_version, now, change,
                             redraw=SheetMode.GRADES)
    return await sheet_view(uow, sheet, day, SheetMode.GRADES, absent_note(sheet, student_id, change.grade))


async def set_summative(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, student_id: int,
                        seen_version: int, kind: str, typed: str, now: datetime) -> SheetView:
    """Kazakhstan's СОР/СОЧ typed as points over a maximum ("17/20") or a per cent ("85")."""
    sheet = await write_cell(uow, user_id, timetable_id, day, student_id, seen_version, now,
                             Change(score=typed, kind=kind), redraw=SheetMode.GRADES)
    return await sheet_view(uow, sheet, day, SheetMode.GRADES)


async def set_text(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, field_name: str, typed: str,
                   now: datetime, mode: SheetMode = SheetMode.ATTENDANCE) -> SheetView:
    """Topic or homework typed in chat; the sheet comes back in the mode the teacher was in."""
    sheet = await write_text(uow, user_id, timetable_id, day, field_name, typed, now)
    return await sheet_view(uow, sheet, day, mode)
