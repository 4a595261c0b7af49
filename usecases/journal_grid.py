"""The journal grid of one class and subject: pupils down, lessons across, one cell per pupil and lesson.

Reads in a handful of indexed queries; writes go through the very repository functions the chat uses
(`storage.repositories.journal.lesson_sheet`, `ensure_lesson`, `set_mark`, `mark_attendance_taken`,
`set_lesson_text`), so each edit keeps its history row and bumps the lesson's version, and an edit made on a
screen older than the lesson's last change is refused (`StaleScreen`), as in chat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Row

from domain.countries import local_day, rules_for
from domain.grading import MarkKind, allowed_grades, first_half_end, is_percent_kind, parse_score, score_percent
from domain.journal import ATTENDANCE_CYCLE, week_start
from storage.models import JournalMark, SchoolClass
from storage.repositories import grid as grid_repo
from storage.repositories import journal
from storage.repositories.journal import LessonSheet
from storage.repositories.schools import membership_of
from usecases.errors import BadValue, NotAllowed, NotFound, StaleScreen, TooEarly
from usecases.uow import UnitOfWork

LESSON_TEXT_LIMITS = {"topic": 300, "homework": 1000}  # as the chat cuts typed texts


@dataclass(slots=True)
class Cell:
    attendance: str | None  # None: nothing entered
    grade: int | None  # a mark, or a scored summative's per cent
    kind: str
    #: Kazakhstan's СОР/СОЧ: points over a maximum ("17/20"); None for a mark.
    points: int | None = None
    max_points: int | None = None


@dataclass(frozen=True)
class Column:
    """One lesson: a timetable slot on a date, held (with a journal row) or not yet."""

    timetable_id: int | None  # None: a held lesson no longer in the timetable (read only)
    day: date
    period: int
    version: int
    topic: str | None
    homework: str | None
    attendance_taken: bool
    editable: bool
    future: bool
    #: The marks a regular mark may take here; () where the class gets no marks on this day.
    scale: tuple[int, ...]
    #: Kazakhstan: СОР/СОЧ are per cents (points over a maximum of 100).
    summative_percent: bool
    #: "attendance" (not taken), "marks" (no mark at all) or "" — past lessons only.
    gap: str


@dataclass(frozen=True)
class Pupil:
    id: int
    name: str
    term_marks: int
    too_few_marks: bool


@dataclass
class Grid:
    class_id: int
    class_name: str
    subject_id: int
    subject_name: str
    country: str
    span: str
    start: date
    end: date
    today: date
    is_class_teacher: bool
    min_marks: int
    summative_names: tuple[str, str]
    columns: list[Column] = field(default_factory=list)
    pupils: list[Pupil] = field(default_factory=list)
    #: (column index, pupil id) -> cell, only where something was entered
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)


@dataclass(frozen=True)
class Saved:
    cell: Cell
    version: int
    #: "absent_with_grade" when a grade was given to a pupil marked absent (allowed; worth a second look).
    note: str = ""


async def _viewer(uow: UnitOfWork, user_id: int, klass: SchoolClass) -> tuple[list[int], bool]:
    """The user's staff ids at the class's school and whether they are its class teacher."""
    membership = await membership_of(uow.session, user_id)
    staff_ids = [s.id for s in membership.staff if s.school_id == klass.school_id]
    return staff_ids, klass.id in membership.class_ids


async def openable(uow: UnitOfWork, user_id: int) -> list[dict]:
    """The class × subject pairs a teacher may open in the grid (own lessons first)."""
    membership = await membership_of(uow.session, user_id)
    pairs = await grid_repo.teacher_classes(uow.session, [s.id for s in membership.staff], membership.class_ids)
    return [{"class_id": c, "class_name": cn, "subject_id": s, "subject_name": sn, "own": own}
            for c, cn, s, sn, own in pairs]


async def load_grid(uow: UnitOfWork, teacher_user_id: int, class_id: int, subject_id: int, week_of: date | None,
                    now: datetime, *, span: str = "week") -> Grid:
    """The grid of the week containing `week_of` (default: the school's today; span "week") or of its term
    (span "term").

    Allowed to a teacher of this class and subject and to the class's class teacher; cells are editable
    only in the viewer's own lessons, on or before the school's today.
    """
    found = await grid_repo.class_with_school(uow.session, class_id)
    if found is None:
        raise NotFound("class")
    klass, school = found
    staff_ids, is_class_teacher = await _viewer(uow, teacher_user_id, klass)
    if not staff_ids:
        raise NotAllowed("not on this school's staff")
    today = local_day(school.timezone, now)
    week_of = week_of or today
    terms = await journal.school_terms(uow.session, school.id)
    term = await journal.term_for(uow.session, school.id, week_of)
    if span == "term" and term is not None:
        start, end = term.starts_on, min(term.ends_on, max(today, term.starts_on))
    else:
        span, start = "week", week_start(week_of)
        end = start + timedelta(days=6)
    data = await grid_repo.grid_data(uow.session, klass, school, subject_id, start, end)
    if data is None:
        raise NotFound("subject")
    if not is_class_teacher and not any(slot.teacher_id in staff_ids for slot in data.slots):
        raise NotAllowed("not this teacher's class and subject")
    rules = rules_for(school.country)
    need = rules.min_marks(len(data.slots))
    if term is None:
        counts: dict[int, int] = {}
    elif span == "term":  # the term's marks are loaded already
        counts = {}
        for mark in data.marks:
            if mark.grade is not None:
                counts[mark.student_id] = counts.get(mark.student_id, 0) + 1
    else:
        counts = await grid_repo.mark_counts(uow.session, klass.id, subject_id, term.starts_on, term.ends_on)
    grid = Grid(class_id=klass.id, class_name=klass.name, subject_id=subject_id, subject_name=data.subject.name,
                country=school.country, span=span, start=start, end=end, today=today,
                is_class_teacher=is_class_teacher, min_marks=need,
                summative_names=tuple(rules.summative_names.value),  # type: ignore[arg-type]
                pupils=[Pupil(id=s.id, name=s.full_name, term_marks=counts.get(s.id, 0),
                              too_few_marks=counts.get(s.id, 0) < need) for s in data.students])
    _fill_columns(grid, data, staff_ids, terms, bool(rules.summative_as_percent.value))
    return grid


def _lesson_days(data: grid_repo.GridData, start: date, end: date) -> list[tuple[date, int]]:
    """(date, period) of every timetable lesson in the span, outside holidays."""
    by_weekday: dict[int, list[int]] = {}
    for slot in data.slots:
        by_weekday.setdefault(slot.weekday, []).append(slot.period)
    keys = []
    day = start
    while day <= end:
        if not any(s <= day <= e for s, e in data.holidays):
            keys += [(day, period) for period in by_weekday.get(day.weekday(), ())]
        day += timedelta(days=1)
    return keys


def _fill_columns(grid: Grid, data: grid_repo.GridData, staff_ids: list[int],
                  terms: list[tuple[int, date, date]], summative_percent: bool) -> None:
    slot_at = {(slot.weekday, slot.period): slot for slot in data.slots}
    held = {(lesson.lesson_date, lesson.period): lesson for lesson in data.lessons}
    marks_of: dict[int, list] = {}
    for mark in data.marks:
        marks_of.setdefault(mark.lesson_id, []).append(mark)
    for index, (day, period) in enumerate(sorted(set(_lesson_days(data, grid.start, grid.end)) | set(held))):
        slot = slot_at.get((day.weekday(), period))
        lesson = held.get((day, period))
        scale = allowed_grades(grid.country, data.klass.grade, day, first_half_end(terms, day))
        marks = marks_of.get(lesson.id, []) if lesson is not None else []
        future = day > grid.today
        gap = ""
        if day < grid.today:  # today's lessons may still be filled in
            if lesson is None or lesson.attendance_taken_at is None:
                gap = "attendance"
            elif scale and not any(m.grade is not None for m in marks):
                gap = "marks"
        grid.columns.append(Column(
            timetable_id=slot.id if slot is not None else None, day=day, period=period,
            version=lesson.version if lesson is not None else 0,
            topic=lesson.topic if lesson is not None else None,
            homework=lesson.homework if lesson is not None else None,
            attendance_taken=lesson is not None and lesson.attendance_taken_at is not None,
            editable=slot is not None and slot.teacher_id in staff_ids and not future,
            future=future, scale=scale, summative_percent=summative_percent, gap=gap))
        for mark in marks:
            grid.cells[(index, mark.student_id)] = _cell(mark)


# --- writes ---------------------------------------------------------------------------------------------------


async def own_sheet(uow: UnitOfWork, user_id: int, timetable_id: int, day: date, now: datetime) -> LessonSheet:
    """The lesson only if it is this teacher's and not in the future (the chat's `load_own_sheet` rules)."""
    sheet = await journal.lesson_sheet(uow.session, timetable_id, day)
    if sheet is None:
        raise NotFound("lesson")
    membership = await membership_of(uow.session, user_id)
    if sheet.slot.teacher_id not in [s.id for s in membership.staff] or day.weekday() != sheet.slot.weekday:
        raise NotAllowed("not this teacher's lesson")
    if day > local_day(sheet.school.timezone, now):
        raise TooEarly("lesson in the future")
    return sheet


def _cell(mark: JournalMark | Row) -> Cell:
    return Cell(attendance=mark.attendance, grade=mark.grade, kind=mark.kind, points=mark.points,
                max_points=mark.max_points)


def cell_of(sheet: LessonSheet, student_id: int) -> Cell:
    mark = sheet.marks.get(student_id)
    return _cell(mark) if mark is not None else Cell(attendance=None, grade=None, kind=MarkKind.REGULAR.value)


def _check_version(sheet: LessonSheet, seen_version: int, student_id: int | None = None) -> None:
    current = sheet.lesson.version if sheet.lesson else 0
    if seen_version != current:
        fresh = {"version": current}
        if student_id is not None:
            fresh["cell"] = cell_of(sheet, student_id)
        raise StaleScreen("lesson changed meanwhile", **fresh)


async def _check_grade(uow: UnitOfWork, sheet: LessonSheet, day: date, grade: int, kind: str) -> None:
    if kind not in MarkKind._value2member_map_:
        raise BadValue("kind")
    terms = await journal.school_terms(uow.session, sheet.school.id)
    allowed = allowed_grades(sheet.school.country, sheet.klass.grade, day, first_half_end(terms, day), kind=kind)
    if grade not in allowed:
        raise BadValue("grade outside the scale", allowed=[allowed[0], allowed[-1]] if allowed else [])


async def set_cell(uow: UnitOfWork, teacher_user_id: int, timetable_id: int, day: date, student_id: int,
                   seen_version: int, now: datetime, *, attendance: str | None = None, grade: int | None = None,
                   kind: str = MarkKind.REGULAR.value, clear_grade: bool = False, score: str | None = None) -> Saved:
    """Set one pupil's attendance and/or mark on one lesson; committed once, with history.

    `score` is a summative typed as the chat takes it where the country scores them (Kazakhstan's СОР/СОЧ):
    "17/20" or a per cent "85"; the mark's grade is then the per cent, as in chat."""
    points = None
    if score is not None:
        try:
            points = parse_score(score)
        except ValueError as exc:
            raise BadValue("score") from exc
        grade = score_percent(*points)
    sheet = await own_sheet(uow, teacher_user_id, timetable_id, day, now)
    _check_version(sheet, seen_version, student_id)
    if student_id not in {s.id for s in sheet.students}:
        raise NotAllowed("not a pupil of this class")
    if attendance is not None and attendance not in ATTENDANCE_CYCLE:
        raise BadValue("attendance")
    if attendance is None and grade is None and not clear_grade:
        raise BadValue("nothing to change")
    if grade is not None:
        await _check_grade(uow, sheet, day, grade, kind)
    if is_percent_kind(sheet.school.country, kind) != (points is not None) and grade is not None:
        raise BadValue("score")  # Kazakhstan's СОР/СОЧ are scored (points/maximum), marks are not
    await journal.ensure_lesson(uow.session, sheet, day, teacher_user_id, now)
    await journal.set_mark(uow.session, sheet, student_id, user_id=teacher_user_id, now=now, attendance=attendance,
                           reason="excused" if attendance == "excused" else None, grade=grade,
                           clear_grade=clear_grade, kind=kind if grade is not None or clear_grade else None,
                           score=points)
    await uow.commit()
    cell = cell_of(sheet, student_id)
    note = "absent_with_grade" if grade is not None and cell.attendance in ("absent", "excused") else ""
    return Saved(cell=cell, version=sheet.lesson.version, note=note)  # type: ignore[union-attr]


async def save_attendance(uow: UnitOfWork, teacher_user_id: int, timetable_id: int, day: date, seen_version: int,
                          now: datetime) -> int:
    """"Attendance taken" for the lesson: everyone not marked otherwise is present. Returns the new version."""
    sheet = await own_sheet(uow, teacher_user_id, timetable_id, day, now)
    _check_version(sheet, seen_version)
    await journal.ensure_lesson(uow.session, sheet, day, teacher_user_id, now)
    await journal.mark_attendance_taken(uow.session, sheet, user_id=teacher_user_id, now=now)
    await uow.commit()
    return sheet.lesson.version  # type: ignore[union-attr]


async def set_lesson_text(uow: UnitOfWork, teacher_user_id: int, timetable_id: int, day: date, field_name: str,
                          value: str, now: datetime) -> int:
    """Topic or homework of a lesson (as typed in chat: trimmed, cut to the column's size)."""
    if field_name not in LESSON_TEXT_LIMITS:
        raise BadValue("field")
    sheet = await own_sheet(uow, teacher_user_id, timetable_id, day, now)
    lesson = await journal.ensure_lesson(uow.session, sheet, day, teacher_user_id, now)
    await journal.set_lesson_text(uow.session, lesson, field_name, value.strip()[:LESSON_TEXT_LIMITS[field_name]],
                                  user_id=teacher_user_id, now=now)
    await uow.commit()
    return lesson.version
