"""Roster import: a school's people (staff, students, parents' phones) and, optionally, its weekly timetable.

Matching, so that importing the same file twice changes nothing: schools by school_id, else by name; staff
by phone, else by name; students by class and name; parents' phones by student and number. The import adds
and updates; it never deletes people. A class's timetable is the one in the file: slots of a class that the
timetable sheet lists, but that the sheet no longer has, are removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.columns import PEOPLE, TIMETABLE, TIMETABLE_SHEETS
from bot.importing.lookup import AmbiguousName, SchoolDirectory, SchoolFinder, local_phone
from bot.importing.report import ImportReport
from bot.importing.spreadsheet import BoundTable, Row, Table, bind, sheet_is
from domain.tabular import (
    DEFAULT_TIMEZONES,
    class_key,
    name_key,
    names_overlap,
    parse_class,
    parse_country,
    parse_int,
    parse_role,
    parse_time,
    parse_weekday,
    split_list,
    text_key,
)
from storage.models import GuardianContact, ParentLink, School, Staff, Student, TimetableLesson, User

SCHOOL_COLUMNS = ("school", "school_id", "country", "timezone", "region", "district")
STAFF_ROLES = ("teacher", "class_teacher", "deputy", "head")
_POSITION_RANK = {"teacher": 0, "deputy": 1, "head": 2}


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


@dataclass
class StaffDraft:
    """One staff member gathered from all their rows (a teacher row and a class-teacher row, say)."""

    name: str
    phone: str | None
    rows: list[Row] = field(default_factory=list)
    positions: set[str] = field(default_factory=set)
    led_classes: list[tuple[str, int, Row]] = field(default_factory=list)

    @property
    def position(self) -> str:
        return max(self.positions or {"teacher"}, key=_POSITION_RANK.__getitem__)


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


async def import_roster(session: AsyncSession, tables: list[Table], *, now: datetime | None = None) -> ImportReport:
    """Read people (and timetable) sheets and write them in `session`; the caller commits or rolls back."""
    now = now or datetime.now(UTC)
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
             if (slot := _parse_slot(row, report)) is not None]
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
    await _write_timetable(session, slots, schools, directories, finder, report)
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
    ref = refs.get(key)
    if ref is None:
        try:
            known = finder.find(external_id, name)
        except AmbiguousName:
            known = None  # reported when the schools are written
        refs[key] = SchoolRef(key, external_id, name, country, timezone, row.text("region") or None,
                              row.text("district") or None, row, known.country if known else None)
    elif country and ref.country and country != ref.country:
        report.error(row, f"{country} here, but {ref.country} on row {ref.row.number} for the same school",
                     "country")
    return key


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


def _parse_slot(row: Row, report: ImportReport) -> Slot | None:
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
        if school is None:
            if not ref.name:
                report.error(ref.row, "a new school needs its name", "school")
                continue
            if not ref.country:
                report.error(ref.row, "a new school needs its country (UZ, KG or KZ)", "country")
                continue
            school = School(name=ref.name, country=ref.country,
                            timezone=ref.timezone or DEFAULT_TIMEZONES[ref.country], region=ref.region,
                            district=ref.district, external_id=ref.external_id)
            session.add(school)
            finder.remember(school)
            report.tally("schools", "created")
        else:
            changes = {"external_id": ref.external_id, "name": ref.name, "country": ref.country,
                       "timezone": ref.timezone, "region": ref.region, "district": ref.district}
            changed = _apply(school, {k: v for k, v in changes.items() if v})
            report.tally("schools", "updated" if changed else "unchanged")
        schools[key] = school
    await session.flush()
    return schools


def _apply(record: object, values: dict[str, object]) -> bool:
    """Set the attributes that differ; whether any did."""
    changed = False
    for attr, value in values.items():
        if getattr(record, attr) != value:
            setattr(record, attr, value)
            changed = True
    return changed


def _gather_staff(persons: list[Person], report: ImportReport) -> list[StaffDraft]:
    """One draft per person: rows with the same phone, or with the same name and no phone, are one person.
    The same phone under two different names is an error (one of them is mistyped)."""
    drafts: list[StaffDraft] = []
    by_phone: dict[str, StaffDraft] = {}
    by_name: dict[str, list[StaffDraft]] = {}
    staff_rows = [p for p in persons if p.role in STAFF_ROLES]
    for person in sorted(staff_rows, key=lambda p: not p.phones):  # rows with a phone first
        phone = person.phones[0] if person.phones else None
        draft = by_phone.get(phone) if phone else None
        if draft is not None and not _same_person(draft.name, person.name):
            report.error(person.row, f"{phone} is also the phone of {draft.name} (row {draft.rows[0].number})",
                         "phone")
            continue
        if draft is None and phone is None:
            same_name = by_name.get(name_key(person.name), [])
            draft = same_name[0] if len(same_name) == 1 else None
        if draft is None:
            draft = StaffDraft(name=person.name, phone=phone)
            drafts.append(draft)
            by_name.setdefault(name_key(person.name), []).append(draft)
            if phone:
                by_phone[phone] = draft
        draft.rows.append(person.row)
        draft.positions.add("teacher" if person.role == "class_teacher" else person.role)
        if person.role == "class_teacher" and person.klass:
            draft.led_classes.append((*person.klass, person.row))
    for draft in drafts:
        draft.rows.sort(key=lambda r: r.number)
    return drafts


def _same_person(a: str, b: str) -> bool:
    ka, kb = name_key(a), name_key(b)
    return ka == kb or names_overlap(ka, kb)


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
                report.tally("classes", "updated" if _apply(klass, {"grade": grade}) else "unchanged")
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
    for draft in _gather_staff(persons, report):
        errors = len(report.errors)
        staff = _match_staff(directory, draft, claimed, report)
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
            report.tally("staff", "updated" if _apply(staff, values) else "unchanged")
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
    contacts = await _contacts_of(session, school.id)
    for person, student in enrolled:
        _add_contacts(session, person, student, contacts.setdefault(student.id, {}), report)
    await session.flush()
    await _link_existing_users(session, school.id, report, now)


def _match_staff(directory: SchoolDirectory, draft: StaffDraft, claimed: set[int],
                 report: ImportReport) -> Staff | None:
    """The existing staff member a draft is: same phone, else the one unclaimed member of the same name."""
    if draft.phone:
        same_phone = next((s for s in directory.staff if s.phone == draft.phone), None)
        if same_phone is not None:
            return same_phone
    key = name_key(draft.name)
    same_name = [s for s in directory.staff if name_key(s.full_name) == key and s.id not in claimed]
    if len(same_name) > 1 and draft.phone is None:
        report.error(draft.rows[0], f"{len(same_name)} staff members of this school are called “{draft.name}”; "
                                    "write the phone number to tell them apart", "phone")
        return None
    return same_name[0] if len(same_name) == 1 else None


async def _contacts_of(session: AsyncSession, school_id: int) -> dict[int, dict[str, GuardianContact]]:
    contacts: dict[int, dict[str, GuardianContact]] = {}
    rows = await session.scalars(select(GuardianContact).join(Student, Student.id == GuardianContact.student_id)
                                 .where(Student.school_id == school_id))
    for contact in rows:
        contacts.setdefault(contact.student_id, {})[contact.phone] = contact
    return contacts


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


async def _users_by_phone(session: AsyncSession, phones: set[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    ordered = sorted(phones)
    for start in range(0, len(ordered), 500):
        rows = await session.execute(select(User.id, User.phone).where(User.phone.in_(ordered[start:start + 500])))
        for user_id, phone in rows:
            found.setdefault(phone, []).append(user_id)
    return found


async def _link_existing_users(session: AsyncSession, school_id: int, report: ImportReport, now: datetime) -> None:
    """People who already shared their phone with the bot get their staff record or child at once."""
    unlinked = list(await session.scalars(select(Staff).where(Staff.school_id == school_id, Staff.user_id.is_(None),
                                                              Staff.phone.isnot(None))))
    contacts = (await session.execute(select(GuardianContact.phone, GuardianContact.student_id)
                                      .join(Student, Student.id == GuardianContact.student_id)
                                      .where(Student.school_id == school_id))).all()
    users = await _users_by_phone(session, {s.phone for s in unlinked} | {contact[0] for contact in contacts})
    if not users:
        return
    for staff in unlinked:
        if staff.phone in users:
            staff.user_id = users[staff.phone][0]
            report.tally("staff linked to their bot account", "updated")
    wanted = {(user_id, student_id) for phone, student_id in contacts for user_id in users.get(phone, ())}
    existing = set((await session.execute(select(ParentLink.user_id, ParentLink.student_id).where(
        ParentLink.user_id.in_({pair[0] for pair in wanted})))).all()) if wanted else set()
    for user_id, student_id in sorted(wanted - existing):
        session.add(ParentLink(user_id=user_id, student_id=student_id, created_at=now))
        report.tally("parents linked to their bot account", "created")
    await session.flush()


# --- timetable ------------------------------------------------------------------------------------------


def _school_of_slot(slot: Slot, schools: dict[str, School], finder: SchoolFinder) -> School | None:
    if slot.school:
        try:
            return finder.find(slot.school, None) or finder.find(None, slot.school)
        except AmbiguousName:
            return None
    distinct = {id(s): s for s in schools.values()}
    if len(distinct) == 1:
        return next(iter(distinct.values()))
    return finder.only_school()


async def _write_timetable(session: AsyncSession, slots: list[Slot], schools: dict[str, School],
                           directories: dict[str, SchoolDirectory], finder: SchoolFinder,
                           report: ImportReport) -> None:
    if not slots:
        return
    by_school: dict[int, SchoolDirectory] = {d.school.id: d for d in directories.values()}
    loaded: set[int] = set()
    seen: dict[tuple[int, int, int], Row] = {}
    listed_classes: dict[int, SchoolDirectory] = {}
    for slot in slots:
        school = _school_of_slot(slot, schools, finder)
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
        klass = directory.find_class(slot.klass)
        if klass is None:
            report.error(slot.row, f"unknown class “{slot.klass}” (list its students or class teacher in the "
                                   "roster)", "class")
            continue
        teacher = None
        if slot.teacher:
            try:
                teacher = directory.find_staff(slot.teacher)
            except AmbiguousName as exc:
                report.error(slot.row, str(exc), "teacher")
                continue
            if teacher is None:
                report.error(slot.row, f"unknown teacher “{slot.teacher}” (add them to the roster)", "teacher")
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
            report.tally("timetable lessons", "updated" if _apply(existing, values) else "unchanged")
    for class_id, directory in listed_classes.items():
        for key, lesson in list(directory.timetable.items()):
            if key[0] == class_id and key not in seen:
                await session.delete(lesson)
                del directory.timetable[key]
                report.tally("timetable lessons", "removed")
    await session.flush()
