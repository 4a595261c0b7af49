"""The administration's reports in the reader's language: chat screens (`menus`), and each report's text,
PDF/XLSX document and chart (one module per report; `common` holds the numbers and the school's term, `files`
a report as a file). The figures come from usecases.reports; nothing here reads the database."""

from bot.screens.reports.certification import (
    area_chart,
    area_document,
    area_file_title,
    area_text,
    area_title,
    certification_document,
    certification_file_title,
    certification_lines,
    certification_text,
    group_label,
)
from bot.screens.reports.common import (
    country_name,
    dec,
    file_name,
    made_line,
    num,
    number_formats,
    pct,
    period_line,
    plain,
    render_pdf,
    render_xlsx,
    renderer,
    share_text,
    summative_names,
    summative_pair,
    term_label,
    term_summative_name,
)
from bot.screens.reports.decree import decree_document, decree_file_title, decree_lines, decree_text
from bot.screens.reports.files import ReportFile, document_bytes, report_file
from bot.screens.reports.journal import (
    journal_chart,
    journal_document,
    journal_file_title,
    journal_text,
    teacher_name,
)
from bot.screens.reports.menus import (
    area_screen,
    classes_screen,
    reports_home_screen,
    school_home_screen,
    school_report_screen,
)
from bot.screens.reports.parents import parents_document, parents_file_title, parents_text
from bot.screens.reports.sheet import sheet_document, sheet_file_title, sheet_text

__all__ = [
    "ReportFile", "area_chart", "area_document", "area_file_title", "area_screen", "area_text", "area_title",
    "certification_document", "certification_file_title", "certification_lines", "certification_text",
    "classes_screen", "country_name", "dec", "decree_document", "decree_file_title", "decree_lines", "decree_text",
    "document_bytes", "file_name", "group_label", "journal_chart", "journal_document", "journal_file_title",
    "journal_text", "made_line", "num", "number_formats", "parents_document", "parents_file_title", "parents_text",
    "pct", "period_line", "plain", "render_pdf", "render_xlsx", "renderer", "report_file", "reports_home_screen",
    "school_home_screen", "school_report_screen", "share_text", "sheet_document", "sheet_file_title", "sheet_text",
    "summative_names", "summative_pair", "teacher_name", "term_label", "term_summative_name",
]
