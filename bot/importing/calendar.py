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

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.importing.columns import CALENDAR, CALENDAR_SHEETS
from bot.importing.lookup import SchoolDirectory, load_finder, school_or_report
from bot.importing.report import ImportReport
from bot.importing.spreadsheet import Row, Table, bind, sheet_is
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
    typed: list[tuple[str, Row]] = []
    has_school_column = False
    several = sum(1 for t in tables if t.rows) > 1
    for table in tables:
        if not table.rows:
            continue
        bound = bind(table, CALENDAR, report, fill_down=("school", "school_id"), skip_unknown=several)
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
        for row in bound.rows:
            kind = sheet_kind
            if "type" in bound.columns:
                try:
                    kind = _record_type(row.raw("type")) if row.has("type") or sheet_kind is None else sheet_kind
                except ValueError as exc:
                    report.error(row, str(exc), "type")
                    continue
            typed.append((kind, row))
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
            if school is None:
                continue
            per_school.setdefault(school.id, (school, {TERMS: [], HOLIDAYS: [], SUMMATIVES: []}))[1][kind].append(line)
    for school, school_lines in per_school.values():
        directory = await SchoolDirectory.load(session, school, students=False, terms=True)
        await _write_terms(session, directory, school_lines[TERMS], report)
        await _write_holidays(session, school, school_lines[HOLIDAYS], report)
        await _write_summatives(session, directory, school_lines[SUMMATIVES], report)
    return report


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
    starts_on, ends_on = report.parse(row, "starts_on", parse_date), report.parse(row, "ends_on", parse_date)
    if starts_on and ends_on and ends_on < starts_on:
        report.error(row, f"ends ({ends_on.isoformat()}) before it starts ({starts_on.isoformat()})", "ends_on")
    if kind == HOLIDAYS:
        return HolidayLine(row, row.text("name"), starts_on, ends_on) if len(report.errors) == before else None
    number = report.parse(row, "number", lambda v: parse_int(v, low=1, high=6))
    school_year = None
    if starts_on is not None:
        derived = f"{school_year_start(starts_on)}-{school_year_start(starts_on) + 1}"
        written = report.parse(row, "school_year", parse_school_year, optional=True)
        school_year = written or derived
        if written is not None and written != derived:
            report.error(row, f"starts on {starts_on.isoformat()}, which is in {derived}", "school_year")
    if len(report.errors) > before:
        return None
    return TermLine(row, school_year, number, starts_on, ends_on)


async def _write_terms(session: AsyncSession, directory: SchoolDirectory, lines: list[TermLine],
                       report: ImportReport) -> None:
    existing = {(t.school_year, t.number): t for t in directory.terms}
    seen: dict[tuple[str, int], Row] = {}
    for line in lines:
        key = (line.school_year, line.number)
        if key in seen:
            report.error(line.row, f"term {line.number} of {line.school_year} is also on row {seen[key].number}",
                         "number")
            continue
        seen[key] = line.row
        term = existing.get(key)
        if term is None:
            term = existing[key] = Term(school_id=directory.school.id, school_year=line.school_year,
                                        number=line.number, starts_on=line.starts_on, ends_on=line.ends_on)
            session.add(term)
            report.tally("terms", "created")
        elif (term.starts_on, term.ends_on) != (line.starts_on, line.ends_on):
            term.starts_on, term.ends_on = line.starts_on, line.ends_on
            report.tally("terms", "updated")
        else:
            report.tally("terms", "unchanged")
    rows = dict(seen)
    for year in {line.school_year for line in lines}:
        terms = sorted((t for (y, _n), t in existing.items() if y == year), key=lambda t: t.starts_on)
        for earlier, later in itertools.pairwise(terms):
            if later.starts_on <= earlier.ends_on:
                row = rows.get((year, later.number)) or rows.get((year, earlier.number))
                report.error(row or directory.school.name,
                             f"terms {earlier.number} and {later.number} of {year} overlap", "starts_on")
    await session.flush()
    directory.terms = list(existing.values())


async def _write_holidays(session: AsyncSession, school: School, lines: list[HolidayLine],
                          report: ImportReport) -> None:
    if not lines:
        return

    def key(name: str, starts_on: date, ends_on: date) -> tuple:
        if name:
            return ("name", text_key(name), school_year_start(starts_on))
        return ("dates", starts_on, ends_on)

    existing = {key(h.name, h.starts_on, h.ends_on): h
                for h in await session.scalars(select(Holiday).where(Holiday.school_id == school.id))}
    seen: dict[tuple, Row] = {}
    for line in lines:
        k = key(line.name, line.starts_on, line.ends_on)
        if k in seen:
            report.error(line.row, f"the same holiday is on row {seen[k].number}", "name")
            continue
        seen[k] = line.row
        holiday = existing.get(k)
        if holiday is None:
            existing[k] = Holiday(school_id=school.id, name=line.name, starts_on=line.starts_on,
                                  ends_on=line.ends_on)
            session.add(existing[k])
            report.tally("holidays", "created")
        elif (holiday.starts_on, holiday.ends_on, holiday.name) != (line.starts_on, line.ends_on, line.name):
            holiday.starts_on, holiday.ends_on, holiday.name = line.starts_on, line.ends_on, line.name
            report.tally("holidays", "updated")
        else:
            report.tally("holidays", "unchanged")
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


async def _write_summatives(session: AsyncSession, directory: SchoolDirectory, lines: list[SummativeLine],
                            report: ImportReport) -> None:
    if not lines:
        return
    school = directory.school

    def key(class_id: int, subject_id: int, kind: str, title: str, due_on: date) -> tuple:
        return (class_id, subject_id, kind, ("title", text_key(title)) if title else ("due", due_on))

    existing = {key(s.class_id, s.subject_id, s.kind, s.title, s.due_on): s
                for s in await session.scalars(select(Summative).where(Summative.school_id == school.id))}
    seen: dict[tuple, Row] = {}
    for line in lines:
        classes = _classes_named(directory, line.classes)
        subject: Subject | None = directory.find_subject(line.subject)
        if not classes:
            report.error(line.row, f"unknown class “{line.classes}” (import the roster first)", "class")
        if subject is None:
            report.error(line.row, f"unknown subject “{line.subject}” (check the spelling against the roster)",
                         "subject")
        if not classes or subject is None:
            continue
        term = next((t for t in directory.terms if t.starts_on <= line.due_on <= t.ends_on), None)
        if term is None:
            report.warn(line.row, f"{line.due_on.isoformat()} is outside every term of the school", "due_on")
        for klass in classes:
            k = key(klass.id, subject.id, line.kind, line.title, line.due_on)
            if k in seen:
                report.error(line.row, f"the same summative for {klass.name} is on row {seen[k].number}", "title")
                continue
            seen[k] = line.row
            values = {"due_on": line.due_on, "term_id": term.id if term else None, "title": line.title}
            summative = existing.get(k)
            if summative is None:
                existing[k] = Summative(school_id=school.id, class_id=klass.id, subject_id=subject.id,
                                        kind=line.kind, **values)
                session.add(existing[k])
                report.tally("summatives", "created")
            elif any(getattr(summative, a) != v for a, v in values.items()):
                for attr, value in values.items():
                    setattr(summative, attr, value)
                report.tally("summatives", "updated")
            else:
                report.tally("summatives", "unchanged")
    await session.flush()
