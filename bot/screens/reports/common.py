"""What every report's screen shares: numbers in the reader's language, the renderer, a school's term, the
country's names for its summatives, and file names a head understands."""

from __future__ import annotations

import functools
import re
from datetime import date

from aiogram.utils.i18n import gettext as _
from babel import Locale
from babel.numbers import format_decimal

from bot.formatting import babel_locale, fmt_date, fmt_number
from bot.formatting import summative_names as section_and_term_names
from documents.report_files import NumberFormats, ReportDocument, ReportRenderer, report_xlsx, safe_file_name
from domain.reports import Share, TermSpan
from usecases.report_figures import SchoolScope

_LEADING_ICON = re.compile(r"^[^\w(«\"'“„]+")
CHAT_LIST_LIMIT = 25  # names in a chat message; the files have everyone
WORST_LIMIT = 5


# --- numbers in the reader's language -----------------------------------------------------------------


def num(value: int) -> str:
    return fmt_number(value, digits=0)


def dec(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else fmt_number(value, digits=digits)


def pct(value: float | None) -> str:
    """One decimal always, as in the ministry's tables: "67,4 %", "100,0 %", "240,7 %" (never capped)."""
    return "—" if value is None else f"{format_decimal(value, format='#,##0.0', locale=babel_locale())} %"


def share_text(share: Share) -> str:
    """ "6 553 of 9 729, 67.4 %" """
    if not share.total:
        return _("no data yet")
    return _("{done} of {total}, {percent}").format(done=num(share.done), total=num(share.total),
                                                      percent=pct(share.percent))


def number_formats() -> NumberFormats:
    locale = babel_locale()
    return NumberFormats(
        integer=lambda v: format_decimal(v, format="#,##0", locale=locale),
        decimal=lambda v: format_decimal(v, format="#,##0.0#", locale=locale),
        percent=lambda v: f"{format_decimal(v, format='#,##0.0', locale=locale)} %",
    )


@functools.cache
def renderer() -> ReportRenderer:
    """Fonts parsed once per process."""
    return ReportRenderer()


def render_pdf(doc: ReportDocument, formats: NumberFormats) -> bytes:
    return renderer().render(doc, formats)


def render_xlsx(doc: ReportDocument) -> bytes:
    return report_xlsx(doc)


def plain(text: str) -> str:
    """A chat line without its leading icon, for the files."""
    return _LEADING_ICON.sub("", text)


def made_line(today: date) -> str:
    return _("Made by Maktab Bot on {date}").format(date=fmt_date(today))


def summative_pair(country: str) -> tuple[str, str]:
    """The school's country's section and term summative names (BSB, ChSB; СОР, СОЧ; ...): one function,
    `bot.formatting.summative_names`, which reads domain/countries.py."""
    return section_and_term_names(country)


def summative_names(country: str) -> str:
    """"BSB/ChSB", "СОР/СОЧ", ...: the school's country's names for its section and term summatives."""
    return "/".join(summative_pair(country))


def term_summative_name(country: str) -> str:
    return summative_pair(country)[1]


def country_name(code: str) -> str:
    return Locale.parse(babel_locale()).territories.get(code.upper(), code)


def file_name(title: str, extension: str) -> str:
    """A report file's name from a translated title ("Ведомость 7-А 2-четверть" -> "Ведомость_7-А_2-четверть.pdf")."""
    return safe_file_name(title, extension)


# --- a school's term -----------------------------------------------------------------------------------


def term_label(term: TermSpan | None) -> str:
    if term is None:
        return _("the last four weeks")
    return _("term {number}, {year}").format(number=term.number, year=term.school_year.replace("-", "–"))


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def period_line(scope: SchoolScope) -> str:
    if scope.cutoff < scope.start:
        return _("{term}: it has not started yet").format(term=_first_upper(term_label(scope.term)))
    if scope.term is None:
        return _("{term}: {start} – {end}").format(term=_first_upper(term_label(scope.term)),
                                                   start=fmt_date(scope.start, fmt="d MMM"),
                                                   end=fmt_date(scope.cutoff, fmt="d MMM yyyy"))
    # The term's own dates, and how far the figures go (lessons up to yesterday).
    return _("{term} ({start} – {end}), counted up to {cutoff}").format(
        term=_first_upper(term_label(scope.term)), start=fmt_date(scope.term.starts_on, fmt="d MMM"),
        end=fmt_date(scope.term.ends_on, fmt="d MMM"), cutoff=fmt_date(min(scope.cutoff, scope.term.ends_on),
                                                                       fmt="d MMM"))
