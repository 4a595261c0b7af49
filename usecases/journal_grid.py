"""The journal grid of one class and subject: pupils down, lessons across, one cell per pupil and lesson.

Reads in a handful of indexed queries; writes go through the chat's own gate and writers
(`usecases.journal.write_cell`, `write_attendance_taken`, `write_text`), so each edit keeps its history row and
bumps the lesson's version, and an edit made on a screen older than the lesson's last change is refused
(`StaleScreen`), as in chat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.countries import local_day, rules_for
from domain.grading import MarkKind, allowed_grades, first_half_end
from domain.journal import week_start
from storage.models import JournalLesson, School, SchoolClass, Term
from storage.repositories import grid as grid_repo
from storage.repositories import journal
from storage.repositories.schools import membership_of
from usecases import journal as lessons
from usecases.errors import NotAllowed, NotFound
from usecases.journal import Cell, Change, cell_of
from usecases.uow import UnitOfWork

__all__ = ["Cell", "Column", "Grid", "Pupil", "Saved", "load_grid", "openable", "save_attendance", "set_cell",
           "set_lesson_text"]

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


async def _viewer(uow: UnitOfWork, user_id: int, class_id: int) -> tuple[SchoolClass, School, list[int], bool]:
    """The class, its school, the user's staff ids there and whether they are its class teacher; refused to
    anyone not on that school's staff."""
    found = await grid_repo.class_with_school(uow.session, class_id)
    if found is None:
        raise NotFound("class")
    klass, school = found
    membership = await membership_of(uow.session, user_id)
    staff_ids = [s.id for s in membership.staff if s.school_id == klass.school_id]
    if not staff_ids:
        raise NotAllowed("not on this school's staff")
    return klass, school, staff_ids, klass.id in membership.class_ids


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
    klass, school, staff_ids, is_class_teacher = await _viewer(uow, teacher_user_id, class_id)
    today = local_day(school.timezone, now)
    week_of = week_of or today
    terms = await journal.school_terms(uow.session, school.id)
    term = await journal.term_for(uow.session, school.id, week_of)
    span, start, end = _span(span, week_of, today, term)
    data = await grid_repo.grid_data(uow.session, klass, school, subject_id, start, end)
    if data is None:
        raise NotFound("subject")
    if not is_class_teacher and not any(slot.teacher_id in staff_ids for slot in data.slots):
        raise NotAllowed("not this teacher's class and subject")
    rules = rules_for(school.country)
    need = rules.min_marks(len(data.slots))
    counts = await _term_counts(uow, data, subject_id, span, term)
    grid = Grid(class_id=klass.id, class_name=klass.name, subject_id=subject_id, subject_name=data.subject.name,
                country=school.country, span=span, start=start, end=end, today=today,
                is_class_teacher=is_class_teacher, min_marks=need,
                summative_names=tuple(rules.summative_names.value),  # type: ignore[arg-type]
                pupils=[Pupil(id=s.id, name=s.full_name, term_marks=counts.get(s.id, 0),
                              too_few_marks=counts.get(s.id, 0) < need) for s in data.students])
    _fill_columns(grid, data, staff_ids, terms, bool(rules.summative_as_percent.value))
    return grid


def _span(span: str, week_of: date, today: date, term: Term | None) -> tuple[str, date, date]:
    """(span, first day, last day): the term up to today, or the week of `week_of`."""
    if span == "term" and term is not None:
        return span, term.starts_on, min(term.ends_on, max(today, term.starts_on))
    start = week_start(week_of)
    return "week", start, start + timedelta(days=6)


async def _term_counts(uow: UnitOfWork, data: grid_repo.GridData, subject_id: int, span: str,
                       term: Term | None) -> dict[int, int]:
    """Marks per pupil in the term so far."""
    if term is None:
        return {}
    if span != "term":
        return await grid_repo.mark_counts(uow.session, data.klass.id, subject_id, term.starts_on, term.ends_on)
    counts: dict[int, int] = {}  # the term's marks are loaded already
    for mark in data.marks:
        if mark.grade is not None:
            counts[mark.student_id] = counts.get(mark.student_id, 0) + 1
    return counts


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


def _gap(lesson: JournalLesson | None, scale: tuple[int, ...], marks: list) -> str:
    """What a past lesson lacks: "attendance" (not taken), "marks" (none at all) or ""."""
    if lesson is None or lesson.attendance_taken_at is None:
        return "attendance"
    return "marks" if scale and not any(m.grade is not None for m in marks) else ""


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
        gap = _gap(lesson, scale, marks) if day < grid.today else ""  # today's lessons may still be filled in
        grid.columns.append(Column(
            timetable_id=slot.id if slot is not None else None, day=day, period=period,
            version=lesson.version if lesson is not None else 0,
            topic=lesson.topic if lesson is not None else None,
            homework=lesson.homework if lesson is not None else None,
            attendance_taken=lesson is not None and lesson.attendance_taken_at is not None,
            editable=slot is not None and slot.teacher_id in staff_ids and not future,
            future=future, scale=scale, summative_percent=summative_percent, gap=gap))
        for mark in marks:
            grid.cells[(index, mark.student_id)] = lessons.cell_from(mark)


# --- writes: through the chat's gate and writers (usecases/journal.py) ------------------------------------------


async def set_cell(uow: UnitOfWork, teacher_user_id: int, timetable_id: int, day: date, student_id: int,
                   seen_version: int, now: datetime, *, attendance: str | None = None, grade: int | None = None,
                   kind: str = MarkKind.REGULAR.value, clear_grade: bool = False, score: str | None = None) -> Saved:
    """Set one pupil's attendance and/or mark on one lesson; committed once, with history.

    `score` is a summative typed as the chat takes it where the country scores them (Kazakhstan's СОР/СОЧ):
    "17/20" or a per cent "85"; the mark's grade is then the per cent, as in chat."""
    change = Change(attendance=attendance, grade=grade, kind=kind, clear_grade=clear_grade, score=score)
    sheet = await lessons.write_cell(uow, teacher_user_id, timetable_id, day, student_id, seen_version, now, change)
    cell = cell_of(sheet, student_id)
    graded = grade is not None or score is not None
    note = lessons.absent_note(sheet, student_id, cell.grade if graded else None)
    return Saved(cell=cell, version=sheet.lesson.version, note=note)  # type: ignore[union-attr]


async def save_attendance(uow: UnitOfWork, teacher_user_id: int, timetable_id: int, day: date, seen_version: int,
                          now: datetime) -> int:
    """"Attendance taken" for the lesson: everyone not marked otherwise is present. Returns the new version."""
    sheet = await lessons.write_attendance_taken(uow, teacher_user_id, timetable_id, day, seen_version, now)
    return sheet.lesson.version  # type: ignore[union-attr]


async def set_lesson_text(uow: UnitOfWork, teacher_user_id: int, timetable_id: int, day: date, field_name: str,
                          value: str, now: datetime) -> int:
    """Topic or homework of a lesson (as typed in chat: trimmed, cut to the column's size)."""
    sheet = await lessons.write_text(uow, teacher_user_id, timetable_id, day, field_name, value, now)
    return sheet.lesson.version  # type: ignore[union-attr]
