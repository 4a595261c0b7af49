"""The roster's people sheets read: which sheets hold people and which the timetable, each row a Person of a
school (SchoolRef) with its problems reported by row; nothing is written here."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.importing.columns import PEOPLE, TIMETABLE, TIMETABLE_SHEETS
from bot.importing.lookup import AmbiguousName, SchoolFinder, local_phone
from bot.importing.places import canonical_region
from bot.importing.report import ImportReport
from bot.importing.spreadsheet import BoundTable, Row, Table, bind, sheet_is
from domain.tabular import parse_class, parse_country, parse_int, parse_role, split_list, text_key

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


# --- sheets ---------------------------------------------------------------------------------------------


def classify(tables: list[Table], report: ImportReport) -> tuple[list[BoundTable], list[BoundTable]]:
    """People sheets and timetable sheets, told apart by name or by their columns."""
    people, timetable = [], []
    probe = ImportReport("probe")
    for table in tables:
        if not table.rows:
            continue
        if _is_timetable(table, probe):
            bound = bind(table, TIMETABLE, report, required=("class", "weekday", "period", "subject"),
                         fill_down=("school", "school_id"))
            if bound is not None:
                timetable.append(bound)
        elif (bound := _people_sheet(table, probe, report, several=len(tables) > 1)) is not None:
            people.append(bound)
    return people, timetable


def _is_timetable(table: Table, probe: ImportReport) -> bool:
    """Named as a timetable sheet, or with weekday and period columns."""
    as_timetable = bind(table, TIMETABLE, probe)
    return sheet_is(table, TIMETABLE_SHEETS) or (
        as_timetable is not None and {"weekday", "period"} <= as_timetable.columns)


def _people_sheet(table: Table, probe: ImportReport, report: ImportReport, *, several: bool) -> BoundTable | None:
    """The sheet bound as people; None when it is not one (skipped with a warning among several sheets) or
    lacks the school column (an error)."""
    as_people = bind(table, PEOPLE, probe)
    if (as_people is None or not {"role", "full_name"} & as_people.columns) and several:
        report.warn(table.name, "not a roster or timetable sheet; skipped")
        return None
    bound = bind(table, PEOPLE, report, required=("role", "full_name"), fill_down=SCHOOL_COLUMNS)
    if bound is not None and not {"school", "school_id"} & bound.columns:
        report.error(table.name, "the header lacks the column: school")
        return None
    return bound


# --- schools --------------------------------------------------------------------------------------------


def parse_school(row: Row, refs: dict[str, SchoolRef], finder: SchoolFinder, report: ImportReport) -> str | None:
    """The key of the row's school, its SchoolRef added to `refs` on its first row; None if the row names none."""
    external_id, name = row.text("school_id") or None, row.text("school")
    if not external_id and not name:
        report.error(row, "the school is empty (write it on the school's first row at least)", "school")
        return None
    key = f"id:{external_id.lower()}" if external_id else f"name:{text_key(name)}"
    country, timezone, plan = _school_settings(row, report)
    ref = refs.get(key)
    if ref is None:
        refs[key] = ref = SchoolRef(key, external_id, name, country, timezone, None, row.text("district") or None,
                                    row, plan=plan)
        _place(ref, finder, report)
    elif country and ref.country and country != ref.country:
        report.error(row, f"{country} here, but {ref.country} on row {ref.row.number} for the same school",
                     "country")
    return key


def _school_settings(row: Row, report: ImportReport) -> tuple[str | None, str | None, int | None]:
    """The row's country, time zone (an unknown one reported) and certification plan."""
    country = report.parse(row, "country", parse_country, optional=True)
    timezone = None
    if row.has("timezone"):
        timezone = row.text("timezone")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            report.error(row, f"unknown time zone “{timezone}” (e.g. Asia/Tashkent)", "timezone")
    plan = report.parse(row, "plan", lambda v: parse_int(v, low=0, high=10_000_000), optional=True)
    return country, timezone, plan


def _place(ref: SchoolRef, finder: SchoolFinder, report: ImportReport) -> None:
    """The country of the school already stored (an ambiguous name is reported when the schools are written)
    and the region checked against the country."""
    try:
        known = finder.find(ref.external_id, ref.name)
    except AmbiguousName:
        known = None
    ref.known_country = known.country if known else None
    ref.region = _region(ref.row, ref.country or ref.known_country, report)


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


# --- people ---------------------------------------------------------------------------------------------


def parse_person(row: Row, refs: dict[str, SchoolRef], finder: SchoolFinder, report: ImportReport
                 ) -> Person | None:
    """The row's person; None (its problems reported) if anything on the row was wrong."""
    before = len(report.errors)
    school = parse_school(row, refs, finder, report)
    role = _role(row, report)
    name = " ".join(row.text("full_name").split())
    if not name:
        report.error(row, "the name is empty", "full_name")
    klass = report.parse(row, "class", parse_class, optional=True)
    if not row.has("class") and role in ("student", "class_teacher"):
        report.error(row, f"a {role.replace('_', ' ')} needs a class", "class")
    phones = _person_phones(row, role, klass, refs[school].phone_country if school else None, report)
    if len(report.errors) > before or school is None or role is None:
        return None
    return Person(row=row, school=school, role=role, name=name, klass=klass,
                  subjects=split_list(row.raw("subject")) if role != "student" else [],
                  phones=phones, parent_names=split_list(row.raw("parent_name")))


def _role(row: Row, report: ImportReport) -> str | None:
    if not row.has("role"):
        report.error(row, "the role is empty (student, teacher, class_teacher, deputy, head)", "role")
        return None
    return report.parse(row, "role", parse_role)


def _person_phones(row: Row, role: str | None, klass: tuple[str, int] | None, country: str | None,
                   report: ImportReport) -> list[str]:
    """A student's own and parents' phones; a staff member's one phone (the first kept, with a warning)."""
    if role == "student":
        return list(dict.fromkeys(_phones(row, "phone", country, report)
                                  + _phones(row, "parent_phone", country, report)))
    phones = _phones(row, "phone", country, report)
    if len(phones) > 1:
        report.warn(row, f"several phone numbers; {phones[0]} is kept", "phone")
        phones = phones[:1]
    if klass is not None and role != "class_teacher":
        report.warn(row, "a class is only read for students and class teachers", "class")
    return phones


def _phones(row: Row, column: str, country: str | None, report: ImportReport) -> list[str]:
    phones = []
    for piece in split_list(row.raw(column)):
        phone = local_phone(piece, country)
        if phone is None:
            report.error(row, f"“{piece}” is not a phone number (e.g. +998 90 123 45 67)", column)
        elif phone not in phones:
            phones.append(phone)
    return phones
