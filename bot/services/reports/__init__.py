"""The administration's reports in the reader's language: gather (storage), compute (domain), word and format
(Babel) as chat texts, PDF/XLSX documents and PNG charts. Handlers only check access and send.

One module per report: certification (plan and fact), journal quality, decree 263 (Uzbekistan), the term
sheet, parents' use of the bot; `common` holds the numbers, the school's term and the summative names,
`titles` the files' names."""

from bot.services.reports.certification import (
    AreaReport,
    SchoolCertificationReport,
    area_chart,
    area_document,
    area_report,
    area_text,
    area_title,
    certification_document,
    certification_lines,
    certification_text,
    group_label,
    school_certification,
)
from bot.services.reports.common import (
    SchoolScope,
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
    school_scope,
    share_text,
    summative_names,
    summative_pair,
    term_label,
    term_summative_name,
)
from bot.services.reports.decree import DecreeReport, decree_document, decree_lines, decree_report, decree_text
from bot.services.reports.journal import JournalReport, journal_chart, journal_document, journal_report, journal_text
from bot.services.reports.parents import (
    ParentsReport,
    parents_document,
    parents_file_title,
    parents_report,
    parents_text,
)
from bot.services.reports.sheet import SheetReport, sheet_document, sheet_file_title, sheet_report, sheet_text
from bot.services.reports.titles import (
    area_file_title,
    certification_file_title,
    decree_file_title,
    journal_file_title,
)

__all__ = [
    "AreaReport", "DecreeReport", "JournalReport", "ParentsReport", "SchoolCertificationReport", "SchoolScope",
    "SheetReport", "area_chart", "area_document", "area_file_title", "area_report", "area_text", "area_title",
    "certification_document", "certification_file_title", "certification_lines", "certification_text",
    "country_name", "dec", "decree_document", "decree_file_title", "decree_lines", "decree_report",
    "decree_text", "file_name", "group_label", "journal_chart", "journal_document", "journal_file_title",
    "journal_report", "journal_text", "made_line", "num", "number_formats", "parents_document",
    "parents_file_title", "parents_report", "parents_text", "pct", "period_line", "plain", "render_pdf",
    "render_xlsx", "renderer", "school_certification", "school_scope", "share_text", "sheet_document",
    "sheet_file_title", "sheet_report", "sheet_text", "summative_names", "summative_pair", "term_label",
    "term_summative_name",
]
