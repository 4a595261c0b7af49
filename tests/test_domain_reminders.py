"""Reminder rules with a frozen clock: local time, school days, quiet hours, gaps, due dates, periods."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from bot.services.rate_limit import RateLimiter
from domain.reminders import (
    ExpectedLesson,
    Pref,
    QuietWindow,
    SchoolCalendar,
    TermSpan,
    data_check_due,
    effective,
    half_month,
    is_due,
    iso_week,
    kinds_for,
    lesson_gaps,
    local_time,
    school_weekdays,
    students_short_of_grades,
    summary_weekday,
    summative_has_results,
    summative_stage,
    tally_by,
    term_end_approaching,
    term_minimums,
    week_covered,
)
from domain.roles import Role

TERMS = (TermSpan(1, 1, "2025-2026", date(2025, 9, 2), date(2025, 11, 3)),
         TermSpan(2, 2, "2025-2026", date(2025, 11, 11), date(2025, 12, 27)),
         TermSpan(3, 3, "2025-2026", date(2026, 1, 11), date(2026, 3, 20)),
         TermSpan(4, 4, "2025-2026", date(2026, 3, 30), date(2026, 5, 25)))
CALENDAR = SchoolCalendar(terms=TERMS, holidays=((date(2025, 10, 20), date(2025, 10, 21)),))
WEDNESDAY = date(2025, 10, 1)


def lesson(tt: int, *, grade_level: int = 5, taken: bool = False, graded: bool = False) -> ExpectedLesson:
    return ExpectedLesson(timetable_id=tt, class_id=1, subject_id=tt, teacher_id=10, period=tt,
                          grade_level=grade_level, attendance_taken=taken, graded=graded)


def test_school_local_time_per_time_zone():
    now = datetime(2025, 10, 1, 13, 0, tzinfo=UTC)
    assert local_time(now, "Asia/Tashkent").hour == 18
    assert local_time(now, "Asia/Bishkek").hour == 19
    assert local_time(now, "Asia/Almaty").hour == 18  # UTC+5 since March 2024 (current tzdata)
    late = datetime(2025, 10, 1, 19, 30, tzinfo=UTC)
    assert local_time(late, "Asia/Bishkek").date() == date(2025, 10, 2)


def test_quiet_window_wraps_midnight_and_says_when_it_ends():
    quiet = QuietWindow(21, 8)
    assert [h for h in range(24) if quiet.contains(h)] == [0, 1, 2, 3, 4, 5, 6, 7, 21, 22, 23]
    assert quiet.allowed_hours() == list(range(8, 21))
    tz = local_time(datetime(2025, 10, 1, tzinfo=UTC), "Asia/Tashkent").tzinfo
    evening = datetime(2025, 10, 1, 22, 15, tzinfo=tz)
    assert quiet.resume_at(evening) == datetime(2025, 10, 2, 8, 0, tzinfo=tz)
    night = datetime(2025, 10, 2, 3, 0, tzinfo=tz)
    assert quiet.resume_at(night) == datetime(2025, 10, 2, 8, 0, tzinfo=tz)
    assert quiet.resume_at(datetime(2025, 10, 2, 12, 0, tzinfo=tz)) is None
    assert not QuietWindow(0, 0).contains(3)


def test_school_days_skip_weekends_holidays_and_breaks():
    assert CALENDAR.is_school_day(WEDNESDAY)
    assert not CALENDAR.is_school_day(date(2025, 10, 4))    # Saturday
    assert not CALENDAR.is_school_day(date(2025, 10, 20))   # a holiday
    assert not CALENDAR.is_school_day(date(2025, 11, 5))    # between terms
    six_days = SchoolCalendar(terms=TERMS, weekdays=school_weekdays([0, 1, 2, 3, 4, 5]))
    assert six_days.is_school_day(date(2025, 10, 4))
    assert CALENDAR.last_school_day_of_week(WEDNESDAY) == date(2025, 10, 3)
    assert six_days.last_school_day_of_week(WEDNESDAY) == date(2025, 10, 4)
    assert CALENDAR.first_half_ends(WEDNESDAY) == date(2025, 12, 27)


def test_lesson_gaps_attendance_and_grades():
    lessons = [lesson(1, taken=True, graded=True), lesson(2, taken=True), lesson(3), lesson(4, graded=True)]
    gaps = lesson_gaps(WEDNESDAY, lessons, CALENDAR, "UZ")
    assert [(g.lesson.timetable_id, g.no_attendance, g.no_grades) for g in gaps] == [
        (2, False, True), (3, True, True), (4, True, False)]
    assert lesson_gaps(date(2025, 10, 20), lessons, CALENDAR, "UZ") == []  # holiday: nothing expected
    tallies = tally_by(gaps, lambda g: g.lesson.teacher_id)
    assert (tallies[10].lessons, tallies[10].no_attendance, tallies[10].no_grades) == (3, 2, 2)


def test_no_grades_expected_where_classes_get_no_marks():
    first_grade = [lesson(1, grade_level=1, taken=True)]
    assert lesson_gaps(WEDNESDAY, first_grade, CALENDAR, "UZ") == []
    second_grade = [lesson(1, grade_level=2, taken=True)]
    # Grade 2's unmarked first half-year is Kyrgyz (seed 001), not Uzbek (domain.countries).
    assert lesson_gaps(WEDNESDAY, second_grade, CALENDAR, "KG") == []          # first half-year
    assert lesson_gaps(date(2026, 2, 4), second_grade, CALENDAR, "KG") == []  # 12-year standard from 2025
    assert len(lesson_gaps(WEDNESDAY, second_grade, CALENDAR, "UZ")) == 1
    assert lesson_gaps(WEDNESDAY, [lesson(1, grade_level=3, taken=True)], CALENDAR, "KG") == []
    # Attendance is expected in every class.
    assert lesson_gaps(WEDNESDAY, [lesson(1, grade_level=1)], CALENDAR, "UZ")[0].no_attendance


@pytest.mark.parametrize(("days_left", "stage"), [
    (5, None), (4, None), (3, "d3"), (2, "d3"), (1, "d1"), (0, "d0"),
    (-1, "o1"), (-6, "o1"), (-7, "o7"), (-14, "o7"), (-15, None)])
def test_summative_stages(days_left, stage):
    today = date(2025, 10, 1)
    assert summative_stage(today + timedelta(days=days_left), today) == stage


def test_summative_stages_follow_configured_lead_days():
    today = date(2025, 10, 1)
    assert summative_stage(today + timedelta(days=5), today, lead_days=(7, 2)) == "d7"
    assert summative_stage(today + timedelta(days=2), today, lead_days=(7, 2)) == "d2"


def test_summative_results_linked_or_same_kind_near_the_due_date():
    due = date(2025, 10, 10)
    assert not summative_has_results(5, due, [])
    assert summative_has_results(5, due, [(date(2025, 9, 1), 5)])             # linked: any date
    assert not summative_has_results(5, due, [(date(2025, 9, 1), 6)])         # linked to another one
    assert summative_has_results(5, due, [(date(2025, 10, 3), None)])         # unlinked, within 7 days before
    assert not summative_has_results(5, due, [(date(2025, 10, 2), None)])     # too early: an earlier summative
    assert summative_has_results(5, due, [(date(2025, 10, 14), None)])        # entered late


def test_term_end_and_students_short_of_grades():
    term = TERMS[0]
    assert term_end_approaching(term, date(2025, 10, 27))
    assert term_end_approaching(term, date(2025, 11, 3))
    assert not term_end_approaching(term, date(2025, 10, 26))
    assert not term_end_approaching(term, date(2025, 11, 4))
    short = students_short_of_grades({1: [100, 101, 102]}, [(1, 7), (1, 8)],
                                     {(100, 7): 3, (101, 7): 2, (100, 8): 5, (101, 8): 4, (102, 8): 3})
    assert short == {(1, 7): [101, 102]}


def test_periods():
    assert half_month(date(2025, 10, 1)) == ("2025-10a", date(2025, 9, 15), date(2025, 9, 30))
    assert half_month(date(2025, 10, 15)) == ("2025-10b", date(2025, 10, 1), date(2025, 10, 14))
    assert half_month(date(2026, 3, 2)) == ("2026-03a", date(2026, 2, 15), date(2026, 2, 28))
    assert iso_week(date(2025, 12, 29)) == "2026W01"
    assert week_covered(date(2025, 10, 4)) == date(2025, 9, 29)   # Saturday: this week
    assert week_covered(date(2025, 10, 6)) == date(2025, 9, 29)   # Monday: last week


def test_due_by_setting_hour_and_weekday():
    tz = local_time(datetime(2025, 10, 1, tzinfo=UTC), "Asia/Tashkent").tzinfo
    at = datetime(2025, 10, 1, 17, 59, tzinfo=tz)
    assert not is_due("lessons", None, at)
    assert is_due("lessons", None, at + timedelta(minutes=1))
    assert is_due("lessons", Pref(hour=15), at)
    assert not is_due("lessons", Pref(enabled=False), at + timedelta(hours=1))
    saturday = datetime(2025, 10, 4, 18, 0, tzinfo=tz)
    assert is_due("parent_weekly", None, saturday)
    assert not is_due("parent_weekly", None, saturday - timedelta(days=1))
    assert is_due("parent_weekly", Pref(weekday=4, hour=9), datetime(2025, 10, 3, 9, 0, tzinfo=tz))
    assert is_due("parent_alerts", None, at)
    assert effective("parent_alerts", Pref(hour=12)).hour is None  # no hour for instant notices


def test_kinds_per_role():
    assert kinds_for([Role.PARENT]) == ["parent_weekly", "parent_alerts"]
    assert "class_daily" in kinds_for([Role.CLASS_TEACHER]) and "class_daily" not in kinds_for([Role.TEACHER])
    assert "head_summary" in kinds_for([Role.ADMIN])


async def test_rate_limiter_spaces_sends_and_honours_a_flood_wait():
    limiter = RateLimiter(50, per_chat_interval=0.2)
    loop = asyncio.get_running_loop()
    start = loop.time()
    stamps: list[float] = []

    async def send(chat: int) -> None:
        await limiter.acquire(chat)
        stamps.append(loop.time() - start)

    await asyncio.gather(*(send(chat) for chat in range(10)))
    gaps = [b - a for a, b in pairwise(stamps)]
    # Never closer than min_gap (0.75 of the 20 ms interval); on average the full interval.
    assert min(gaps) >= limiter.min_gap - 0.001 and stamps[-1] - stamps[0] >= 9 * limiter.interval - 0.005
    # One chat: at most one send per interval.
    stamps.clear()
    start = loop.time()
    await asyncio.gather(*(send(99) for _ in range(3)))
    assert stamps[1] - stamps[0] >= 0.19 and stamps[2] - stamps[1] >= 0.19
    # A flood wait holds everyone back.
    limiter.pause(0.3)
    start = loop.time()
    stamps.clear()
    await send(1000)
    assert stamps[0] >= 0.29


def test_term_minimum_follows_the_subjects_weekly_hours():
    # Seed 001: 3-4 marks for a 2-hour subject (domain.countries: 3 for 1 hour, 4 for 2, 5 for 3 or more).
    minimums = term_minimums({1: "KG", 2: "UZ"}, {(1, 7): 1, (1, 8): 2, (2, 9): 5, (3, 9): 2})
    assert minimums == {(1, 7): 3, (1, 8): 4, (2, 9): 5}  # class 3 is not in this chunk's schools
    counts = {(100, 7): 3, (100, 8): 3, (101, 7): 3, (101, 8): 4}
    # A flat 3 would find nobody short; by hours, pupil 100 lacks a mark in the 2-hour subject.
    assert students_short_of_grades({1: [100, 101]}, [(1, 7), (1, 8)], counts) == {}
    assert students_short_of_grades({1: [100, 101]}, [(1, 7), (1, 8)], counts, minimums) == {(1, 8): [100]}


def test_data_check_once_a_term_on_its_days():
    assert data_check_due(TERMS[0], date(2025, 9, 2)) and data_check_due(TERMS[0], date(2025, 11, 3))
    assert not data_check_due(None, date(2025, 11, 5))


def test_parents_weekly_summary_day_spread_by_school():
    assert {summary_weekday(school) for school in range(1, 15)} == set(range(7))
    saturday = datetime(2025, 10, 4, 18, tzinfo=UTC)
    tuesday = datetime(2025, 9, 30, 18, tzinfo=UTC)
    assert is_due("parent_weekly", None, saturday) and not is_due("parent_weekly", None, tuesday)
    assert is_due("parent_weekly", None, tuesday, default_weekday=1)
    assert not is_due("parent_weekly", None, saturday, default_weekday=1)
    # The parent's own choice wins over the school's day.
    assert is_due("parent_weekly", Pref(weekday=5), saturday, default_weekday=1)
    assert effective("parent_weekly", None, 3).weekday == 3 and effective("lessons", None, 3).weekday is None
