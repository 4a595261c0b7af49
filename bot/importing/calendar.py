"""Calendar import: a school's terms, holidays, and section/term summative assessments with their due dates.

An .xlsx has a sheet for each (terms, holidays, summatives); a CSV puts all three in one table with a `type`
column. Matching, so a second import updates instead of adding: a term by (school, school_year, number); a
holiday by its name within the school year (by its dates when it has no name); a summative by (class,
subject, kind, title), or by its due date when it has no title. Classes and subjects must be in the roster.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.columns import CALENDAR, CALENDAR_SHEETS
from bot.importing.lookup import SchoolDirectory, load_finder, school_or_report, seen_before, upsert
from bot.importing.report import ImportReport
from bot.importing.spreadsheet import BoundTable, Row, Table, bind, sheet_is
from domain.grading import MarkKind, parse_kind, school_year_start
from domain.tabular import cell_text, normalize_header, parse_date, parse_int, parse_school_year, text_key
from storage.models import Holiday, School, SchoolClass, Subject, Summative, Term

TERMS, HOLIDAYS, SUMMATIVES = "terms", "holidays", "summatives"
REQUIRED = {
    TERMS: ("number", "starts_on", "ends_on"),
    HOLIDAYS: ("starts_on", "ends_on"),
    SUMMATIVES: ("class", "subject", "due_on"),
}
_SUMMATIVE_WORDS = ("bsb", "chsb", "сор", "соч", "бжб", "тжб", "sor", "soch")


@dataclass
class TermLine:
    row: Row
    school_year: str
    number: int
    starts_on: date
    ends_on: date


@dataclass
class HolidayLine:
    row: Row
    name: str
    starts_on: date
    ends_on: date


@dataclass
class SummativeLine:
    row: Row
    classes: str
    subject: str
    kind: str
    title: str
    due_on: date


async def import_calendar(session: AsyncSession, tables: list[Table], *, now: datetime) -> ImportReport:
    report = ImportReport("calendar")
    typed, has_school_column = _typed_rows(tables, report)
    lines: dict[str, list] = {TERMS: [], HOLIDAYS: [], SUMMATIVES: []}
    for kind, row in typed:
        line = _parse(kind, row, report)
        if line is not None:
            lines[kind].append(line)
    finder = await load_finder(session, report, rows=bool(typed), has_school_column=has_school_column)
    if finder is None:
        return report
    per_school: dict[int, tuple[School, dict[str, list]]] = {}
    for kind, kind_lines in lines.items():
        for line in kind_lines:
            school = school_or_report(line.row, finder, report, has_school_column=has_school_column)
            if school is not None:
                groups = per_school.setdefault(school.id, (school, {TERMS: [], HOLIDAYS: [], SUMMATIVES: []}))[1]
                groups[kind].append(line)
    for school, school_lines in per_school.values():
        directory = await SchoolDirectory.load(session, school, students=False, terms=True)
        await _write_terms(session, directory, school_lines[TERMS], report)
        await _write_holidays(session, school, school_lines[HOLIDAYS], report)
        await _write_summatives(session, directory, school_lines[SUMMATIVES], report)
    return report


def _typed_rows(tables: list[Table], report: ImportReport) -> tuple[list[tuple[str, Row]], bool]:
    """Every row with the kind of record it holds (by its sheet, its columns or its type cell); whether any
    sheet has a school column."""
    typed: list[tuple[str, Row]] = []
    has_school_column = False
    several = sum(1 for t in tables if t.rows) > 1
    for table in tables:
        bound = bind(table, CALENDAR, report, fill_down=("school", "school_id"), skip_unknown=several) \
            if table.rows else None
        if bound is None:
            continue
        has_school_column |= bool({"school", "school_id"} & bound.columns)
        sheet_kind = next((k for k, names in CALENDAR_SHEETS.items() if sheet_is(table, (k, *names))), None)
        if "type" not in bound.columns:
            sheet_kind = sheet_kind or _kind_by_columns(bound.columns)
            if sheet_kind is None:
                report.error(table.name, "which records are these? name the sheet terms, holidays or summatives, "
                                         "or add a type column")
                continue
        typed += [(kind, row) for row in bound.rows if (kind := _row_kind(row, bound, sheet_kind, report))]
    return typed, has_school_column


def _row_kind(row: Row, bound: BoundTable, sheet_kind: str | None, report: ImportReport) -> str | None:
    """The sheet's kind of record, unless the row's type cell says otherwise; None when that cell is wrong."""
    if "type" not in bound.columns or not (row.has("type") or sheet_kind is None):
        return sheet_kind
    return report.parse(row, "type", _record_type)


def _record_type(value: object) -> str:
    word = normalize_header(value)
    for kind, names in CALENDAR_SHEETS.items():
        if word in {normalize_header(n) for n in (kind, *names)}:
            return kind
    if word in _SUMMATIVE_WORDS or word.split(" ")[0] in _SUMMATIVE_WORDS:
        return SUMMATIVES
    raise ValueError(f"unknown type “{cell_text(value)}” (term, holiday or summative)")


def _kind_by_columns(columns: set[str]) -> str | None:
    if "due_on" in columns:
        return SUMMATIVES
    if "number" in columns:
        return TERMS
    if "starts_on" in columns:
        return HOLIDAYS
    return None


def _parse(kind: str, row: Row, report: ImportReport) -> TermLine | HolidayLine | SummativeLine | None:
    before = len(report.errors)
    for column in REQUIRED[kind]:
        if not row.has(column):
            report.error(row, f"empty (a {kind[:-1]} needs it)", column)
    if len(report.errors) > before:
        return None
    if kind == SUMMATIVES:
        return _parse_summative(row, report)
    starts_on, ends_on = report.parse(row, "starts_on", parse_date), report.parse(row, "ends_on", parse_date)
    if starts_on and ends_on and ends_on < starts_on:
        report.error(row, f"ends ({ends_on.isoformat()}) before it starts ({starts_on.isoformat()})", "ends_on")
    if kind == HOLIDAYS:
        return HolidayLine(row, row.text("name"), starts_on, ends_on) if len(report.errors) == before else None
    number = report.parse(row, "number", lambda v: parse_int(v, low=1, high=6))
    school_year = _school_year(row, starts_on, report) if starts_on is not None else None
    if len(report.errors) > before:
        return None
    return TermLine(row, school_year, number, starts_on, ends_on)


def _parse_summative(row: Row, report: ImportReport) -> SummativeLine | None:
    due_on = report.parse(row, "due_on", parse_date)
    summative_kind = None
    word = row.raw("kind") if row.has("kind") else row.raw("type")
    with contextlib.suppress(ValueError):
        summative_kind = parse_kind(word)
    if summative_kind not in (MarkKind.SECTION, MarkKind.TERM):
        said = f"“{cell_text(word)}” is not a summative kind" if row.has("kind") else "the kind is empty"
        report.error(row, f"{said} (section or term; BSB, ChSB, СОР, СОЧ, БЖБ, ТЖБ)", "kind")
        return None
    if due_on is None:
        return None
    title = row.text("title") or row.text("name")
    return SummativeLine(row, row.text("class"), row.text("subject"), str(summative_kind), title, due_on)


def _school_year(row: Row, starts_on: date, report: ImportReport) -> str:
    """The school year a term starting then belongs to; an error if the row writes another."""
    derived = f"{school_year_start(starts_on)}-{school_year_start(starts_on) + 1}"
    written = report.parse(row, "school_year", parse_school_year, optional=True)
    if written is not None and written != derived:
        report.error(row, f"starts on {starts_on.isoformat()}, which is in {derived}", "school_year")
    return written or derived


async def _write_terms(session: AsyncSession, directory: SchoolDirectory, lines: list[TermLine],
                       report: ImportReport) -> None:
    existing = {(t.school_year, t.number): t for t in directory.terms}
    seen: dict[tuple[str, int], Row] = {}
    for line in lines:
        key = (line.school_year, line.number)
        if (earlier := seen_before(seen, key, line.row)) is not None:
            report.error(line.row, f"term {line.number} of {line.school_year} is also on row {earlier.number}",
                         "number")
            continue
        existing[key] = upsert(session, report, "terms", existing.get(key),
                               {"starts_on": line.starts_on, "ends_on": line.ends_on},
                               partial(Term, school_id=directory.school.id, school_year=line.school_year,
                                       number=line.number))
    for year in {line.school_year for line in lines}:
        terms = sorted((t for (y, _n), t in existing.items() if y == year), key=lambda t: t.starts_on)
        for earlier, later in itertools.pairwise(terms):
            if later.starts_on <= earlier.ends_on:
                row = seen.get((year, later.number)) or seen.get((year, earlier.number))
                report.error(row or directory.school.name,
                             f"terms {earlier.number} and {later.number} of {year} overlap", "starts_on")
    await session.flush()
    directory.terms = list(existing.values())


def _holiday_key(name: str, starts_on: date, ends_on: date) -> tuple:
    """A holiday is known by its name within the school year, or by its dates when it has no name."""
    if name:
        return ("name", text_key(name), school_year_start(starts_on))
    return ("dates", starts_on, ends_on)


async def _write_holidays(session: AsyncSession, school: School, lines: list[HolidayLine],
                          report: ImportReport) -> None:
    if not lines:
        return
    existing = {_holiday_key(h.name, h.starts_on, h.ends_on): h
                for h in await session.scalars(select(Holiday).where(Holiday.school_id == school.id))}
    seen: dict[tuple, Row] = {}
    for line in lines:
        key = _holiday_key(line.name, line.starts_on, line.ends_on)
        if (earlier := seen_before(seen, key, line.row)) is not None:
            report.error(line.row, f"the same holiday is on row {earlier.number}", "name")
            continue
        existing[key] = upsert(session, report, "holidays", existing.get(key),
                               {"starts_on": line.starts_on, "ends_on": line.ends_on, "name": line.name},
                               partial(Holiday, school_id=school.id))
    await session.flush()


def _classes_named(directory: SchoolDirectory, text: str) -> list[SchoolClass]:
    """A class, or every class of a grade when the cell is a bare number ("5": all fifth classes)."""
    klass = directory.find_class(text)
    if klass is not None:
        return [klass]
    stripped = cell_text(text)
    if stripped.isdigit():
        return directory.classes_of_grade(int(stripped))
    return []


def _summative_key(class_id: int, subject_id: int, kind: str, title: str, due_on: date) -> tuple:
    """A summative is known by class, subject, kind and title, or by its due date when it has no title."""
    return (class_id, subject_id, kind, ("title", text_key(title)) if title else ("due", due_on))


async def _write_summatives(session: AsyncSession, directory: SchoolDirectory, lines: list[SummativeLine],
                            report: ImportReport) -> None:
    if not lines:
        return
    existing = {_summative_key(s.class_id, s.subject_id, s.kind, s.title, s.due_on): s
                for s in await session.scalars(select(Summative).where(Summative.school_id == directory.school.id))}
    seen: dict[tuple, Row] = {}
    for line in lines:
        targets = _summative_targets(directory, line, report)
        if targets is not None:
            _write_summative(session, directory, line, targets, existing, seen, report)
    await session.flush()


def _write_summative(session: AsyncSession, directory: SchoolDirectory, line: SummativeLine,
                     targets: tuple[list[SchoolClass], Subject], existing: dict[tuple, Summative],
                     seen: dict[tuple, Row], report: ImportReport) -> None:
    """A row's summative for each class it names, in the term of its due date (warned when outside every term)."""
    classes, subject = targets
    term = next((t for t in directory.terms if t.starts_on <= line.due_on <= t.ends_on), None)
    if term is None:
        report.warn(line.row, f"{line.due_on.isoformat()} is outside every term of the school", "due_on")
    for klass in classes:
        key = _summative_key(klass.id, subject.id, line.kind, line.title, line.due_on)
        if (earlier := seen_before(seen, key, line.row)) is not None:
            report.error(line.row, f"the same summative for {klass.name} is on row {earlier.number}", "title")
            continue
        existing[key] = upsert(session, report, "summatives", existing.get(key),
                               {"due_on": line.due_on, "term_id": term.id if term else None, "title": line.title},
                               partial(Summative, school_id=directory.school.id, class_id=klass.id,
                                       subject_id=subject.id, kind=line.kind))


def _summative_targets(directory: SchoolDirectory, line: SummativeLine,
                       report: ImportReport) -> tuple[list[SchoolClass], Subject] | None:
    """The classes and the subject a summative row names; None, with the row's errors, when either is unknown."""
    classes = _classes_named(directory, line.classes)
    subject = directory.find_subject(line.subject)
    if not classes:
        report.error(line.row, f"unknown class “{line.classes}” (import the roster first)", "class")
    if subject is None:
        report.error(line.row, f"unknown subject “{line.subject}” (check the spelling against the roster)",
                     "subject")
    return (classes, subject) if classes and subject is not None else None
