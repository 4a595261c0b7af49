"""The roster's timetable sheet: one row per lesson slot (class, weekday, period, subject, teacher).

A slot is (class, weekday, period); the sheet gives each listed class's whole week, so slots of such a class
that the sheet no longer has are removed. Teachers and classes must be in the roster (this file or earlier)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.lookup import AmbiguousName, SchoolDirectory, SchoolFinder, apply_changes, found_or_report
from bot.importing.report import ImportReport
from bot.importing.spreadsheet import Row
from domain.tabular import parse_int, parse_time, parse_weekday
from storage.models import School, TimetableLesson


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
    by_school: dict[int, SchoolDirectory] = {d.school.id: d for d in directories.values()}
    loaded: set[int] = set()
    seen: dict[tuple[int, int, int], Row] = {}
    listed_classes: dict[int, SchoolDirectory] = {}
    for slot in slots:
        school = school_of_slot(slot, schools, finder)
        if school is None:
            report.error(slot.row, f"unknown school “{slot.school}”" if slot.school
                         else "which school? add the school column", "school")
            continue
        directory = by_school.get(school.id)
        if directory is None:
            directory = by_school[school.id] = await SchoolDirectory.load(session, school, students=False)
        if school.id not in loaded:
            for lesson in await session.scalars(select(TimetableLesson)
                                                .where(TimetableLesson.school_id == school.id)):
                directory.timetable[(lesson.class_id, lesson.weekday, lesson.period)] = lesson
            loaded.add(school.id)
        klass = found_or_report(report, slot.row, "class", directory.find_class, slot.klass,
                                f"unknown class “{slot.klass}” (list its students or class teacher in the roster)")
        if klass is None:
            continue
        teacher = None
        if slot.teacher:
            teacher = found_or_report(report, slot.row, "teacher", directory.find_staff, slot.teacher,
                                      f"unknown teacher “{slot.teacher}” (add them to the roster)")
            if teacher is None:
                continue
        else:
            report.warn(slot.row, "no teacher: nobody will be reminded of this lesson", "teacher")
        key = (klass.id, slot.weekday, slot.period)
        if key in seen:
            report.error(slot.row, f"class {klass.name} already has lesson {slot.period} on this day (row "
                                   f"{seen[key].number})", "period")
            continue
        seen[key] = slot.row
        listed_classes[klass.id] = directory
        subject, created = directory.subject(session, slot.subject)
        if created:
            report.tally("subjects", "created")
            await session.flush()
        values = {"subject_id": subject.id, "teacher_id": teacher.id if teacher else None,
                  "starts_at": slot.starts_at}
        existing = directory.timetable.get(key)
        if existing is None:
            lesson = TimetableLesson(school_id=school.id, class_id=klass.id, weekday=slot.weekday,
                                     period=slot.period, **values)
            session.add(lesson)
            directory.timetable[key] = lesson
            report.tally("timetable lessons", "created")
        else:
            report.tally("timetable lessons", "updated" if apply_changes(existing, values) else "unchanged")
    for class_id, directory in listed_classes.items():
        for key, lesson in list(directory.timetable.items()):
            if key[0] == class_id and key not in seen:
                await session.delete(lesson)
                del directory.timetable[key]
                report.tally("timetable lessons", "removed")
    await session.flush()
