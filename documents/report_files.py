"""Report files for the archive: the same document as PDF (fpdf2, DejaVu Sans) and XLSX (openpyxl).

A :class:`ReportDocument` holds already translated texts and raw values; the PDF prints numbers with the
:class:`NumberFormats` the caller gives (Babel, in the reader's language), the XLSX keeps them as numbers.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# The certificate's font loader: DejaVu cut to our scripts and parsed once, attached per document.
from documents.certificate_fonts import FAMILY, FONTS_DIR, FontPair

__all__ = ["Column", "ColumnKind", "NumberFormats", "ReportDocument", "ReportRenderer", "Section", "Table",
           "report_xlsx", "safe_file_name"]

Cell = str | int | float | None

_DROPPED_CATEGORIES = frozenset({"So", "Sk", "Cf", "Mn", "Me", "Cs", "Co"})
HEAD_FILL = (230, 236, 245)
TOTAL_FILL = (245, 245, 245)
NAVY = (22, 50, 92)
MUTED = (96, 101, 108)


class ColumnKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"  # two decimals at most, e.g. a mean grade
    PERCENT = "percent"  # 0..100 with one decimal


@dataclass(frozen=True)
class Column:
    title: str
    kind: ColumnKind = ColumnKind.TEXT
    width: float = 1.0  # relative to the other columns


@dataclass(frozen=True)
class Table:
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    total: Sequence[Cell] | None = None  # a bold last row


@dataclass(frozen=True)
class Section:
    heading: str = ""
    paragraphs: Sequence[str] = ()
    table: Table | None = None
    sheet_name: str = ""  # the XLSX sheet; the heading when empty


@dataclass(frozen=True)
class ReportDocument:
    title: str
    lines: Sequence[str] = ()  # under the title: school, period, date made
    sections: Sequence[Section] = ()
    footer: str = ""  # every PDF page, before the page number


@dataclass(frozen=True)
class NumberFormats:
    integer: Callable[[int], str] = str
    decimal: Callable[[float], str] = lambda v: f"{v:.2f}".rstrip("0").rstrip(".")
    percent: Callable[[float], str] = lambda v: f"{v:.1f} %"
    empty: str = "—"

    def cell(self, value: Cell, kind: ColumnKind) -> str:
        if value is None:
            return self.empty if kind is not ColumnKind.TEXT else ""
        if isinstance(value, str):
            return value
        if kind is ColumnKind.INTEGER:  # a mean under a column of marks keeps its decimals
            return self.integer(int(value)) if float(value).is_integer() else self.decimal(float(value))
        if kind is ColumnKind.DECIMAL:
            return self.decimal(float(value))
        if kind is ColumnKind.PERCENT:
            return self.percent(float(value))
        return str(value)


# --- PDF ----------------------------------------------------------------------------------------------


class _ReportPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.footer_text}   {self.page_no()}/{{nb}}".strip(), align="R")


def _texts(doc: ReportDocument, formats: NumberFormats) -> list[str]:
    """Every text the document shows, as shown (to choose the fonts' fast path)."""
    texts = [doc.title, *doc.lines, doc.footer]
    for section in doc.sections:
        texts += [section.heading, *section.paragraphs]
        if section.table:
            texts += [c.title for c in section.table.columns]
            texts += [formats.cell(v, c.kind) for row in section.table.rows
                      for v, c in zip(row, section.table.columns, strict=False)]
            texts += [formats.cell(v, c.kind) for v, c in zip(section.table.total or (), section.table.columns,
                                                              strict=False)]
    return texts


class ReportRenderer:
    """Tables to PDF; fonts parsed once (make one per process, reuse it). Thread-safe."""

    def __init__(self, fonts_dir: Path | str = FONTS_DIR) -> None:
        fonts = FontPair(fonts_dir)
        self._regular, self._bold = fonts.regular, fonts.bold
        self._core, self._full = fonts.core_chars, fonts.full_chars
        self._lock = threading.Lock()

    def _clean(self, text: str) -> str:
        """Letters the fonts lack become "?"; pictographs (emoji, their joiners) are left out."""
        out = []
        for ch in text:
            if ord(ch) in self._full or ch in " \n":
                out.append(ch)
            elif unicodedata.category(ch) not in _DROPPED_CATEGORIES:
                out.append("?")
        return "".join(out).strip()

    def render(self, doc: ReportDocument, formats: NumberFormats | None = None, *,
               made_at: datetime | None = None) -> bytes:
        formats = formats or NumberFormats()
        fast = {ord(ch) for t in _texts(doc, formats) for ch in t} <= self._core | {10}
        wide = any(s.table and len(s.table.columns) > 7 for s in doc.sections)
        with self._lock:
            pdf = _ReportPDF(orientation="L" if wide else "P", unit="mm", format="A4")
            for font in (self._regular, self._bold):
                if fast:
                    font.attach(pdf)
                else:
                    font.add_full(pdf)
            pdf.footer_text = self._clean(doc.footer)
            pdf.set_title(self._clean(doc.title))
            if made_at is not None:  # else fpdf2 stamps the moment the document is made
                pdf.set_creation_date(made_at)
            pdf.set_margins(14, 14, 14)
            pdf.set_auto_page_break(True, margin=14)
            pdf.add_page()
            self._draw(pdf, doc, formats)
            return bytes(pdf.output())

    def _draw(self, pdf: FPDF, doc: ReportDocument, formats: NumberFormats) -> None:
        width = pdf.epw
        pdf.set_text_color(*NAVY)
        pdf.set_font(FAMILY, "B", 15)
        pdf.multi_cell(width, 7, self._clean(doc.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*MUTED)
        pdf.set_font(FAMILY, "", 9)
        for line in doc.lines:
            pdf.multi_cell(width, 4.8, self._clean(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
        for section in doc.sections:
            if section.heading:
                pdf.ln(2)
                pdf.set_text_color(*NAVY)
                pdf.set_font(FAMILY, "B", 11)
                pdf.multi_cell(width, 6, self._clean(section.heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_text_color(0, 0, 0)
            pdf.set_font(FAMILY, "", 9)
            for paragraph in section.paragraphs:
                pdf.multi_cell(width, 4.8, self._clean(paragraph), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(0.8)
            if section.table is not None:
                pdf.ln(1)
                self._table(pdf, section.table, formats)
                pdf.ln(2)

    def _table(self, pdf: FPDF, table: Table, formats: NumberFormats) -> None:
        columns = list(table.columns)
        many = len(columns) > 12
        pdf.set_font(FAMILY, "", 7 if many else 8.5)
        # a wide grid (a term sheet) reads better with centred marks and smaller headings
        align = tuple("LEFT" if c.kind is ColumnKind.TEXT else "CENTER" if many else "RIGHT" for c in columns)
        with pdf.table(col_widths=tuple(c.width for c in columns), text_align=align, line_height=4.2,
                       headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL, size_pt=5.5 if many else None),
                       borders_layout=TableBordersLayout.SINGLE_TOP_LINE, repeat_headings=1,
                       padding=(0.8, 0.4) if many else (0.8, 1.0)) as out:
            head = out.row()
            for column, side in zip(columns, align, strict=True):
                head.cell(self._clean(column.title), align=side)
            for values in table.rows:
                row = out.row()
                for value, column in zip(values, columns, strict=False):
                    row.cell(self._clean(formats.cell(value, column.kind)))
            if table.total is not None:
                row = out.row(style=FontFace(emphasis="BOLD", fill_color=TOTAL_FILL))
                for value, column in zip(table.total, columns, strict=False):
                    row.cell(self._clean(formats.cell(value, column.kind)))


# --- XLSX ---------------------------------------------------------------------------------------------

_XLSX_FORMATS = {ColumnKind.INTEGER: "#,##0", ColumnKind.DECIMAL: "0.00", ColumnKind.PERCENT: '0.0" %"'}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", name).strip()[:28] or "Sheet"
    title, n = base, 2
    while title.casefold() in taken:
        title, n = f"{base[:25]} ({n})", n + 1
    taken.add(title.casefold())
    return title


@dataclass
class _SheetWriter:
    sheet: Worksheet
    row: int = 1
    widths: dict[int, float] = field(default_factory=dict)

    def put(self, col: int, value: Cell, *, bold: bool = False, number_format: str | None = None,
            fill: str | None = None) -> None:
        cell = self.sheet.cell(row=self.row, column=col, value=value)
        if bold:
            cell.font = Font(bold=True)
        if number_format and isinstance(value, int | float):
            cell.number_format = number_format
        if fill:
            cell.fill = PatternFill("solid", fgColor=fill)
        if isinstance(value, str) and col in self.widths:
            self.widths[col] = max(self.widths[col], min(60.0, len(value) * 1.1 + 2))

    def texts(self, doc: ReportDocument, section: Section) -> None:
        """The document's title and lines, the section's heading and paragraphs, one a row."""
        ws = self.sheet
        self.put(1, doc.title, bold=True)
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        self.row += 1
        for line in doc.lines:
            self.put(1, line)
            self.row += 1
        if section.heading:
            self.row += 1
            self.put(1, section.heading, bold=True)
            self.row += 1
        for paragraph in section.paragraphs:
            self.put(1, paragraph)
            ws.cell(row=self.row, column=1).alignment = Alignment(wrap_text=False)
            self.row += 1

    def table(self, table: Table) -> None:
        """A header row (frozen, filtered), the rows and the total in bold; columns as wide as their texts."""
        ws = self.sheet
        self.row += 1
        header_row = self.row
        self.widths = {i: 8.0 for i in range(1, len(table.columns) + 1)}
        for i, column in enumerate(table.columns, start=1):
            self.put(i, column.title, bold=True, fill="E6ECF5")
            ws.cell(row=self.row, column=i).alignment = Alignment(wrap_text=True, vertical="top")
        for values in [*table.rows, *([table.total] if table.total is not None else [])]:
            self.row += 1
            bold = values is table.total
            for i, (value, column) in enumerate(zip(values, table.columns, strict=False), start=1):
                self.put(i, value, bold=bold, number_format=_XLSX_FORMATS.get(column.kind))
        for i, width in self.widths.items():
            ws.column_dimensions[get_column_letter(i)].width = max(width, 6.0 * table.columns[i - 1].width)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=2 if table.columns[0].kind is ColumnKind.TEXT else 1)
        if table.rows:
            last = header_row + len(table.rows)
            ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(table.columns))}{last}"


def report_xlsx(doc: ReportDocument) -> bytes:
    """One sheet per section; each starts with the title lines so a printed sheet says what it is."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    sections = list(doc.sections) or [Section()]
    for section in sections:
        ws = wb.create_sheet(_sheet_title(section.sheet_name or section.heading or doc.title, taken))
        w = _SheetWriter(ws)
        w.texts(doc, section)
        if section.table is not None:
            w.table(section.table)
        else:
            ws.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


_APOSTROPHES = re.compile(r"[‘’'`´ʼ]")
_UNSAFE = re.compile(r"[^\w\-ʻ]+")


def safe_file_name(title: str, extension: str, limit: int = 100) -> str:
    """A file name from a translated title: letters of any script, digits, "-" and "_" only (Uzbek o‘ and g‘
    keep their ʻ); spaces and everything else become one "_". "Ведомость 7-А, 2-четверть" ->
    "Ведомость_7-А_2-четверть.pdf"."""
    text = unicodedata.normalize("NFC", _APOSTROPHES.sub("ʻ", title))
    stem = _UNSAFE.sub("_", text).strip("_-")[:limit].rstrip("_-") or "report"
    return f"{stem}.{extension}"
