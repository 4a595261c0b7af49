"""Grading rules over the country table (domain.countries, each rule with its source): which marks a lesson
may carry, per country, class and date; summatives as points over a maximum; low marks; term, half-year and
year marks.

- Classes without marks come from `is_unmarked` (grade 1 everywhere; Kyrgyzstan: grade 2's first half-year,
  seed 001, and grades 1–3 under the 12-year standard from 2025–26).
- Uzbekistan and Kyrgyzstan: whole marks 2–5; Kazakhstan: formative marks 1–10, and section and term
  summatives (СОР/БЖБ, СОЧ/ТЖБ) as points over a maximum ("17/20", or a bare per cent as points over 100),
  never mixed with marks: a term's summative per cent is total points over total maximum, turned into a 2–5
  grade by `percent_to_grade` (Rules No. 125, appendix 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from domain.countries import is_unmarked, rules_for


class MarkKind(StrEnum):
    REGULAR = "regular"
    SECTION = "section"  # BSB, СОР, БЖБ
    TERM = "term"  # ChSB, СОЧ, ТЖБ


SUMMATIVE_KINDS = frozenset({MarkKind.SECTION, MarkKind.TERM})

FIVE_POINT: tuple[int, ...] = (2, 3, 4, 5)
KZ_FORMATIVE: tuple[int, ...] = tuple(range(1, 11))
PERCENT: tuple[int, ...] = tuple(range(101))


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


def scale_for(country: str, kind: str = MarkKind.REGULAR) -> tuple[int, ...]:
    """The marks a lesson may carry where marks are given: the country's scale, or per cents for a summative
    the country scores as points over a maximum (Kazakhstan's СОР/СОЧ)."""
    rules = rules_for(country)
    if is_percent_kind(country, kind):
        return PERCENT
    return tuple(rules.mark_scale.value)  # type: ignore[arg-type]


def is_percent_kind(country: str, kind: str | None) -> bool:
    """Whether a mark of this kind is a per cent (points over a maximum) in this country, not a mark."""
    return kind in SUMMATIVE_KINDS and bool(rules_for(country).summative_as_percent.value)


def summatives_scored(country: str) -> bool:
    """Whether the country scores section and term summatives as points over a maximum (Kazakhstan)."""
    return bool(rules_for(country).summative_as_percent.value)


def scale_top(country: str) -> int:
    """The highest lesson mark of the country's scale (5, or 10 in Kazakhstan): a chart's axis end."""
    return max(rules_for(country).mark_scale.value)  # type: ignore[type-var]


def _unmarked(country: str, grade_level: int, day: date, first_half_ends: date | None) -> bool:
    return is_unmarked(country, grade_level, day, in_first_half(day, first_half_ends), school_year_start(day))


def allowed_grades(country: str, grade_level: int, day: date, first_half_ends: date | None,
                   *, kind: str = MarkKind.REGULAR) -> tuple[int, ...]:
    """The marks a lesson on `day` in a class of `grade_level` may carry; () where no marks are given
    (the country's rules in domain.countries: grade 1 everywhere, Kyrgyz grade 2's first half, ...)."""
    if _unmarked(country, grade_level, day, first_half_ends):
        return ()
    return scale_for(country, kind)


def why_no_grade(country: str, grade_level: int, day: date, first_half_ends: date | None,
                 grade: int, *, kind: str = MarkKind.REGULAR) -> str | None:
    """None when `grade` is allowed, else a short English reason (for import reports and logs)."""
    allowed = allowed_grades(country, grade_level, day, first_half_ends, kind=kind)
    if grade in allowed:
        return None
    country = country.upper()
    rules = rules_for(country)
    if not allowed:
        if grade_level <= rules.unmarked_up_to_grade.value:  # type: ignore[operator]
            return "no grades are given in grade 1" if grade_level == 1 else \
                f"no grades are given up to grade {rules.unmarked_up_to_grade.value} in {country}"
        later = rules.unmarked_from_year.value
        if later is not None and school_year_start(day) >= later[0] and grade_level <= later[1]:  # type: ignore
            return f"no grades are given in grades 1–{later[1]} in {country} (the 12-year standard)"  # type: ignore
        return f"no grades are given in grade {grade_level}'s first half-year in {country}"
    what = "a summative per cent" if allowed is PERCENT else "a grade"
    return f"{grade} is not {what} of the {country} scale ({allowed[0]}–{allowed[-1]})"


def percent_to_grade(percent: float, country: str = "KZ") -> int:
    """A summative or term per cent as a 2–5 grade by the country's bands (Kazakhstan, Rules No. 125:
    0–39 → 2, 40–64 → 3, 65–84 → 4, 85+ → 5)."""
    bands = rules_for(country).percent_bands.value
    for lowest, grade in bands:  # type: ignore[attr-defined]
        if percent >= lowest:
            return grade
    return bands[-1][1]  # type: ignore[index]


# --- points over a maximum ---------------------------------------------------------------------------------

#: The largest maximum a summative may have: a typo guard ("17/2000"), not a rule of any country.
MAX_POINTS = 200


def parse_score(text: str) -> tuple[int, int]:
    """A summative result as (points, maximum): "17/20", "17 / 20", or a per cent "85", "85%", "85 %"
    (85 over 100). ValueError for anything else, points above the maximum, or a maximum of 0."""
    cleaned = re.sub(r"\s+", "", str(text or ""))
    if match := re.fullmatch(r"(\d{1,3})/(\d{1,3})", cleaned):
        points, maximum = int(match[1]), int(match[2])
    elif match := re.fullmatch(r"(\d{1,3})%?", cleaned):
        points, maximum = int(match[1]), 100
    else:
        raise ValueError(text)
    if not 0 < maximum <= MAX_POINTS or not 0 <= points <= maximum:
        raise ValueError(text)
    return points, maximum


def score_percent(points: int, maximum: int) -> int:
    """Points over a maximum as a whole per cent, half up (17/20 → 85): what `JournalMark.grade` keeps."""
    return _half_up(100 * points / maximum)


@dataclass(frozen=True)
class Mark:
    """One mark for the term rules: a lesson mark, or a summative (per cent in `grade`, with its points)."""

    grade: int
    kind: str = MarkKind.REGULAR
    points: int | None = None
    max_points: int | None = None


def as_mark(value: Mark | tuple) -> Mark:
    """(grade, kind) and (grade, kind, points, max_points) tuples as marks."""
    return value if isinstance(value, Mark) else Mark(*value)


def summative_percent(marks: Iterable[Mark | tuple]) -> float | None:
    """Total points over total maximum, in per cent (one decimal); a mark without points counts as its
    per cent over 100. None without marks."""
    points = maximum = 0
    for mark in map(as_mark, marks):
        if mark.points is not None and mark.max_points:
            points, maximum = points + mark.points, maximum + mark.max_points
        else:
            points, maximum = points + mark.grade, maximum + 100
    return round(100 * points / maximum, 1) if maximum else None


def is_low_mark(country: str, kind: str | None, grade: int | None, points: int | None = None,
                max_points: int | None = None) -> bool:
    """Worth an instant notice to the parent: a lesson mark at or below the country's low mark, or a
    summative per cent in the lowest band (Kazakhstan: below 40 %; 3 % is low, not "3 of 10")."""
    if grade is None:
        return False
    if is_percent_kind(country, kind):
        percent = score_percent(points, max_points) if points is not None and max_points else grade
        return percent_to_grade(percent, country) <= min(g for _low, g in rules_for(country).percent_bands.value)
    return grade <= rules_for(country).low_mark_at_most.value  # type: ignore[operator]


def _weights() -> dict[MarkKind, float]:
    weights = rules_for("KZ").term_weights.value
    return {MarkKind(kind): weight for kind, weight in weights.items()}  # type: ignore[union-attr]


#: Kazakhstan's term weights since 2020–21: ФО 25 %, СОР 25 %, СОЧ 50 % (from domain.countries).
KZ_TERM_WEIGHTS = _weights()


def _half_up(value: float) -> int:
    return int(value + 0.5)


def weighted_term_percent(country: str, marks: Iterable[Mark | tuple]) -> float | None:
    """The term per cent by the country's weights: formative marks as a share of the scale's top, each
    summative kind as total points over total maximum.

    While a part is still missing (mid-term), the others are re-weighted, so the figure is a forecast
    until the term summative is written.
    """
    weights = {MarkKind(k): w for k, w in (rules_for(country).term_weights.value or {}).items()}  # type: ignore
    top = scale_top(country)
    parts: dict[MarkKind, list[Mark]] = {kind: [] for kind in weights}
    for mark in map(as_mark, marks):
        kind = MarkKind(mark.kind) if mark.kind in MarkKind._value2member_map_ else MarkKind.REGULAR
        parts.setdefault(kind, []).append(mark)
    present: dict[MarkKind, float] = {}
    for kind, items in parts.items():
        if not items or kind not in weights:
            continue
        if kind is MarkKind.REGULAR:
            present[kind] = 100 * sum(m.grade for m in items) / len(items) / top
        else:
            present[kind] = summative_percent(items)  # type: ignore[assignment]
    if not present:
        return None
    weight = sum(weights[kind] for kind in present)
    return round(sum(weights[kind] * value for kind, value in present.items()) / weight, 1)


def kz_term_percent(marks: Iterable[Mark | tuple]) -> float | None:
    """Kazakhstan: the term per cent (ФО 25 % + СОР 25 % + СОЧ 50 %, Rules No. 125)."""
    return weighted_term_percent("KZ", marks)


def term_grade(country: str, marks: Iterable[Mark | tuple]) -> int | None:
    """The term grade (2–5) the marks so far point to, by the country's method: a weighted per cent
    (Kazakhstan), else the mean of the marks rounded half up (summatives count as marks). None without marks."""
    marks = [as_mark(m) for m in marks]
    if not marks:
        return None
    if rules_for(country).term_mark_method.value == "weighted_percent":
        percent = weighted_term_percent(country, marks)
        return None if percent is None else percent_to_grade(percent, country)
    return min(5, max(2, _half_up(sum(m.grade for m in marks) / len(marks))))


def year_grade(term_grades: Iterable[int]) -> int | None:
    """The year grade: the rounded mean of the term grades (half up)."""
    grades = list(term_grades)
    return _half_up(sum(grades) / len(grades)) if grades else None


def half_year_grade(term_grades: Iterable[int]) -> int | None:
    """A half-year mark (seed 001 names them): the rounded (half up) mean of that half's term marks."""
    return year_grade(term_grades)


def half_year_and_year(term_marks: dict[int, int], terms: Iterable[tuple[int, date, date]], day: date
                       ) -> dict[str, int]:
    """Half-year and year marks of `day`'s school year from its term marks ({term number: mark}): "H1", "H2"
    and "Y", each only once every term it covers has a mark (a half-year mark from half its terms would
    mislead). The first half's terms are those ending by `first_half_end` (seed 001 names half-year marks)."""
    terms = list(terms)
    year = school_year_start(day)
    numbers = sorted(n for n, start, _end in terms if school_year_start(start) == year)
    if not numbers:
        return {}
    half_end = first_half_end(terms, day)
    first = [n for n, start, end in terms if school_year_start(start) == year and half_end and end <= half_end]
    second = [n for n in numbers if n not in first]
    result: dict[str, int] = {}
    for label, covered in (("H1", first), ("H2", second), ("Y", numbers)):
        if covered and all(n in term_marks for n in covered):
            grade = half_year_grade(term_marks[n] for n in covered)
            if grade is not None:
                result[label] = grade
    return result
