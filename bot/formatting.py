"""Dates, numbers and weekday names through Babel, in the current user's language."""

from __future__ import annotations

from datetime import date
from functools import cache

from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, format_decimal, parse_pattern

from bot.i18n import BABEL_LOCALES
from domain.countries import rules_for
from domain.grading import is_percent_kind


def babel_locale(lang: str | None = None) -> str:
    if lang is None:
        try:
            lang = get_i18n().current_locale
        except LookupError:
            lang = "ru"
    return BABEL_LOCALES.get(lang, "ru")


#: Uzbek and Kyrgyz write the day as an ordinal joined to the month ("2026-yil 23-noyabr", "23-noyabr",
#: "23-ноябрь"); CLDR's patterns give "23-noyabr, 2026", "23 noyabr" and "23 ноябрь". A suffix after such a date
#: is written into the same word ("23-noyabrgacha"): the catalogues put it right after the placeholder.
_ORDINAL_PATTERNS = {"d MMMM": "d-MMMM", "d MMM": "d-MMM", "EEE d MMM": "EEE, d-MMM", "EEEE d MMM": "EEEE, d-MMM",
                     "EEEE d MMMM": "EEEE, d-MMMM", "EEEE, d MMMM": "EEEE, d-MMMM"}
_PATTERNS = {
    "uz_Latn": {**_ORDINAL_PATTERNS, "long": "y-'yil' d-MMMM", "d MMM yyyy": "y-'yil' d-MMM"},
    "ky": {**_ORDINAL_PATTERNS, "d MMM yyyy": "y-'ж'., d-MMM"},
}


@cache
def _babel(locale: str) -> Locale:
    """Babel's locale object, parsed once per language (given a name, Babel parses it again on every call)."""
    return Locale.parse(locale)


@cache
def _number_pattern(digits: int) -> NumberPattern:
    """The number pattern with up to `digits` decimals, parsed once."""
    return parse_pattern("#,##0." + "#" * digits if digits else "#,##0")


def fmt_date(value: date, lang: str | None = None, fmt: str = "long") -> str:
    locale = babel_locale(lang)
    fmt = _PATTERNS.get(locale, {}).get(fmt, fmt)
    return format_date(value, format=fmt, locale=_babel(locale))


def fmt_weekday(value: date, lang: str | None = None) -> str:
    return format_date(value, format="EEEE", locale=_babel(babel_locale(lang)))


def fmt_number(value: float, lang: str | None = None, digits: int = 1) -> str:
    return format_decimal(value, format=_number_pattern(digits), locale=_babel(babel_locale(lang)))


def fmt_percent(value: float, lang: str | None = None) -> str:
    return f"{fmt_number(value, lang)} %"


def fmt_minutes(minutes: int, lang: str | None = None) -> str:
    """A duration spelled out with the language's plural form: "45 minutes", "21 минута", "45 daqiqa"."""
    return ngettext("{n} minute", "{n} minutes", minutes).format(n=fmt_number(minutes, lang, digits=0))


def progress_bar(done: int, total: int, width: int = 10) -> str:
    filled = round(width * done / total) if total else 0
    return "▰" * filled + "▱" * (width - filled)


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is translated later (the names live in domain/countries.py)."""
    return message


#: domain/countries.py's summative names, kept here so `i18n extract` finds them.
SUMMATIVE_MSGIDS = (N_("BSB"), N_("ChSB"), N_("SOR"), N_("SOCh"), N_("SOR (BZhB)"), N_("SOCh (TZhB)"))


def summative_names(country: str) -> tuple[str, str]:
    """Section and term summatives as the school's country names them (BSB/ChSB, СОР/СОЧ, БЖБ/ТЖБ), in the
    reader's script: read from `rules_for(country).summative_names`, whatever the interface language."""
    section, term = rules_for(country).summative_names.value  # type: ignore[misc]
    return _(section), _(term)


def line_start(text: str) -> str:
    """A formatted date that opens a line, capitalised: CLDR writes weekdays lowercase in ru, uz, ky and kk
    ("жұма, 4 желтоқсан") while the lines beside it ("Бүгін, 5 желтоқсан") start with a capital."""
    return text[:1].upper() + text[1:]


def mark_text(country: str, grade: int, kind: str, points: int | None = None, max_points: int | None = None) -> str:
    """A mark as the school's country writes it: "4", "5 (BSB)", "SOR 17/20 (85 %)", "SOCh 85 %".
    Summatives are named by the school's country (BSB/ChSB, СОР/СОЧ, БЖБ/ТЖБ), whatever the interface."""
    if kind not in ("section", "term"):
        return str(grade)
    name = summative_names(country)[0 if kind == "section" else 1]
    if max_points is None and not is_percent_kind(country, kind):
        return f"{grade} ({name})"
    if points is not None and max_points not in (None, 100):
        return f"{name} {points}/{max_points} ({fmt_percent(grade)})"
    return f"{name} {fmt_percent(grade)}"
