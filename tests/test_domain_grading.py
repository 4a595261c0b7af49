"""domain.grading: which marks a lesson may carry, per country, class and date."""

from __future__ import annotations

from datetime import date

import pytest

from domain.grading import (
    FIVE_POINT,
    KZ_FORMATIVE,
    PERCENT,
    MarkKind,
    allowed_grades,
    first_half_end,
    in_first_half,
    parse_kind,
    percent_to_grade,
    why_no_grade,
)

UZ_TERMS = [(1, date(2025, 9, 2), date(2025, 11, 3)), (2, date(2025, 11, 11), date(2025, 12, 27)),
            (3, date(2026, 1, 11), date(2026, 3, 20)), (4, date(2026, 3, 30), date(2026, 5, 25))]


def test_country_scales():
    day = date(2025, 10, 1)
    assert allowed_grades("UZ", 5, day, None) == FIVE_POINT == (2, 3, 4, 5)
    assert allowed_grades("KG", 7, day, None) == FIVE_POINT
    assert allowed_grades("KZ", 6, day, None) == KZ_FORMATIVE == tuple(range(1, 11))
    assert allowed_grades("kz", 6, day, None, kind=MarkKind.SECTION) == PERCENT
    assert allowed_grades("KZ", 6, day, None, kind="term") == PERCENT
    assert allowed_grades("UZ", 6, day, None, kind="term") == FIVE_POINT


def test_no_marks_in_grade_one_nor_grade_two_first_half():
    half = first_half_end(UZ_TERMS, date(2025, 10, 1))
    assert half == date(2025, 12, 27)
    assert allowed_grades("UZ", 1, date(2026, 4, 1), half) == ()
    assert allowed_grades("KZ", 1, date(2026, 4, 1), None) == ()
    assert allowed_grades("UZ", 2, date(2025, 12, 27), half) == ()
    assert allowed_grades("UZ", 2, date(2026, 1, 11), half) == FIVE_POINT
    # Without terms, the first half is August to December.
    assert allowed_grades("UZ", 2, date(2025, 12, 30), None) == ()
    assert allowed_grades("UZ", 2, date(2026, 1, 5), None) == FIVE_POINT
    # A first-half end from another school year is not used.
    assert in_first_half(date(2026, 9, 15), date(2025, 12, 27))


def test_kyrgyz_twelve_year_standard():
    assert allowed_grades("KG", 3, date(2026, 2, 1), None) == ()
    assert allowed_grades("KG", 4, date(2026, 2, 1), None) == FIVE_POINT
    assert allowed_grades("KG", 3, date(2024, 2, 1), None) == FIVE_POINT  # before 2025-2026
    assert "12-year" in why_no_grade("KG", 3, date(2026, 2, 1), None, 5)


def test_first_half_end_of_half_years_and_missing_terms():
    halves = [(1, date(2025, 9, 1), date(2025, 12, 26)), (2, date(2026, 1, 12), date(2026, 5, 25))]
    assert first_half_end(halves, date(2026, 3, 1)) == date(2025, 12, 26)
    assert first_half_end(UZ_TERMS, date(2026, 10, 1)) is None  # next year's terms are not known


def test_why_no_grade():
    day = date(2025, 10, 1)
    assert why_no_grade("UZ", 5, day, None, 4) is None
    assert why_no_grade("UZ", 5, day, None, 6) == "6 is not a grade of the UZ scale (2–5)"
    assert why_no_grade("UZ", 1, day, None, 5) == "no grades are given in grade 1"
    reason = why_no_grade("KZ", 6, day, None, 101, kind="section")
    assert reason == "101 is not a summative per cent of the KZ scale (0–100)"


def test_parse_kind_in_every_language():
    for word in ("BSB", "bsb-1", "СОР 2", "БЖБ", "bo‘lim"):
        assert parse_kind(word) is MarkKind.SECTION, word
    for word in ("ChSB", "СОЧ", "ТЖБ", "chorak"):
        assert parse_kind(word) is MarkKind.TERM, word
    for word in ("", None, "ФО", "regular", "joriy"):
        assert parse_kind(word) is MarkKind.REGULAR, word
    with pytest.raises(ValueError):
        parse_kind("essay")


@pytest.mark.parametrize(("percent", "grade"), [(0, 2), (39, 2), (40, 3), (64, 3), (65, 4), (84, 4), (85, 5),
                                                (100, 5)])
def test_kazakh_percent_to_grade(percent, grade):
    assert percent_to_grade(percent) == grade


def test_kazakh_term_grade_weights():
    from domain.grading import kz_term_percent, term_grade

    # ФО 8/10 -> 80 %, СОР 70 %, СОЧ 90 %: 0.25*80 + 0.25*70 + 0.5*90 = 82.5 % -> 4
    marks = [(8, "regular"), (70, "section"), (90, "term")]
    assert kz_term_percent(marks) == 82.5
    assert term_grade("KZ", marks) == 4
    # Mid-term, without СОЧ: ФО and СОР weighted equally -> 75 % -> 4; 85 % and above -> 5.
    assert kz_term_percent([(8, "regular"), (70, "section")]) == 75.0
    assert term_grade("KZ", [(9, "regular"), (90, "section"), (85, "term")]) == 5
    assert term_grade("KZ", []) is None


def test_five_point_term_and_year_grade():
    from domain.grading import term_grade, year_grade

    assert term_grade("UZ", [(5, "regular"), (4, "regular"), (4, "section")]) == 4  # 4.33
    assert term_grade("KG", [(5, "regular"), (4, "regular")]) == 5  # 4.5 rounds half up
    assert year_grade([4, 5, 4, 5]) == 5 and year_grade([3, 4, 4]) == 4 and year_grade([]) is None
