"""Journal import: lessons (topic, homework, teacher) and each student's attendance and grade, from the export
of another journal system. One row per student per lesson; a row without a student carries the lesson alone.

A lesson is (class, subject, date, period); a mark is (lesson, student). Both are updated in place, so the
same export imported twice changes nothing; a changed mark keeps its history in journal_changes. Grades are
checked against domain.grading (the country's scale and classes without marks). A summative the country scores
as points over a maximum (Kazakhstan's СОР/СОЧ) is read as "17/20" or as a per cent ("85", "85%").
Classes and students must already be in the roster; a subject the school lacks is added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.columns import JOURNAL
from bot.importing.journal_marks import MarkLine, read_mark
from bot.importing.lookup import SchoolDirectory, found_or_report, load_finder, school_or_report, seen_before
from bot.importing.report import ImportReport
from bot.importing.spreadsheet import Row, Table, bind
from domain.grading import first_half_end, school_year_start, why_no_grade
from domain.tabular import parse_date, parse_int, text_key
from storage.models.journal import JournalChange, JournalLesson, JournalMark
from storage.models.people import Staff
from storage.models.schools import School, SchoolClass, Student, Subject


@dataclass
class LessonDraft:
    klass: SchoolClass
    subject: Subject
    day: date
    period: int
    topic: str | None = None
    homework: str | None = None
    teacher_id: int | None = None
    marks: dict[int, tuple[Student, MarkLine]] = field(default_factory=dict)


async def import_journal(session: AsyncSession, tables: list[Table], *, now: datetime) -> ImportReport:
    report = ImportReport("journal")
    rows, has_school_column = _journal_rows(tables, report)
    finder = await load_finder(session, report, rows=bool(rows), has_school_column=has_school_column)
    if finder is None:
        return report
    by_school: dict[int, tuple[School, list[Row]]] = {}
    for row in rows:
        school = school_or_report(row, finder, report, has_school_column=has_school_column)
        if school is not None:
            by_school.setdefault(school.id, (school, []))[1].append(row)
    for school, school_rows in by_school.values():
        directory = await SchoolDirectory.load(session, school, terms=True, timetable=True)
        lessons = _read_rows(session, directory, school_rows, report, now)
        if not report.errors:
            await _write(session, school, lessons, report, now)
    return report


def _journal_rows(tables: list[Table], report: ImportReport) -> tuple[list[Row], bool]:
    """Every sheet's rows (a sheet without a journal header is skipped when there are several); whether any
    sheet has a school column."""
    rows: list[Row] = []
    has_school_column = False
    several = sum(1 for t in tables if t.rows) > 1
    for table in tables:
        bound = bind(table, JOURNAL, report, required=("class", "subject", "date"),
                     fill_down=("school", "school_id"), skip_unknown=several) if table.rows else None
        if bound is not None:
            rows += bound.rows
            has_school_column |= bool({"school", "school_id"} & bound.columns)
    return rows, has_school_column


def _read_rows(session: AsyncSession, directory: SchoolDirectory, rows: list[Row], report: ImportReport,
               now: datetime) -> dict[tuple, LessonDraft]:
    reader = _JournalReader(session, directory, report, now.astimezone(ZoneInfo(directory.school.timezone)).date(),
                            [(t.number, t.starts_on, t.ends_on) for t in directory.terms])
    for row in rows:
        reader.read(row)
    return reader.lessons


@dataclass
class _JournalReader:
    """Rows to lesson drafts with their marks; each bad row is reported and left out."""

    session: AsyncSession
    directory: SchoolDirectory
    report: ImportReport
    today: date
    terms: list[tuple[int, date, date]]
    half_ends: dict[int, date | None] = field(default_factory=dict)
    lessons: dict[tuple, LessonDraft] = field(default_factory=dict)
    seen_marks: dict[tuple, Row] = field(default_factory=dict)

    def read(self, row: Row) -> None:
        cells = self._cells(row)
        if cells is None:
            return
        klass, day, period, line = cells
        subject_name = row.text("subject")
        slot = _timetable_slot(self.directory, klass.id, self.directory.find_subject(subject_name), day, period)
        if period is None:
            period = slot.period if slot else 1
        people = self._people(row, klass, line)
        if people is None or not self._grade_allowed(row, klass, day, line):
            return
        student, teacher = people
        subject, _created = self.directory.subject(self.session, subject_name)
        key = (klass.id, text_key(subject_name), day, period)
        lesson = self.lessons.get(key)
        if lesson is None:
            lesson = self.lessons[key] = LessonDraft(klass, subject, day, period,
                                                     teacher_id=slot.teacher_id if slot else None)
        lesson.topic = lesson.topic or (row.text("topic") or None)
        lesson.homework = lesson.homework or (row.text("homework") or None)
        if teacher is not None:
            lesson.teacher_id = teacher.id
        if student is not None and line is not None:
            self._add_mark(row, lesson, (key, student.id), student, line)

    def _cells(self, row: Row) -> tuple[SchoolClass, date, int | None, MarkLine | None] | None:
        """Class, date, period and mark of a row; None when any is wrong (every wrong cell reported)."""
        report, before = self.report, len(self.report.errors)
        klass = found_or_report(report, row, "class", self.directory.find_class, row.text("class"),
                                f"unknown class “{row.text('class')}” (import the roster first)")
        day = None
        try:
            day = parse_date(row.raw("date"))
            if day > self.today:
                report.error(row, f"{day.isoformat()} is in the future", "date")
        except ValueError as exc:
            report.error(row, str(exc), "date")
        period = report.parse(row, "period", lambda v: parse_int(v, low=1, high=12), optional=True)
        line = read_mark(row, report, self.directory.school.country)
        if klass is None or day is None or len(report.errors) > before:
            return None
        return klass, day, period, line

    def _people(self, row: Row, klass: SchoolClass,
                line: MarkLine | None) -> tuple[Student | None, Staff | None] | None:
        """The row's student (needed for a mark) and teacher, when named; None when one is unknown."""
        student = teacher = None
        if row.has("student"):
            student = found_or_report(self.report, row, "student", partial(self.directory.find_student, klass.id),
                                      row.text("student"), f"no student “{row.text('student')}” in class {klass.name}")
            if student is None:
                return None
        elif line is not None:
            self.report.error(row, "attendance or a grade needs a student", "student")
            return None
        if row.has("teacher"):
            teacher = found_or_report(self.report, row, "teacher", self.directory.find_staff, row.text("teacher"),
                                      f"unknown teacher “{row.text('teacher')}”")
            if teacher is None:
                return None
        return student, teacher

    def _grade_allowed(self, row: Row, klass: SchoolClass, day: date, line: MarkLine | None) -> bool:
        """Whether the grade may be given (grades 1 and the first half of grade 2 are not marked, ...)."""
        if line is None or line.grade is None:
            return True
        year = school_year_start(day)
        if year not in self.half_ends:
            self.half_ends[year] = first_half_end(self.terms, day)
        reason = why_no_grade(self.directory.school.country, klass.grade, day, self.half_ends[year], line.grade,
                              kind=line.kind)
        if reason:
            self.report.error(row, f"{reason} (class {klass.name}, {day.isoformat()})", "grade")
        return not reason

    def _add_mark(self, row: Row, lesson: LessonDraft, key: tuple, student: Student, line: MarkLine) -> None:
        if (earlier := seen_before(self.seen_marks, key, row)) is not None:
            self.report.error(row, f"{student.full_name} already has a row for this lesson (row {earlier.number})",
                              "student")
            return
        lesson.marks[student.id] = (student, line)


def _timetable_slot(directory: SchoolDirectory, class_id: int, subject: Subject | None, day: date,
                    period: int | None):
    """The class's timetable slot for this lesson: by period if given, else the subject's only one that day."""
    if subject is None or subject.id is None:
        return None
    if period is not None:
        slot = directory.timetable.get((class_id, day.weekday(), period))
        return slot if slot is not None and slot.subject_id == subject.id else None
    slots = [s for (c, w, _p), s in directory.timetable.items()
             if c == class_id and w == day.weekday() and s.subject_id == subject.id]
    return slots[0] if len(slots) == 1 else None


async def _write(session: AsyncSession, school: School, drafts: dict[tuple, LessonDraft], report: ImportReport,
                 now: datetime) -> None:
    if not drafts:
        return
    await session.flush()  # new subjects get their ids
    first = min(d.day for d in drafts.values())
    last = max(d.day for d in drafts.values())
    existing = await _stored_lessons(session, school, first, last)
    pairs: list[tuple[LessonDraft, JournalLesson, bool]] = []
    for draft in drafts.values():
        lesson = existing.get((draft.klass.id, draft.subject.id, draft.day, draft.period))
        pairs.append(_write_lesson(session, school, draft, lesson, report, now))
    await session.flush()
    await _write_marks(session, school, pairs, first, last, report, now)


async def _stored_lessons(session: AsyncSession, school: School, first: date,
                          last: date) -> dict[tuple[int, int, date, int], JournalLesson]:
    """The school's stored lessons of those days by (class, subject, date, period)."""
    return {(lesson.class_id, lesson.subject_id, lesson.lesson_date, lesson.period): lesson
            for lesson in await session.scalars(select(JournalLesson).where(
                JournalLesson.school_id == school.id, JournalLesson.lesson_date >= first,
                JournalLesson.lesson_date <= last))}


def _write_lesson(session: AsyncSession, school: School, draft: LessonDraft, lesson: JournalLesson | None,
                  report: ImportReport, now: datetime) -> tuple[LessonDraft, JournalLesson, bool]:
    """The draft, its lesson (added, or the stored one updated) and whether that lesson's version was set now."""
    if lesson is None:
        lesson = JournalLesson(school_id=school.id, class_id=draft.klass.id, subject_id=draft.subject.id,
                               teacher_id=draft.teacher_id, lesson_date=draft.day, period=draft.period,
                               topic=draft.topic, homework=draft.homework, version=1, updated_at=now,
                               attendance_taken_at=now if draft.marks else None)
        session.add(lesson)
        report.tally("lessons", "created")
        return draft, lesson, True  # new: version 1 already
    changed = _update_lesson(session, lesson, draft, now)
    report.tally("lessons", "updated" if changed else "unchanged")
    return draft, lesson, changed


def _update_lesson(session: AsyncSession, lesson: JournalLesson, draft: LessonDraft, now: datetime) -> bool:
    """The file's topic, homework, teacher and attendance on a stored lesson (its version bumped); whether any
    changed. Topic and homework changes keep their history."""
    changed = False
    for field_name, value in (("topic", draft.topic), ("homework", draft.homework)):
        if value and getattr(lesson, field_name) != value:
            _log(session, lesson.id, None, field_name, getattr(lesson, field_name), value, now)
            setattr(lesson, field_name, value)
            changed = True
    if draft.teacher_id and lesson.teacher_id != draft.teacher_id:
        lesson.teacher_id = draft.teacher_id
        changed = True
    if draft.marks and lesson.attendance_taken_at is None:
        lesson.attendance_taken_at = now
        changed = True
    if changed:
        lesson.version = (lesson.version or 0) + 1
        lesson.updated_at = now
    return changed


MARK_FIELDS = ("attendance", "reason", "grade", "kind", "points", "max_points")


async def _current_marks(session: AsyncSession, school: School, first: date,
                         last: date) -> dict[tuple[int, int], tuple[int, dict[str, object], int]]:
    """The school's stored marks of those days: (lesson, student) -> (mark id, its values, version)."""
    columns = [getattr(JournalMark, name) for name in MARK_FIELDS]
    rows = await session.execute(
        select(JournalMark.id, JournalMark.lesson_id, JournalMark.student_id, JournalMark.version, *columns)
        .join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
        .where(JournalLesson.school_id == school.id, JournalLesson.lesson_date >= first,
               JournalLesson.lesson_date <= last))
    return {(lesson_id, student_id): (mark_id, dict(zip(MARK_FIELDS, values, strict=True)), version)
            for mark_id, lesson_id, student_id, version, *values in rows}


async def _write_marks(session: AsyncSession, school: School,
                       pairs: list[tuple[LessonDraft, JournalLesson, bool]], first: date, last: date,
                       report: ImportReport, now: datetime) -> None:
    current = await _current_marks(session, school, first, last)
    inserts, updates, touched_lessons = _mark_changes(session, pairs, current, report, now)
    if inserts:  # Core executemany: one batch, whichever values are empty
        await session.execute(insert(JournalMark.__table__), inserts)
        report.tally("marks", "created", len(inserts))
    if updates:
        await session.execute(update(JournalMark), updates)
        report.tally("marks", "updated", len(updates))
    for _draft, lesson, bumped in pairs:
        if not bumped and lesson.id in touched_lessons:
            lesson.version = (lesson.version or 0) + 1
            lesson.updated_at = now
    await session.flush()


def _mark_changes(session: AsyncSession, pairs: list[tuple[LessonDraft, JournalLesson, bool]],
                  current: dict[tuple[int, int], tuple[int, dict[str, object], int]], report: ImportReport,
                  now: datetime) -> tuple[list[dict], list[dict], set[int]]:
    """The new marks' rows, the changed marks' updates (their history logged) and the lessons they changed."""
    inserts: list[dict] = []
    updates: list[dict] = []
    touched_lessons: set[int] = set()
    for draft, lesson, _new in pairs:
        for student_id, (_student, line) in draft.marks.items():
            values = {name: getattr(line, name) for name in MARK_FIELDS}
            old = current.get((lesson.id, student_id))
            if old is None:
                inserts.append({"lesson_id": lesson.id, "student_id": student_id, **values, "version": 1,
                                "updated_at": now, "updated_by": None})
            elif _changed_mark(session, lesson.id, student_id, old, values, now, report, updates):
                touched_lessons.add(lesson.id)
    return inserts, updates, touched_lessons


def _changed_mark(session: AsyncSession, lesson_id: int, student_id: int, old: tuple[int, dict[str, object], int],
                  values: dict[str, object], now: datetime, report: ImportReport, updates: list[dict]) -> bool:
    """Whether a stored mark differs from the file's: then its update is queued and each changed field logged."""
    mark_id, before, version = old
    if before == values:
        report.tally("marks", "unchanged")
        return False
    for name, value in values.items():
        if before[name] != value:
            _log(session, lesson_id, student_id, name, before[name], value, now)
    updates.append({"id": mark_id, **values, "version": (version or 0) + 1, "updated_at": now, "updated_by": None})
    return True


def _log(session: AsyncSession, lesson_id: int, student_id: int | None, field_name: str, old: object,
         new: object, now: datetime) -> None:
    """History of a change made by the import (changed_by is empty: no user made it)."""
    session.add(JournalChange(lesson_id=lesson_id, student_id=student_id, field=field_name,
                              old_value=None if old is None else str(old)[:300],
                              new_value=None if new is None else str(new)[:300], changed_by=None, changed_at=now))
