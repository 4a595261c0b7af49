"""Roster import: a school's people (staff, students, parents' phones) and, optionally, its weekly timetable.

Matching, so that importing the same file twice changes nothing: schools by school_id, else by name; staff
by phone, else by name; students by class and name; parents' phones by student and number. The import adds
and updates; it never deletes people. A class's timetable is the one in the file: slots of a class that the
timetable sheet lists, but that the sheet no longer has, are removed. The sheets are read in roster_read.py,
the people written in roster_write.py, the timetable in timetable.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.lookup import SchoolDirectory, SchoolFinder
from bot.importing.report import ImportReport
from bot.importing.roster_read import Person, SchoolRef, classify, parse_person
from bot.importing.roster_write import write_people, write_schools
from bot.importing.spreadsheet import Table
from bot.importing.timetable import parse_slot, write_timetable
from storage.models import School


async def import_roster(session: AsyncSession, tables: list[Table], *, now: datetime) -> ImportReport:
    """Read people (and timetable) sheets and write them in `session`; the caller commits or rolls back."""
    report = ImportReport("roster")
    people_tables, timetable_tables = classify(tables, report)
    refs: dict[str, SchoolRef] = {}
    finder = await SchoolFinder.load(session)
    persons = [person for table in people_tables for row in table.rows
               if (person := parse_person(row, refs, finder, report)) is not None]
    slots = [slot for table in timetable_tables for row in table.rows
             if (slot := parse_slot(row, report)) is not None]
    if not people_tables and not timetable_tables and not report.errors:
        report.error("", "no roster sheet found: the header should name columns such as school, role, full_name, "
                         "class, phone")
    # Rows that could not be read are left out; the rest still go through the database checks (unknown
    # teacher, duplicate slot, ...) so that one run reports every problem. Nothing is kept if any was found.
    schools = await write_schools(session, refs, finder, report)
    directories = await _write_people_by_school(session, schools, persons, report, now)
    await write_timetable(session, slots, schools, directories, finder, report)
    return report


async def _write_people_by_school(session: AsyncSession, schools: dict[str, School], persons: list[Person],
                                  report: ImportReport, now: datetime) -> dict[str, SchoolDirectory]:
    """Each school's people written; the schools' directories (what each has stored) by school key."""
    directories: dict[str, SchoolDirectory] = {}
    for key, school in schools.items():
        directories[key] = directory = await SchoolDirectory.load(session, school)
        await write_people(session, directory, [p for p in persons if p.school == key], report, now)
    return directories
