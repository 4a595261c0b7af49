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

KG_TERMS_2024 = [(1, date(2024, 9, 2), date(2024, 11, 1)), (2, date(2024, 11, 11), date(2024, 12, 27)),
                 (3, date(2025, 1, 13), date(2025, 3, 20)), (4, date(2025, 3, 31), date(2025, 5, 29))]


def test_country_scales():
    day = date(2025, 10, 1)
    assert allowed_grades("UZ", 5, day, None) == FIVE_POINT == (2, 3, 4, 5)
    assert allowed_grades("KG", 7, day, None) == FIVE_POINT
    assert allowed_grades("KZ", 6, day, None) == KZ_FORMATIVE == tuple(range(1, 11))
    assert allowed_grades("kz", 6, day, None, kind=MarkKind.SECTION) == PERCENT
    assert allowed_grades("KZ", 6, day, None, kind="term") == PERCENT
    assert allowed_grades("UZ", 6, day, None, kind="term") == FIVE_POINT


def test_no_marks_in_grade_one_nor_kyrgyz_grade_two_first_half():
    half = first_half_end(UZ_TERMS, date(2025, 10, 1))
    assert half == date(2025, 12, 27)
    assert allowed_grades("UZ", 1, date(2026, 4, 1), half) == ()
    assert allowed_grades("KZ", 1, date(2026, 4, 1), None) == ()
    # Seed 001's "no marks in grade 2's first half-year" is a Kyrgyz regulation (before the 12-year standard).
    kg_half = first_half_end(KG_TERMS_2024, date(2024, 10, 1))
    assert kg_half == date(2024, 12, 27)
    assert allowed_grades("KG", 2, date(2024, 12, 27), kg_half) == ()
    assert allowed_grades("KG", 2, date(2025, 1, 13), kg_half) == FIVE_POINT
    # Without terms, the first half is August to December.
    assert allowed_grades("KG", 2, date(2024, 12, 30), None) == ()
    assert allowed_grades("KG", 2, date(2025, 1, 5), None) == FIVE_POINT
    # A first-half end from another school year is not used.
    assert in_first_half(date(2026, 9, 15), date(2025, 12, 27))


def test_grade_two_is_marked_all_year_in_uzbekistan_and_kazakhstan():
    half = first_half_end(UZ_TERMS, date(2025, 10, 1))
    assert allowed_grades("UZ", 2, date(2025, 10, 1), half) == FIVE_POINT
    assert allowed_grades("KZ", 2, date(2025, 10, 1), None) == KZ_FORMATIVE
    assert why_no_grade("UZ", 2, date(2025, 10, 1), half, 5) is None


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


def test_summative_scores_as_points_over_a_maximum_or_a_per_cent():
    from domain.grading import parse_score, score_percent

    assert parse_score("17/20") == (17, 20) and parse_score(" 17 / 20 ") == (17, 20)
    assert parse_score("85") == parse_score("85%") == parse_score("85 %") == (85, 100)
    assert score_percent(17, 20) == 85 and score_percent(2, 3) == 67
    for bad in ("21/20", "5/0", "101", "-3", "8.5", "abc", "", "17/2000"):
        with pytest.raises(ValueError):
            parse_score(bad)


def test_kazakh_term_per_cent_is_total_points_over_total_maximum():
    from domain.grading import Mark, kz_term_percent, summative_percent, term_grade

    # Two СОР: 17/20 and 5/10 -> 22/30 = 73.3 % (not the mean of 85 % and 50 %, 67.5 %).
    sors = [Mark(85, "section", 17, 20), Mark(50, "section", 5, 10)]
    assert summative_percent(sors) == 73.3
    # ФО 8 and 9 -> 85 %; СОР 73.3 %; no СОЧ yet: (0.25*85 + 0.25*73.3) / 0.5 = 79.2 % -> 4.
    marks = [Mark(8), Mark(9), *sors]
    assert kz_term_percent(marks) == 79.2
    assert term_grade("KZ", marks) == 4


def test_low_mark_per_country_and_kind():
    from domain.grading import is_low_mark

    assert is_low_mark("UZ", "regular", 2) and not is_low_mark("UZ", "regular", 3)
    assert is_low_mark("KG", "term", 2) and not is_low_mark("KG", "section", 4)
    assert is_low_mark("KZ", "regular", 4) and not is_low_mark("KZ", "regular", 5)
    # A Kazakh summative is a per cent: 3 % is low, 45 % is not "45 of 10", 39 % is still in the band of a 2.
    assert is_low_mark("KZ", "section", 3) and is_low_mark("KZ", "term", 39)
    assert not is_low_mark("KZ", "section", 45) and not is_low_mark("KZ", "term", 85)
    assert is_low_mark("KZ", "section", 35, 7, 20) and not is_low_mark("KZ", "section", 40, 8, 20)
    assert not is_low_mark("KZ", "section", None)


def test_half_year_and_year_marks_from_term_marks():
    from domain.grading import half_year_and_year

    day = date(2026, 4, 1)
    assert half_year_and_year({1: 4, 2: 5}, UZ_TERMS, day) == {"H1": 5}  # 4.5 rounds half up
    assert half_year_and_year({1: 4, 2: 5, 3: 3, 4: 4}, UZ_TERMS, day) == {"H1": 5, "H2": 4, "Y": 4}
    assert half_year_and_year({1: 4, 3: 3}, UZ_TERMS, day) == {}
    assert half_year_and_year({1: 4}, UZ_TERMS, date(2027, 1, 1)) == {}  # another school year


def test_percent_bands_come_from_the_country_table():
    from domain.countries import rules_for

    bands = rules_for("KZ").percent_bands.value
    assert [percent_to_grade(low) for low, _grade in bands] == [grade for _low, grade in bands]
