"""Grade scales: which marks a lesson may carry, per country, class and date.

The one place for the rule (DOMAIN.md, seed 001 and the countries' regulations):
- no marks in grade 1, and none in grade 2's first half-year (seed 001);
- Kyrgyzstan's 12-year standard (school years from 2025–2026): no marks in grades 1–3;
- Uzbekistan and Kyrgyzstan: whole marks 2–5;
- Kazakhstan: formative marks 1–10; section and term summatives (СОР/БЖБ, СОЧ/ТЖБ) as a per cent 0–100,
  turned into a 2–5 grade by `percent_to_grade` (Rules No. 125, appendix 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from functools import lru_cache


class MarkKind(StrEnum):
    REGULAR = "regular"
    SECTION = "section"  # BSB, СОР, БЖБ
    TERM = "term"  # ChSB, СОЧ, ТЖБ


SUMMATIVE_KINDS = frozenset({MarkKind.SECTION, MarkKind.TERM})

FIVE_POINT: tuple[int, ...] = (2, 3, 4, 5)
KZ_FORMATIVE: tuple[int, ...] = tuple(range(1, 11))
PERCENT: tuple[int, ...] = tuple(range(101))

_SCALES = {"UZ": FIVE_POINT, "KG": FIVE_POINT, "KZ": KZ_FORMATIVE}
#: The first school year of Kyrgyzstan's 12-year standard (no marks in grades 1–3).
KG_TWELVE_YEAR_FROM = 2025

#: Words a journal uses for a mark's kind, normalised (lower case, ‘ʻ’` as ').
_KIND_WORDS = {
    MarkKind.REGULAR: ("regular", "current", "formative", "fo", "фо", "обычная", "текущая", "текущий",
                       "формативное", "формативная", "joriy", "kundalik", "formativ", "күнделікті",
                       "ағымдағы", ""),
    MarkKind.SECTION: ("section", "unit", "bsb", "бсб", "сор", "sor", "бжб", "bjb",
                       "bo'lim", "bo'lim bo'yicha summativ", "суммативное за раздел", "раздел"),
    MarkKind.TERM: ("term", "quarter", "chsb", "чсб", "соч", "soch", "тжб", "tjb",
                    "chorak", "chorak bo'yicha summativ", "суммативное за четверть", "четверть"),
}
_KIND_BY_WORD = {word: kind for kind, words in _KIND_WORDS.items() for word in words}


@lru_cache(maxsize=256)
def parse_kind(text: str | None) -> MarkKind:
    """A mark's kind from what a journal export writes (BSB, ChSB, СОР, СОЧ, БЖБ, ТЖБ, ...)."""
    word = re.sub(r"[ʻʼ‘’`´]", "'", str(text or "")).strip().lower()
    word = re.sub(r"\s+", " ", word)
    if word in _KIND_BY_WORD:
        return _KIND_BY_WORD[word]
    # "BSB-1", "СОР 2", "ChSB (1-chorak)": the leading word decides.
    head = re.split(r"[\s\-_.(№#\d]", word, maxsplit=1)[0]
    if head and head in _KIND_BY_WORD:
        return _KIND_BY_WORD[head]
    raise ValueError(text)


def school_year_start(day: date) -> int:
    """The calendar year a school year starts in (school years turn over on 1 August)."""
    return day.year if day.month >= 8 else day.year - 1


def in_first_half(day: date, first_half_ends: date | None) -> bool:
    """Whether `day` falls in its school year's first half-year.

    `first_half_ends` is the last day of the first half (the end of term 2 of four quarters); when it is
    unknown, or belongs to another school year, the first half is August to December.
    """
    if first_half_ends is not None and school_year_start(first_half_ends) == school_year_start(day):
        return day <= first_half_ends
    return day.month >= 8


def first_half_end(terms: Iterable[tuple[int, date, date]], day: date) -> date | None:
    """The first half-year's last day in `day`'s school year, from (number, starts_on, ends_on) terms.

    Four quarters: the end of quarter 2; two half-years: the end of the first; in general the latest
    term end before February of the school year's second calendar year.
    """
    year = school_year_start(day)
    ends = sorted(end for _n, start, end in terms if school_year_start(start) == year)
    before_february = [end for end in ends if end < date(year + 1, 2, 1)]
    return before_february[-1] if before_february else None


def allowed_grades(country: str, grade_level: int, day: date, first_half_ends: date | None,
                   *, kind: str = MarkKind.REGULAR) -> tuple[int, ...]:
    """The marks a lesson on `day` in a class of `grade_level` may carry; () where no marks are given."""
    country = country.upper()
    if grade_level <= 1:
        return ()
    if country == "KG" and grade_level <= 3 and school_year_start(day) >= KG_TWELVE_YEAR_FROM:
        return ()
    if grade_level == 2 and in_first_half(day, first_half_ends):
        return ()
    if country == "KZ" and kind in SUMMATIVE_KINDS:
        return PERCENT
    return _SCALES.get(country, FIVE_POINT)


def why_no_grade(country: str, grade_level: int, day: date, first_half_ends: date | None,
                 grade: int, *, kind: str = MarkKind.REGULAR) -> str | None:
    """None when `grade` is allowed, else a short English reason (for import reports and logs)."""
    allowed = allowed_grades(country, grade_level, day, first_half_ends, kind=kind)
    if grade in allowed:
        return None
    country = country.upper()
    if grade_level <= 1:
        return "no grades are given in grade 1"
    if not allowed and country == "KG" and grade_level <= 3 and school_year_start(day) >= KG_TWELVE_YEAR_FROM:
        return "no grades are given in grades 1–3 in KG (the 12-year standard)"
    if not allowed:
        return "no grades are given in grade 2's first half-year"
    what = "a summative per cent" if allowed is PERCENT else "a grade"
    return f"{grade} is not {what} of the {country} scale ({allowed[0]}–{allowed[-1]})"


def percent_to_grade(percent: float) -> int:
    """Kazakhstan: a summative or term per cent as a 2–5 grade (0–39 → 2, 40–64 → 3, 65–84 → 4, 85+ → 5)."""
    if percent >= 85:
        return 5
    if percent >= 65:
        return 4
    if percent >= 40:
        return 3
    return 2


#: Kazakhstan's term weights since 2020–21: ФО 25 %, СОР 25 %, СОЧ 50 %.
KZ_TERM_WEIGHTS = {MarkKind.REGULAR: 0.25, MarkKind.SECTION: 0.25, MarkKind.TERM: 0.5}


def _half_up(value: float) -> int:
    return int(value + 0.5)


def kz_term_percent(marks: Iterable[tuple[int, str]]) -> float | None:
    """Kazakhstan: the term per cent from formative marks (1–10, as a share of 10) and summative per cents.

    Weights ФО 25 % + СОР 25 % + СОЧ 50 %; while a part is still missing (mid-term), the others are
    re-weighted, so the figure is a forecast until the СОЧ is written.
    """
    parts: dict[MarkKind, list[float]] = {kind: [] for kind in KZ_TERM_WEIGHTS}
    for grade, kind in marks:
        kind = MarkKind(kind) if kind in MarkKind._value2member_map_ else MarkKind.REGULAR
        parts[kind].append(grade * 10.0 if kind is MarkKind.REGULAR else float(grade))
    present = {kind: sum(values) / len(values) for kind, values in parts.items() if values}
    if not present:
        return None
    weight = sum(KZ_TERM_WEIGHTS[kind] for kind in present)
    return round(sum(KZ_TERM_WEIGHTS[kind] * value for kind, value in present.items()) / weight, 1)


def term_grade(country: str, marks: Iterable[tuple[int, str]]) -> int | None:
    """The term grade (2–5) the marks so far point to: Kazakhstan by weighted per cent, elsewhere the
    mean of the marks rounded half up (summatives count as marks). None without marks."""
    marks = list(marks)
    if not marks:
        return None
    if country.upper() == "KZ":
        percent = kz_term_percent(marks)
        return None if percent is None else percent_to_grade(percent)
    return min(5, max(2, _half_up(sum(grade for grade, _kind in marks) / len(marks))))


def year_grade(term_grades: Iterable[int]) -> int | None:
    """The year grade: the rounded mean of the term grades (half up)."""
    grades = list(term_grades)
    return _half_up(sum(grades) / len(grades)) if grades else None


def half_year_grade(term_grades: Iterable[int]) -> int | None:
    """A half-year mark (seed 001 names them): the rounded (half up) mean of that half's term marks."""
    return year_grade(term_grades)
