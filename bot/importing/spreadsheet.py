"""Spreadsheets in: .xlsx (every sheet) or .csv (UTF-8, ',' or ';' found by itself) as rows under a header.

Rows keep the number the spreadsheet shows, so errors can point at them. The header is the first row
(a title line or two above it is skipped) and names columns in English, Russian, Uzbek, Kyrgyz or Kazakh.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.importing.report import ImportReport
from domain.tabular import ColumnSpec, cell_text, match_headers, normalize_header

#: How many non-empty rows at the top may be titles before the header.
HEADER_SEARCH_ROWS = 10


class SpreadsheetError(Exception):
    """The file itself cannot be read (missing, not a spreadsheet, not UTF-8, ...)."""


@dataclass
class Table:
    """One sheet (or the CSV file): its non-empty rows with their spreadsheet row numbers."""

    name: str
    rows: list[tuple[int, tuple[object, ...]]]


@dataclass
class Row:
    table: str
    number: int
    values: dict[str, object] = field(default_factory=dict)

    # `bind` leaves text stripped and empty cells as None, so these stay cheap on large exports.
    def raw(self, column: str) -> object | None:
        return self.values.get(column)

    def text(self, column: str) -> str:
        value = self.values.get(column)
        return value if type(value) is str else cell_text(value)

    def has(self, column: str) -> bool:
        return self.values.get(column) is not None


@dataclass
class BoundTable:
    """A table whose header has been read: rows as {canonical column: value}."""

    name: str
    columns: set[str]
    rows: list[Row]


def read_tables(path: str | Path) -> list[Table]:
    path = Path(path)
    if not path.is_file():
        raise SpreadsheetError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return [_read_csv(path)]
    raise SpreadsheetError(f"{path}: not an .xlsx or .csv file (save it from Excel as .xlsx or CSV UTF-8)")


def _read_xlsx(path: Path) -> list[Table]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged or foreign file
        raise SpreadsheetError(f"{path}: cannot be read as .xlsx ({exc})") from exc
    try:
        tables = []
        for sheet in workbook.worksheets:
            rows = [(number, values) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
                    if any(cell_text(v) for v in values)]
            tables.append(Table(sheet.title, rows))
        return tables
    finally:
        workbook.close()


def _read_csv(path: Path) -> Table:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(f"{path}: not UTF-8 text (in Excel: Save As → “CSV UTF-8”)") from exc
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, values in enumerate(reader, start=1):  # a record is a row, even with a line break inside
            if any(v.strip() for v in values):
                rows.append((number, tuple(values)))
    except csv.Error as exc:
        raise SpreadsheetError(f"{path}, line {reader.line_num}: {exc}") from exc
    return Table("", rows)


def _header_index(rows: Sequence[tuple[int, tuple[object, ...]]], spec: ColumnSpec) -> int | None:
    """Index (in `rows`) of the header: the first of the top rows that names two known columns."""
    need = min(2, len(spec))
    for index, (_number, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if len(match_headers(values, spec).columns) >= need:
            return index
    return None


def bind(table: Table, spec: ColumnSpec, report: ImportReport, *, required: Iterable[str] = (),
         fill_down: Iterable[str] = (), skip_unknown: bool = False) -> BoundTable | None:
    """Read `table`'s header against `spec`; None (with an error in `report`) if it lacks a required column.

    Columns in `fill_down` may be left empty under a value: the value above applies (a school's name
    written once at the top of a school's rows). With `skip_unknown`, a sheet without a recognisable header
    (notes, a summary beside the data) is skipped with a warning instead of an error.
    """
    if not table.rows:
        return BoundTable(table.name, set(), [])
    header = _read_header(table, spec, report, required, skip_unknown)
    if header is None:
        return None
    index, columns = header
    return BoundTable(table.name, set(columns), _bound_rows(table, index, columns, set(fill_down)))


def _read_header(table: Table, spec: ColumnSpec, report: ImportReport, required: Iterable[str],
                 skip_unknown: bool) -> tuple[int, dict[str, int]] | None:
    """The header's index and its columns (canonical name -> position); None, reported, when it is missing,
    lacks a required column or names one twice."""
    index = _header_index(table.rows, spec)
    if index is None and skip_unknown:
        report.warn(table.name, "no known columns in the first rows; sheet skipped")
        return None
    if index is None:
        expected = ", ".join(spec)
        report.error(table.name, f"no header row found; the first row should name the columns: {expected}")
        return None
    header_number, header = table.rows[index]
    found = match_headers(header, spec)
    for canonical, first, second in found.clashes:
        report.error(table.name, f"columns “{first}” and “{second}” both mean {canonical}")
    missing = [c for c in required if c not in found.columns]
    if missing:
        report.error(table.name, f"row {header_number} (the header) lacks the column(s): {', '.join(missing)}")
    if found.clashes or missing:
        return None
    for unknown in found.unknown:
        report.warn(table.name, f"column “{unknown}” is not used")
    return index, found.columns


def _bound_rows(table: Table, index: int, columns: dict[str, int], carried: set[str]) -> list[Row]:
    """The rows under the header as {canonical column: value}: text stripped, empty cells None, `carried`
    columns filled down."""
    last: dict[str, object] = {}
    rows = []
    for number, values in table.rows[index + 1:]:
        row = Row(table.name, number)
        for canonical, column in columns.items():
            value = values[column] if column < len(values) else None
            if isinstance(value, str):
                value = value.strip() or None
            if canonical in carried:
                if value is None:
                    value = last.get(canonical)
                else:
                    last[canonical] = value
            row.values[canonical] = value
        rows.append(row)
    return rows


def sheet_is(table: Table, names: Iterable[str]) -> bool:
    """Whether a sheet's name is one of `names` (case, spacing and language variants as in headers)."""
    return normalize_header(table.name) in {normalize_header(n) for n in names}
