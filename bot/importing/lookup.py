"""Finding what a spreadsheet names in the database: schools, and within a school its classes, subjects, staff,
students and terms, loaded once per school so an import makes a few large queries, not one per row."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.report import ImportReport, Located
from bot.importing.spreadsheet import Row
from domain.countries import rules_for
from domain.phones import normalize_phone
from domain.tabular import class_key, name_key, names_overlap, parse_class, text_key
from storage.models import School, SchoolClass, Staff, Student, Subject, Term, TimetableLesson


def local_phone(text: str, country: str | None) -> str | None:
    """normalize_phone, reading a number without its country code as the school's country writes it
    (`local_phone` in domain/countries.py; Kyrgyzstan: 0772 123 456 or 772 123 456)."""
    local = rules_for(country).local_phone.value if country else None
    if local is not None:
        code, national, trunk = local
        digits = re.sub(r"\D", "", text)
        if len(digits) == national + len(trunk) and digits.startswith(trunk):
            return normalize_phone(code + digits[len(trunk):])
        if len(digits) == national:
            return normalize_phone(code + digits)
    return normalize_phone(text)


def apply_changes(record: object, values: dict[str, object]) -> bool:
    """Set the attributes that differ; whether any did."""
    changed = False
    for attr, value in values.items():
        if getattr(record, attr) != value:
            setattr(record, attr, value)
            changed = True
    return changed


T = TypeVar("T")


K = TypeVar("K")


def seen_before(seen: dict[K, Row], key: K, row: Row) -> Row | None:
    """The earlier row that had `key` (a duplicate); None, remembering `row`, the first time."""
    earlier = seen.get(key)
    if earlier is None:
        seen[key] = row
    return earlier


def upsert(session: AsyncSession, report: ImportReport, entity: str, existing: T | None, values: dict[str, object],
           make: Callable[..., T]) -> T:
    """`existing` given `values` (tallied updated or unchanged), else `make(**values)` added (created)."""
    if existing is None:
        record = make(**values)
        session.add(record)
        report.tally(entity, "created")
        return record
    report.tally(entity, "updated" if apply_changes(existing, values) else "unchanged")
    return existing


class AmbiguousName(ValueError):
    """A name that fits more than one record; the message says how to tell them apart."""


def found_or_report(report: ImportReport, where: Located, column: str, find: Callable[[str], T | None], text: str,
                    unknown: str) -> T | None:
    """What `find(text)` names; None, with this row's error recorded, when it names nobody (`unknown`) or
    several (AmbiguousName's message)."""
    try:
        found = find(text)
    except AmbiguousName as exc:
        report.error(where, str(exc), column)
        return None
    if found is None:
        report.error(where, unknown, column)
    return found


@dataclass
class SchoolFinder:
    """Every school, matched by external id first, else by name."""

    by_external: dict[str, School] = field(default_factory=dict)
    by_name: dict[str, list[School]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    async def load(cls, session: AsyncSession) -> SchoolFinder:
        finder = cls()
        for school in await session.scalars(select(School)):
            finder.remember(school)
        return finder

    def remember(self, school: School) -> None:
        if school.external_id:
            self.by_external[school.external_id.strip().lower()] = school
        self.by_name[text_key(school.name)].append(school)

    def find(self, external_id: str | None, name: str | None) -> School | None:
        """The school with this external id, else the only school of this name. Raises if several."""
        if external_id and external_id.strip().lower() in self.by_external:
            return self.by_external[external_id.strip().lower()]
        if not name:
            return None
        found = self.by_name.get(text_key(name), [])
        if external_id:  # a school known by another id is another school
            found = [s for s in found if not s.external_id]
        if len(found) > 1:
            raise AmbiguousName(f"{len(found)} schools are named “{name}”; add the school_id column")
        return found[0] if found else None

    def districts(self, country: str | None, region: str | None) -> list[str]:
        """The districts already written for a region's schools (their spellings are kept)."""
        schools = {id(s): s for group in self.by_name.values() for s in group}.values()
        return sorted({s.district for s in schools if s.district and s.country == country and s.region == region})

    def only_school(self) -> School | None:
        schools = {id(s): s for group in self.by_name.values() for s in group}
        return next(iter(schools.values())) if len(schools) == 1 else None


def school_of_row(row: Row, finder: SchoolFinder, *, has_school_column: bool) -> School:
    """The existing school a row names (school_id or school); a file without the column means the only school.

    Raises ValueError with the reason when there is none, or several."""
    text = row.text("school_id") or row.text("school")
    if not text:
        only = None if has_school_column else finder.only_school()
        if only is None:
            raise ValueError("which school? fill in the school column")
        return only
    school = finder.find(row.text("school_id") or None, row.text("school") or None)
    if school is None:
        raise ValueError(f"unknown school “{text}” (import its roster first)")
    return school


def school_or_report(row: Row, finder: SchoolFinder, report: ImportReport, *, has_school_column: bool) -> School | None:
    """school_of_row; None, with the reason recorded as this row's error, when the row names no known school."""
    try:
        return school_of_row(row, finder, has_school_column=has_school_column)
    except ValueError as exc:
        report.error(row, str(exc), "school")
        return None


async def load_finder(session: AsyncSession, report: ImportReport, *, rows: bool,
                      has_school_column: bool) -> SchoolFinder | None:
    """Every school; None, with the file's error recorded, when rows without a school column could not tell which
    of several (or no) schools they belong to."""
    finder = await SchoolFinder.load(session)
    if rows and not has_school_column and finder.only_school() is None:
        report.error("", "add a school column: the database holds several schools (or none)")
        return None
    return finder


@dataclass
class SchoolDirectory:
    """One school's classes, subjects, staff, students (and optionally terms and timetable), by matching key."""

    school: School
    classes: dict[str, SchoolClass] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)
    staff: list[Staff] = field(default_factory=list)
    students: dict[int, dict[str, Student]] = field(default_factory=lambda: defaultdict(dict))
    terms: list[Term] = field(default_factory=list)
    timetable: dict[tuple[int, int, int], TimetableLesson] = field(default_factory=dict)
    #: Answers already found for a cell's text (a journal export names the same class and teacher many times).
    _class_cache: dict[str, SchoolClass | None] = field(default_factory=dict, repr=False)
    _staff_cache: dict[str, Staff | None] = field(default_factory=dict, repr=False)

    @classmethod
    async def load(cls, session: AsyncSession, school: School, *, students: bool = True, terms: bool = False,
                   timetable: bool = False) -> SchoolDirectory:
        directory = cls(school)
        if school.id is None:  # a school this import creates
            return directory
        sid = school.id
        for klass in await session.scalars(select(SchoolClass).where(SchoolClass.school_id == sid)):
            directory.classes[class_key(klass.name)] = klass
        for subject in await session.scalars(select(Subject).where(Subject.school_id == sid)):
            directory.subjects[text_key(subject.name)] = subject
        directory.staff = list(await session.scalars(select(Staff).where(Staff.school_id == sid).order_by(Staff.id)))
        if students:
            for student in await session.scalars(select(Student).where(Student.school_id == sid)):
                directory.students[student.class_id][name_key(student.full_name)] = student
        if terms:
            directory.terms = list(await session.scalars(select(Term).where(Term.school_id == sid)))
        if timetable:
            for slot in await session.scalars(select(TimetableLesson).where(TimetableLesson.school_id == sid)):
                directory.timetable[(slot.class_id, slot.weekday, slot.period)] = slot
        return directory

    # --- classes and subjects ---

    def find_class(self, text: str) -> SchoolClass | None:
        if text in self._class_cache:
            return self._class_cache[text]
        try:
            name, _grade = parse_class(text)
        except ValueError:
            name = text
        found = self.classes.get(class_key(name)) or self.classes.get(class_key(text))
        if found is not None:
            self._class_cache[text] = found
        return found

    def classes_of_grade(self, grade: int) -> list[SchoolClass]:
        return sorted((c for c in self.classes.values() if c.grade == grade), key=lambda c: c.name)

    def add_class(self, session: AsyncSession, name: str, grade: int) -> SchoolClass:
        klass = SchoolClass(school_id=self.school.id, name=name, grade=grade)
        session.add(klass)
        self.classes[class_key(name)] = klass
        return klass

    def find_subject(self, name: str) -> Subject | None:
        return self.subjects.get(text_key(name))

    def subject(self, session: AsyncSession, name: str) -> tuple[Subject, bool]:
        """The subject of this name, created if new; (subject, created)."""
        found = self.find_subject(name)
        if found is not None:
            return found, False
        subject = Subject(school_id=self.school.id, name=" ".join(name.split()))
        session.add(subject)
        self.subjects[text_key(name)] = subject
        return subject, True

    # --- people ---

    def find_staff(self, text: str) -> Staff | None:
        """A staff member by phone or by name (word order, case and a left-off patronymic do not matter).

        Raises AmbiguousName when the name fits several people."""
        if text in self._staff_cache:
            return self._staff_cache[text]
        found = self._find_staff(text)
        if found is not None:  # staff added later may answer a name that found nobody
            self._staff_cache[text] = found
        return found

    def _find_staff(self, text: str) -> Staff | None:
        phone = local_phone(text, self.school.country) if any(ch.isdigit() for ch in text) else None
        if phone:
            return next((s for s in self.staff if s.phone == phone), None)
        key = name_key(text)
        exact = [s for s in self.staff if name_key(s.full_name) == key]
        found = exact or [s for s in self.staff if names_overlap(name_key(s.full_name), key)]
        if len(found) > 1:
            raise AmbiguousName(f"{len(found)} staff members are called “{text}”; write the phone number instead")
        return found[0] if found else None

    def find_student(self, class_id: int, name: str) -> Student | None:
        """A student of the class by name; a left-off patronymic still matches when only one student fits."""
        in_class = self.students.get(class_id, {})
        key = name_key(name)
        if key in in_class:
            return in_class[key]
        found = [s for k, s in in_class.items() if names_overlap(k, key)]
        if len(found) > 1:
            raise AmbiguousName(f"{len(found)} students in this class fit “{name}”; write the full name")
        return found[0] if found else None

    def add_student(self, session: AsyncSession, klass: SchoolClass, full_name: str) -> Student:
        student = Student(school_id=self.school.id, class_id=klass.id, full_name=full_name)
        session.add(student)
        self.students[klass.id][name_key(full_name)] = student
        return student
