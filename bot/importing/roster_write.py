"""The roster written: schools by school_id or name; per school its classes, subjects, staff (by phone, else by
name), class teachers, students (by class and name) and parents' phones. It adds and updates, never deletes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.lookup import AmbiguousName, SchoolDirectory, SchoolFinder, apply_changes
from bot.importing.places import district_spelling
from bot.importing.report import ImportReport
from bot.importing.roster_read import Person, SchoolRef
from bot.importing.spreadsheet import Row
from bot.importing.staff import StaffDraft, contacts_of, gather_staff, match_staff
from domain.tabular import DEFAULT_TIMEZONES, class_key, name_key
from storage.models import GuardianContact, School, Staff, Student
from storage.repositories.memberships import link_listed_phones

# --- schools --------------------------------------------------------------------------------------------


async def write_schools(session: AsyncSession, refs: dict[str, SchoolRef], finder: SchoolFinder,
                        report: ImportReport) -> dict[str, School]:
    """Each school the file names, found or created, by its key; a school that could not be is left out."""
    schools: dict[str, School] = {}
    for key, ref in refs.items():
        school = _write_school(session, ref, finder, report)
        if school is not None:
            schools[key] = school
    await session.flush()
    return schools


def _write_school(session: AsyncSession, ref: SchoolRef, finder: SchoolFinder, report: ImportReport
                  ) -> School | None:
    try:
        school = finder.find(ref.external_id, ref.name)
    except AmbiguousName as exc:
        report.error(ref.row, str(exc), "school")
        return None
    if ref.district:
        country = ref.country or (school.country if school else None)
        ref.district = district_spelling(ref.district, finder.districts(country, ref.region or (
            school.region if school else None)))
    if school is None:
        return _new_school(session, ref, finder, report)
    changes = {"external_id": ref.external_id, "name": ref.name, "country": ref.country,
               "timezone": ref.timezone, "region": ref.region, "district": ref.district,
               "teachers_planned": ref.plan}
    changed = apply_changes(school, {k: v for k, v in changes.items() if v is not None and v != ""})
    report.tally("schools", "updated" if changed else "unchanged")
    return school


def _new_school(session: AsyncSession, ref: SchoolRef, finder: SchoolFinder, report: ImportReport
                ) -> School | None:
    if not ref.name:
        report.error(ref.row, "a new school needs its name", "school")
        return None
    if not ref.country:
        report.error(ref.row, "a new school needs its country (UZ, KG or KZ)", "country")
        return None
    school = School(name=ref.name, country=ref.country,
                    timezone=ref.timezone or DEFAULT_TIMEZONES[ref.country], region=ref.region,
                    district=ref.district, external_id=ref.external_id, teachers_planned=ref.plan)
    session.add(school)
    finder.remember(school)
    report.tally("schools", "created")
    return school


# --- one school's people --------------------------------------------------------------------------------


async def write_people(session: AsyncSession, directory: SchoolDirectory, persons: list[Person],
                       report: ImportReport, now: datetime) -> None:
    """One school's classes, subjects, staff and class teachers, students and parents' phones; people who
    already shared their phone with the bot get their staff record or child at once."""
    _write_classes(session, directory, persons, report)
    _write_subjects(session, directory, persons, report)
    await session.flush()
    staff_rows = _write_staff(session, directory, persons, report)
    await session.flush()
    _assign_class_teachers(directory, staff_rows, report)
    enrolled = _write_students(session, directory, persons, report)
    await session.flush()
    await _write_contacts(session, directory.school.id, enrolled, report)
    await _link_known_phones(session, directory.school.id, report, now)


def _write_classes(session: AsyncSession, directory: SchoolDirectory, persons: list[Person],
                   report: ImportReport) -> None:
    """Classes named by students and class teachers: created, or their grade updated (tallied once a class)."""
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


def _write_subjects(session: AsyncSession, directory: SchoolDirectory, persons: list[Person],
                    report: ImportReport) -> None:
    """Subjects named on teachers' rows."""
    for person in persons:
        for subject_name in person.subjects:
            _subject, created = directory.subject(session, subject_name)
            if created:
                report.tally("subjects", "created")


def _write_staff(session: AsyncSession, directory: SchoolDirectory, persons: list[Person],
                 report: ImportReport) -> list[tuple[Staff, StaffDraft]]:
    """Each staff member (one draft from all their rows) matched to a stored one, or added."""
    staff_rows: list[tuple[Staff, StaffDraft]] = []
    claimed: set[int] = set()
    for draft in gather_staff(persons, report):
        errors = len(report.errors)
        staff = match_staff(directory, draft, claimed, report)
        if len(report.errors) > errors:
            continue
        if staff is not None:
            claimed.add(staff.id)
        staff_rows.append((_store_staff(session, directory, draft, staff, report), draft))
    return staff_rows


def _store_staff(session: AsyncSession, directory: SchoolDirectory, draft: StaffDraft, staff: Staff | None,
                 report: ImportReport) -> Staff:
    """The matched staff member given the draft's name, position and phone; a new one if none matched."""
    if staff is None:
        staff = Staff(school_id=directory.school.id, full_name=draft.name, phone=draft.phone,
                      position=draft.position)
        session.add(staff)
        directory.staff.append(staff)
        report.tally("staff", "created")
        return staff
    values = {"full_name": draft.name, "position": draft.position}
    if draft.phone:
        values["phone"] = draft.phone
    report.tally("staff", "updated" if apply_changes(staff, values) else "unchanged")
    return staff


def _assign_class_teachers(directory: SchoolDirectory, staff_rows: list[tuple[Staff, StaffDraft]],
                           report: ImportReport) -> None:
    """Each class led on a class teacher's row gets that teacher; a second one for the same class is an error."""
    leaders: dict[str, tuple[Staff, Row]] = {}
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


def _write_students(session: AsyncSession, directory: SchoolDirectory, persons: list[Person],
                    report: ImportReport) -> list[tuple[Person, Student]]:
    """The students' rows, each with its stored (or new) student; an ambiguous name is left out."""
    enrolled: list[tuple[Person, Student]] = []
    for person in persons:
        if person.role != "student" or person.klass is None:
            continue
        student = _write_student(session, directory, person, report)
        if student is not None:
            enrolled.append((person, student))
    return enrolled


def _write_student(session: AsyncSession, directory: SchoolDirectory, person: Person, report: ImportReport
                   ) -> Student | None:
    klass = directory.classes[class_key(person.klass[0])]
    try:
        student = directory.find_student(klass.id, person.name)
    except AmbiguousName as exc:
        report.error(person.row, str(exc), "full_name")
        return None
    if student is None:
        student = directory.add_student(session, klass, person.name)
        report.tally("students", "created")
    elif name_key(student.full_name) != name_key(person.name):
        student.full_name = person.name  # a patronymic added or dropped
        report.tally("students", "updated")
    else:
        report.tally("students", "unchanged")
    return student


async def _write_contacts(session: AsyncSession, school_id: int, enrolled: list[tuple[Person, Student]],
                          report: ImportReport) -> None:
    contacts = await contacts_of(session, school_id)
    for person, student in enrolled:
        _add_contacts(session, person, student, contacts.setdefault(student.id, {}), report)
    await session.flush()


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


async def _link_known_phones(session: AsyncSession, school_id: int, report: ImportReport, now: datetime) -> None:
    """People who already shared their phone with the bot get their staff record or child at once."""
    linked = await link_listed_phones(session, now, school_id=school_id)
    if linked.staff:
        report.tally("staff linked to their bot account", "updated", linked.staff)
    if linked.children:
        report.tally("parents linked to their bot account", "created", linked.children)
