"""The roster's timetable sheet: one row per lesson slot (class, weekday, period, subject, teacher).

A slot is (class, weekday, period); the sheet gives each listed class's whole week, so slots of such a class
that the sheet no longer has are removed. Teachers and classes must be in the roster (this file or earlier)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.lookup import AmbiguousName, SchoolDirectory, SchoolFinder, found_or_report, seen_before, upsert
from bot.importing.report import ImportReport
from bot.importing.spreadsheet import Row
from domain.tabular import parse_int, parse_time, parse_weekday
from storage.models import School, SchoolClass, Staff, TimetableLesson


@dataclass
class Slot:
    row: Row
    school: str | None
    klass: str
    weekday: int
    period: int
    subject: str
    teacher: str
    starts_at: object

def parse_slot(row: Row, report: ImportReport) -> Slot | None:
    before = len(report.errors)
    values = {}
    for column, parse in (("weekday", parse_weekday), ("period", lambda v: parse_int(v, low=1, high=12))):
        if not row.has(column):
            report.error(row, "empty", column)
            continue
        values[column] = report.parse(row, column, parse)
    for column in ("class", "subject"):
        if not row.has(column):
            report.error(row, "empty", column)
    starts_at = report.parse(row, "starts_at", parse_time, optional=True)
    if len(report.errors) > before:
        return None
    school = row.text("school_id") or row.text("school") or None
    return Slot(row=row, school=school, klass=row.text("class"), weekday=values["weekday"],
                period=values["period"], subject=row.text("subject"), teacher=row.text("teacher"),
                starts_at=starts_at)


def school_of_slot(slot: Slot, schools: dict[str, School], finder: SchoolFinder) -> School | None:
    if slot.school:
        try:
            return finder.find(slot.school, None) or finder.find(None, slot.school)
        except AmbiguousName:
            return None
    distinct = {id(s): s for s in schools.values()}
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    return finder.only_school()


async def write_timetable(session: AsyncSession, slots: list[Slot], schools: dict[str, School],
                           directories: dict[str, SchoolDirectory], finder: SchoolFinder,
                           report: ImportReport) -> None:
    if not slots:
        return
    writer = _TimetableWriter(session, report, schools, finder, {d.school.id: d for d in directories.values()})
    for slot in slots:
        await writer.write(slot)
    await writer.remove_unlisted()
    await session.flush()


@dataclass
class _TimetableWriter:
    """Writes the sheet's slots school by school; remembers the slots met, to remove the listed classes' others."""

    session: AsyncSession
    report: ImportReport
    schools: dict[str, School]
    finder: SchoolFinder
    by_school: dict[int, SchoolDirectory]
    loaded: set[int] = field(default_factory=set)
    seen: dict[tuple[int, int, int], Row] = field(default_factory=dict)
    listed_classes: dict[int, SchoolDirectory] = field(default_factory=dict)

    async def write(self, slot: Slot) -> None:
        directory = await self._directory(slot)
        placed = self._place(directory, slot) if directory is not None else None
        if placed is None:
            return
        klass, teacher = placed
        self.listed_classes[klass.id] = directory
        subject, created = directory.subject(self.session, slot.subject)
        if created:
            self.report.tally("subjects", "created")
            await self.session.flush()
        key = (klass.id, slot.weekday, slot.period)
        directory.timetable[key] = upsert(
            self.session, self.report, "timetable lessons", directory.timetable.get(key),
            {"subject_id": subject.id, "teacher_id": teacher.id if teacher else None, "starts_at": slot.starts_at},
            partial(TimetableLesson, school_id=directory.school.id, class_id=klass.id, weekday=slot.weekday,
                    period=slot.period))

    async def _directory(self, slot: Slot) -> SchoolDirectory | None:
        """The slot's school with its timetable loaded; None, with the row's error, when the school is unknown."""
        school = school_of_slot(slot, self.schools, self.finder)
        if school is None:
            self.report.error(slot.row, f"unknown school “{slot.school}”" if slot.school
                              else "which school? add the school column", "school")
            return None
        directory = self.by_school.get(school.id)
        if directory is None:
            directory = self.by_school[school.id] = await SchoolDirectory.load(self.session, school, students=False)
        if school.id not in self.loaded:
            for lesson in await self.session.scalars(select(TimetableLesson)
                                                     .where(TimetableLesson.school_id == school.id)):
                directory.timetable[(lesson.class_id, lesson.weekday, lesson.period)] = lesson
            self.loaded.add(school.id)
        return directory

    def _place(self, directory: SchoolDirectory, slot: Slot) -> tuple[SchoolClass, Staff | None] | None:
        """The slot's class and teacher; None, with the row's error, when either is unknown or the class already
        has a lesson then."""
        report = self.report
        klass = found_or_report(report, slot.row, "class", directory.find_class, slot.klass,
                                f"unknown class “{slot.klass}” (list its students or class teacher in the roster)")
        if klass is None:
            return None
        teacher = None
        if slot.teacher:
            teacher = found_or_report(report, slot.row, "teacher", directory.find_staff, slot.teacher,
                                      f"unknown teacher “{slot.teacher}” (add them to the roster)")
            if teacher is None:
                return None
        else:
            report.warn(slot.row, "no teacher: nobody will be reminded of this lesson", "teacher")
        if (earlier := seen_before(self.seen, (klass.id, slot.weekday, slot.period), slot.row)) is not None:
            report.error(slot.row, f"class {klass.name} already has lesson {slot.period} on this day (row "
                                   f"{earlier.number})", "period")
            return None
        return klass, teacher

    async def remove_unlisted(self) -> None:
        """A listed class's week is the sheet's: its slots the sheet does not have are removed."""
        for class_id, directory in self.listed_classes.items():
            for key, lesson in list(directory.timetable.items()):
                if key[0] == class_id and key not in self.seen:
                    await self.session.delete(lesson)
                    del directory.timetable[key]
                    self.report.tally("timetable lessons", "removed")
