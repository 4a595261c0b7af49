"""A report as a file: its name in the reader's words, its document (for PDF and XLSX) and its chart (PNG),
each built only when asked for (off the event loop, by the handler)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.screens.reports.certification import (
    area_chart,
    area_document,
    area_file_title,
    certification_document,
    certification_file_title,
)
from bot.screens.reports.common import file_name, number_formats, render_pdf, render_xlsx
from bot.screens.reports.decree import decree_document, decree_file_title
from bot.screens.reports.journal import journal_chart, journal_document, journal_file_title
from bot.screens.reports.parents import parents_document, parents_file_title
from bot.screens.reports.sheet import sheet_document, sheet_file_title
from documents.report_files import ReportDocument
from usecases.report_figures import (
    AreaReport,
    DecreeReport,
    JournalReport,
    ParentsReport,
    SchoolCertificationReport,
    SheetReport,
)
from usecases.reports import SchoolReport


@dataclass(frozen=True)
class ReportFile:
    title: str
    document: Callable[[], ReportDocument]
    chart: Callable[[], bytes] | None = None

    def name(self, extension: str) -> str:
        return file_name(self.title, extension)


def report_file(report: SchoolReport | AreaReport) -> ReportFile:
    """The title is worded now (in the reader's language); the document and chart when called."""
    if isinstance(report, SchoolCertificationReport):
        return ReportFile(certification_file_title(report.school, report.today),
                          lambda: certification_document(report))
    if isinstance(report, JournalReport):
        return ReportFile(journal_file_title(report), lambda: journal_document(report),
                          chart=lambda: journal_chart(report))
    if isinstance(report, DecreeReport):
        return ReportFile(decree_file_title(report), lambda: decree_document(report))
    if isinstance(report, SheetReport):
        return ReportFile(sheet_file_title(report), lambda: sheet_document(report))
    if isinstance(report, ParentsReport):
        return ReportFile(parents_file_title(report), lambda: parents_document(report))
    return ReportFile(area_file_title(report), lambda: area_document(report), chart=lambda: area_chart(report))


def document_bytes(doc: ReportDocument, extension: str) -> bytes:
    """A document as PDF (numbers in the reader's language) or XLSX; call it off the event loop."""
    return render_pdf(doc, number_formats()) if extension == "pdf" else render_xlsx(doc)
