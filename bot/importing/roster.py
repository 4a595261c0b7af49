"""Roster import: a school's people (staff, students, parents' phones) and, optionally, its weekly timetable.

Matching, so that importing the same file twice changes nothing: schools by school_id, else by name; staff
by phone, else by name; students by class and name; parents' phones by student and number. The import adds
and updates; it never deletes people. A class's timetable is the one in the file: slots of a class that the
timetable sheet lists, but that the sheet no longer has, are removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.columns import PEOPLE, TIMETABLE, TIMETABLE_SHEETS
from bot.importing.lookup import AmbiguousName, SchoolDirectory, SchoolFinder, apply_changes, local_phone
from bot.importing.places import canonical_region, district_spelling
from bot.importing.report import ImportReport
from bot.importing.spreadsheet import BoundTable, Row, Table, bind, sheet_is
from bot.importing.staff import StaffDraft, contacts_of, gather_staff, match_staff
from bot.importing.timetable import parse_slot, write_timetable
from domain.tabular import (
    DEFAULT_TIMEZONES,
    class_key,
    name_key,
    parse_class,
    parse_country,
    parse_int,
    parse_role,
    split_list,
    text_key,
)
from storage.models import GuardianContact, School, Staff, Student
from storage.repositories.memberships import link_listed_phones

SCHOOL_COLUMNS = ("school", "school_id", "country", "timezone", "region", "district", "plan")


@dataclass
class SchoolRef:
    key: str
    external_id: str | None
    name: str
    country: str | None
    timezone: str | None
    region: str | None
    district: str | None
    row: Row
    known_country: str | None = None  # of the school already in the database
    plan: int | None = None  # the certification plan (seed 002); None: the staff count

    @property
    def phone_country(self) -> str | None:
        """The country whose local phone forms the school's rows use."""
        return self.country or self.known_country


@dataclass
class Person:
    row: Row
    school: str  # SchoolRef.key
    role: str
    name: str
    klass: tuple[str, int] | None
    subjects: list[str]
    phones: list[str]
    parent_names: list[str]


async def import_roster(session: AsyncSession, tables: list[Table], *, now: datetime) -> ImportReport:
    """Read people (and timetable) sheets and write them in `session`; the caller commits or rolls back."""
    report = ImportReport("roster")
    people_tables, timetable_tables = _classify(tables, report)
    refs: dict[str, SchoolRef] = {}
    persons: list[Person] = []
    finder = await SchoolFinder.load(session)
    for table in people_tables:
        for row in table.rows:
            person = _parse_person(row, refs, finder, report)
            if person is not None:
                persons.append(person)
    slots = [slot for table in timetable_tables for row in table.rows
             if (slot := parse_slot(row, report)) is not None]
    if not people_tables and not timetable_tables and not report.errors:
        report.error("", "no roster sheet found: the header should name columns such as school, role, full_name, "
                         "class, phone")
    # Rows that could not be read are left out; the rest still go through the database checks (unknown
    # teacher, duplicate slot, ...) so that one run reports every problem. Nothing is kept if any was found.
    schools = await _write_schools(session, refs, finder, report)
    directories: dict[str, SchoolDirectory] = {}
    for key, school in schools.items():
        directory = await SchoolDirectory.load(session, school)
        directories[key] = directory
        mine = [p for p in persons if p.school == key]
        await _write_people(session, directory, mine, report, now)
    await write_timetable(session, slots, schools, directories, finder, report)
    return report


# --- reading --------------------------------------------------------------------------------------------


def _classify(tables: list[Table], report: ImportReport) -> tuple[list[BoundTable], list[BoundTable]]:
    """People sheets and timetable sheets, told apart by name or by their columns."""
    people, timetable = [], []
    probe = ImportReport("probe")
    for table in tables:
        if not table.rows:
            continue
        as_timetable = bind(table, TIMETABLE, probe)
        is_timetable = sheet_is(table, TIMETABLE_SHEETS) or (
            as_timetable is not None and {"weekday", "period"} <= as_timetable.columns)
        if is_timetable:
            bound = bind(table, TIMETABLE, report, required=("class", "weekday", "period", "subject"),
                         fill_down=("school", "school_id"))
            if bound is not None:
                timetable.append(bound)
            continue
        as_people = bind(table, PEOPLE, probe)
        if (as_people is None or not {"role", "full_name"} & as_people.columns) and len(tables) > 1:
            report.warn(table.name, "not a roster or timetable sheet; skipped")
            continue
        bound = bind(table, PEOPLE, report, required=("role", "full_name"), fill_down=SCHOOL_COLUMNS)
        if bound is not None:
            if not {"school", "school_id"} & bound.columns:
                report.error(table.name, "the header lacks the column: school")
                continue
            people.append(bound)
    return people, timetable


def _parse_school(row: Row, refs: dict[str, SchoolRef], finder: SchoolFinder, report: ImportReport) -> str | None:
    external_id, name = row.text("school_id") or None, row.text("school")
    if not external_id and not name:
        report.error(row, "the school is empty (write it on the school's first row at least)", "school")
        return None
    key = f"id:{external_id.lower()}" if external_id else f"name:{text_key(name)}"
    timezone = None
    country = report.parse(row, "country", parse_country, optional=True)
    if row.has("timezone"):
        timezone = row.text("timezone")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            report.error(row, f"unknown time zone “{timezone}” (e.g. Asia/Tashkent)", "timezone")
    plan = report.parse(row, "plan", lambda v: parse_int(v, low=0, high=10_000_000), optional=True)
    ref = refs.get(key)
    if ref is None:
        try:
            known = finder.find(external_id, name)
        except AmbiguousName:
            known = None  # reported when the schools are written
        region = _region(row, country or (known.country if known else None), report)
        refs[key] = SchoolRef(key, external_id, name, country, timezone, region, row.text("district") or None, row,
                              known.country if known else None, plan)
    elif country and ref.country and country != ref.country:
        report.error(row, f"{country} here, but {ref.country} on row {ref.row.number} for the same school",
                     "country")
    return key


def _region(row: Row, country: str | None, report: ImportReport) -> str | None:
    """The region from the country's fixed list ("Toshkent sh." -> "Toshkent shahri"); an unknown one is the
    row's error. Without a country there is nothing to check against (a new school without one is an error)."""
    text = row.text("region")
    if not text or not country:
        return text or None
    try:
        return canonical_region(country, text)
    except ValueError as exc:
        report.error(row, str(exc), "region")
        return None


def _phones(row: Row, column: str, country: str | None, report: ImportReport) -> list[str]:
    phones = []
    for piece in split_list(row.raw(column)):
        phone = local_phone(piece, country)
        if phone is None:
            report.error(row, f"“{piece}” is not a phone number (e.g. +998 90 123 45 67)", column)
        elif phone not in phones:
            phones.append(phone)
    return phones


def _parse_person(row: Row, refs: dict[str, SchoolRef], finder: SchoolFinder, report: ImportReport
                  ) -> Person | None:
    before = len(report.errors)
    school = _parse_school(row, refs, finder, report)
    role = None
    if not row.has("role"):
        report.error(row, "the role is empty (student, teacher, class_teacher, deputy, head)", "role")
    else:
        role = report.parse(row, "role", parse_role)
    name = " ".join(row.text("full_name").split())
    if not name:
        report.error(row, "the name is empty", "full_name")
    klass = report.parse(row, "class", parse_class, optional=True)
    if not row.has("class") and role in ("student", "class_teacher"):
        report.error(row, f"a {role.replace('_', ' ')} needs a class", "class")
    country = refs[school].phone_country if school else None
    if role == "student":
        phones = _phones(row, "phone", country, report) + _phones(row, "parent_phone", country, report)
        phones = list(dict.fromkeys(phones))
    else:
        phones = _phones(row, "phone", country, report)
        if len(phones) > 1:
            report.warn(row, f"several phone numbers; {phones[0]} is kept", "phone")
            phones = phones[:1]
        if klass is not None and role != "class_teacher":
            report.warn(row, "a class is only read for students and class teachers", "class")
    if len(report.errors) > before or school is None or role is None:
        return None
    return Person(row=row, school=school, role=role, name=name, klass=klass,
                  subjects=split_list(row.raw("subject")) if role != "student" else [],
                  phones=phones, parent_names=split_list(row.raw("parent_name")))


# --- writing --------------------------------------------------------------------------------------------


async def _write_schools(session: AsyncSession, refs: dict[str, SchoolRef], finder: SchoolFinder,
                         report: ImportReport) -> dict[str, School]:
    schools: dict[str, School] = {}
    for key, ref in refs.items():
        try:
            school = finder.find(ref.external_id, ref.name)
        except AmbiguousName as exc:
            report.error(ref.row, str(exc), "school")
            continue
        if ref.district:
            country = ref.country or (school.country if school else None)
            ref.district = district_spelling(ref.district, finder.districts(country, ref.region or (
                school.region if school else None)))
        if school is None:
            if not ref.name:
                report.error(ref.row, "a new school needs its name", "school")
                continue
            if not ref.country:
                report.error(ref.row, "a new school needs its country (UZ, KG or KZ)", "country")
                continue
            school = School(name=ref.name, country=ref.country,
                            timezone=ref.timezone or DEFAULT_TIMEZONES[ref.country], region=ref.region,
                            district=ref.district, external_id=ref.external_id, teachers_planned=ref.plan)
            session.add(school)
            finder.remember(school)
            report.tally("schools", "created")
        else:
            changes = {"external_id": ref.external_id, "name": ref.name, "country": ref.country,
                       "timezone": ref.timezone, "region": ref.region, "district": ref.district,
                       "teachers_planned": ref.plan}
            changed = apply_changes(school, {k: v for k, v in changes.items() if v is not None and v != ""})
            report.tally("schools", "updated" if changed else "unchanged")
        schools[key] = school
    await session.flush()
    return schools


async def _write_people(session: AsyncSession, directory: SchoolDirectory, persons: list[Person],
                        report: ImportReport, now: datetime) -> None:
    school = directory.school
    # Classes named by students and class teachers.
    counted: set[str] = set()
    for person in persons:
        if person.klass and person.role in ("student", "class_teacher"):
            name, grade = person.klass
            key = class_key(name)
            klass = directory.classes.get(key)
            if klass is None:
                directory.add_class(session, name, grade)
                report.tally("classes", "created")
            elif key not in counted:
                report.tally("classes", "updated" if apply_changes(klass, {"grade": grade}) else "unchanged")
            counted.add(key)
    # Subjects named on teachers' rows.
    for person in persons:
        for subject_name in person.subjects:
            _subject, created = directory.subject(session, subject_name)
            if created:
                report.tally("subjects", "created")
    await session.flush()

    leaders: dict[str, tuple[Staff, Row]] = {}
    staff_rows: list[tuple[Staff, StaffDraft]] = []
    claimed: set[int] = set()
    for draft in gather_staff(persons, report):
        errors = len(report.errors)
        staff = match_staff(directory, draft, claimed, report)
        if len(report.errors) > errors:
            continue
        if staff is not None:
            claimed.add(staff.id)
        if staff is None:
            staff = Staff(school_id=school.id, full_name=draft.name, phone=draft.phone, position=draft.position)
            session.add(staff)
            directory.staff.append(staff)
            report.tally("staff", "created")
        else:
            values = {"full_name": draft.name, "position": draft.position}
            if draft.phone:
                values["phone"] = draft.phone
            report.tally("staff", "updated" if apply_changes(staff, values) else "unchanged")
        staff_rows.append((staff, draft))
    await session.flush()
    for staff, draft in staff_rows:
        for name, _grade, row in draft.led_classes:
            key = class_key(name)
            if key in leaders and leaders[key][0] is not staff:
                report.error(row, f"class {name} already has a class teacher on row {leaders[key][1].number}",
                             "class")
                continue
            leaders[key] = (staff, row)
            klass = directory.classes[key]
            if klass.class_teacher_id != staff.id:
                klass.class_teacher_id = staff.id
                report.tally("class teachers", "updated")
            else:
                report.tally("class teachers", "unchanged")

    enrolled: list[tuple[Person, Student]] = []
    for person in persons:
        if person.role != "student" or person.klass is None:
            continue
        klass = directory.classes[class_key(person.klass[0])]
        try:
            student = directory.find_student(klass.id, person.name)
        except AmbiguousName as exc:
            report.error(person.row, str(exc), "full_name")
            continue
        if student is None:
            student = directory.add_student(session, klass, person.name)
            report.tally("students", "created")
        elif name_key(student.full_name) != name_key(person.name):
            student.full_name = person.name  # a patronymic added or dropped
            report.tally("students", "updated")
        else:
            report.tally("students", "unchanged")
        enrolled.append((person, student))
    await session.flush()
    contacts = await contacts_of(session, school.id)
    for person, student in enrolled:
        _add_contacts(session, person, student, contacts.setdefault(student.id, {}), report)
    await session.flush()
    # People who already shared their phone with the bot get their staff record or child at once.
    linked = await link_listed_phones(session, now, school_id=school.id)
    if linked.staff:
        report.tally("staff linked to their bot account", "updated", linked.staff)
    if linked.children:
        report.tally("parents linked to their bot account", "created", linked.children)


def _add_contacts(session: AsyncSession, person: Person, student: Student, known: dict[str, GuardianContact],
                  report: ImportReport) -> None:
    names = person.parent_names
    for index, phone in enumerate(person.phones):
        name = names[index] if index < len(names) else (names[0] if len(names) == 1 else "")
        contact = known.get(phone)
        if contact is None:
            known[phone] = GuardianContact(student_id=student.id, phone=phone, name=name)
            session.add(known[phone])
            report.tally("parents' phones", "created")
        elif name and contact.name != name:
            contact.name = name
            report.tally("parents' phones", "updated")
        else:
            report.tally("parents' phones", "unchanged")
