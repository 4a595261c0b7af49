"""Journal and parent views per country (issue #10 "Trust"): weekly hours from the timetable, minimum marks."""

from __future__ import annotations

import io
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.demo import seed_demo
from bot.screens.parents import (
    attendance_legend,
    chart_series,
    forecast_lines,
    render_week,
    term_grade_lines,
    week_chart,
)
from domain.journal import MarkRow, summarize_week, too_few_grades
from storage.db import create_engine, migrate, session_factory
from storage.models import JournalLesson, JournalMark, School, TimetableLesson
from storage.repositories.journal import weekly_hours
from tests.test_import import load, load_samples, write_csv


async def test_weekly_hours_counts_timetable_slots_per_class_and_subject(database_url):
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            demo = await seed_demo(session, today=date(2026, 10, 7))
            slots = list(await session.execute(select(TimetableLesson.class_id, TimetableLesson.subject_id)
                                               .where(TimetableLesson.class_id == demo.class_ids[0])))
            expected = Counter((c, s) for c, s in slots)
            hours = await weekly_hours(session, [demo.class_ids[0]])
            assert hours == dict(expected)
            assert sum(hours.values()) == 15  # five days × three periods
            assert await weekly_hours(session, []) == {}
    finally:
        await engine.dispose()


# --- what parents read, per country ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def i18n():
    from aiogram.utils.i18n import I18n

    from bot.i18n import compile_catalogues

    return I18n(path=compile_catalogues(), default_locale="ru", domain="messages")


@contextmanager
def locale(i18n, lang: str):
    with i18n.context(), i18n.use_locale(lang):
        yield


MONDAY = date(2026, 10, 5)
KZ_WEEK = [MarkRow(MONDAY, "Математика", 8, "present"), MarkRow(MONDAY + timedelta(days=1), "Математика", 9, "present"),
           MarkRow(MONDAY + timedelta(days=2), "Математика", 85, "present", "section", 17, 20)]


def test_kazakh_week_keeps_marks_and_per_cents_apart(i18n):
    summary = summarize_week(KZ_WEEK, "KZ")
    # Today's code averaged 8, 9 and 85 into "Математика 34.0".
    assert summary.averages == {"Математика": 8.5} and summary.overall == 8.5
    assert summary.percents == {"Математика": 85.0} and summary.overall_percent == 85.0
    # A summative stored before points were kept (a bare per cent) is a per cent too, by the country's rule.
    old = [*KZ_WEEK[:2], MarkRow(MONDAY, "Математика", 85, "present", "section")]
    assert summarize_week(old, "KZ").averages == {"Математика": 8.5}
    with locale(i18n, "ru"):
        text = render_week("Аружан", "6-А", MONDAY, summary, "KZ")
    assert "34" not in text
    assert "Средний балл 8,5" in text
    assert "СОР (БЖБ) 17/20 (85 %)" in text
    assert "• Математика: 8,5 · СОР (БЖБ)/СОЧ (ТЖБ) 85 %" in text


def test_summatives_are_named_by_the_schools_country_not_the_interface(i18n):
    uz_week = [MarkRow(MONDAY, "Matematika", 5, "present", "section"), MarkRow(MONDAY, "Tarix", 4, "present", "term")]
    with locale(i18n, "ru"):
        uz = render_week("Aziz", "5-A", MONDAY, summarize_week(uz_week, "UZ"), "UZ")
        kg = render_week("Эмир", "7-А", MONDAY, summarize_week(uz_week, "KG"), "KG")
    assert "Matematika 5 (БСБ)" in uz and "Tarix 4 (ЧСБ)" in uz
    assert "Matematika 5 (СОР)" in kg and "суммативн" not in uz + kg
    with locale(i18n, "uz"):
        assert "Matematika 5 (BSB)" in render_week("Aziz", "5-A", MONDAY, summarize_week(uz_week, "UZ"), "UZ")


def test_week_view_explains_its_symbols_once(i18n):
    rows = [MarkRow(MONDAY, "Tarix", None, "absent"), MarkRow(MONDAY, "Biologiya", None, "excused"),
            MarkRow(MONDAY + timedelta(days=1), "Tarix", None, "late"),
            MarkRow(MONDAY + timedelta(days=2), "Tarix", None, "excused")]
    with locale(i18n, "ru"):
        text = render_week("Aziz", "5-A", MONDAY, summarize_week(rows, "UZ"), "UZ")
        legend = attendance_legend()
        quiet = render_week("Aziz", "5-A", MONDAY, summarize_week([MarkRow(MONDAY, "Tarix", 5, "present")]), "UZ")
    assert "🤒" in legend and "⏰" in legend and "✗" in legend
    assert text.count(legend) == 1
    assert legend not in quiet  # nothing to explain


def test_chart_gives_marks_and_per_cents_an_axis_each(i18n):
    summary = summarize_week(KZ_WEEK, "KZ")
    with locale(i18n, "ru"):
        series = chart_series(summary, "KZ")
        two = week_chart("Аружан", summary, "KZ")
        one = week_chart("Аружан", summarize_week(KZ_WEEK[:2], "KZ"), "KZ")
        uz = chart_series(summarize_week([MarkRow(MONDAY, "Tarix", 4, "present")]), "UZ")
    assert [(percents, [b.value for b in bars], top) for percents, bars, top in series] == [
        (False, [8.5], 10.0), (True, [85.0], 100.0)]
    assert uz[0][2] == 5.0
    from PIL import Image

    height = lambda png: Image.open(io.BytesIO(png)).height  # noqa: E731
    assert two[:8] == b"\x89PNG\r\n\x1a\n" and height(two) > height(one)


def test_term_screen_shows_half_year_and_year_marks(i18n):
    terms = [(1, date(2025, 9, 2), date(2025, 11, 3)), (2, date(2025, 11, 11), date(2025, 12, 27)),
             (3, date(2026, 1, 11), date(2026, 3, 20)), (4, date(2026, 3, 30), date(2026, 5, 25))]
    rows = [("Tarix", "2025-2026/T1", 4), ("Tarix", "2025-2026/T2", 5), ("Tarix", "2025-2026/T3", 4),
            ("Tarix", "2025-2026/T4", 4), ("Fizika", "2025-2026/T1", 3)]
    with locale(i18n, "ru"):
        lines = term_grade_lines(rows, terms, date(2026, 5, 28))
    assert lines == ["• Tarix — T1: 4, T2: 5, T3: 4, T4: 4, 1-е полугодие: 5, 2-е полугодие: 4, год: 4",
                     "• Fizika — T1: 3"]


def test_kazakh_forecast_counts_points_apart_from_marks(i18n):
    with locale(i18n, "ru"):
        lines = forecast_lines("KZ", 2, KZ_WEEK)
        uz = forecast_lines("UZ", 2, [MarkRow(MONDAY, "Tarix", 5, "present"), MarkRow(MONDAY, "Tarix", 4, "present")])
    # ФО 8.5 of 10 = 85 %, СОР 17/20 = 85 %: a 5, with its per cent.
    assert lines[-1] == "• Математика: 5 (85 %)"
    assert uz[-1] == "• Tarix: 5"


def test_forecast_header_counts_the_grades_it_is_made_from(i18n):
    """"прогноз по оценкам: 3" read as if the forecast were 3: the count is the number of grades, in plural."""
    one = [MarkRow(MONDAY, "Tarix", 5, "present")]
    with locale(i18n, "ru"):
        assert forecast_lines("KZ", 2, KZ_WEEK)[1] == "2 четверть на сегодня (прогноз по 3 оценкам):"
        assert forecast_lines("UZ", 2, one)[1] == "2 четверть на сегодня (прогноз по 1 оценке):"
    with locale(i18n, "kk"):
        assert forecast_lines("KZ", 2, KZ_WEEK)[1] == "2-тоқсан, әзірге (3 баға бойынша болжам):"
    with locale(i18n, "ky"):
        assert forecast_lines("KG", 2, one * 5)[1] == "2-чейрек азырынча (5 баа боюнча божомол):"


def test_glance_minimum_follows_weekly_hours():
    from domain.countries import rules_for

    rules = rules_for("KG")
    need = {"Tarix": rules.min_marks(1), "Matematika": rules.min_marks(2), "Fizika": rules.min_marks(5)}
    assert need == {"Tarix": 3, "Matematika": 4, "Fizika": 5}
    counts = {(1, "Tarix"): 3, (1, "Matematika"): 3, (1, "Fizika"): 4, (2, "Fizika"): 5}
    few = too_few_grades(counts, [1, 2], list(need), need)
    # A flat 3 would have let pupil 1 pass in Matematika (2 hours a week: seed 001 asks 3–4).
    assert few == {"Tarix": [2], "Matematika": [1, 2], "Fizika": [1]}


# --- storage: the demo, the journal import, the low-mark notice ------------------------------------------------

async def test_demo_sick_pupils_are_absent_with_a_reason(database_url):
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            await seed_demo(session, today=date(2026, 10, 7))
            rows = list(await session.execute(select(JournalMark.attendance, JournalMark.reason)))
    finally:
        await engine.dispose()
    sick = [attendance for attendance, reason in rows if reason == "illness"]
    assert sick and set(sick) == {"excused"}  # 🤒, not ✗
    assert any(attendance == "absent" and reason is None for attendance, reason in rows)


@pytest.fixture
async def sessions(database_url):
    engine = create_engine(database_url)
    await migrate(engine)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def test_journal_import_keeps_kazakh_points_and_maximum(sessions, tmp_path):
    await load_samples(sessions)
    kz_name = "Алматы, школа-лицей № 35"
    path = write_csv(tmp_path / "journal.csv", [
        ["school", "class", "subject", "date", "student", "grade", "kind"],
        [kz_name, "6-А", "Математика", "2025-09-15", "Серікбаев Алихан", "17/20", "СОР"],
        [kz_name, "6-А", "Математика", "2025-09-16", "Серікбаев Алихан", "85 %", "ТЖБ"],
        [kz_name, "6-А", "Математика", "2025-09-16", "Нұрланова Аружан", "9", "ФО"],
    ])
    report = await load(sessions, "journal", path)
    assert report.ok, [str(p) for p in report.errors]
    async with sessions() as session:
        marks = set(await session.execute(
            select(JournalLesson.lesson_date, JournalMark.kind, JournalMark.grade, JournalMark.points,
                   JournalMark.max_points).join(JournalLesson, JournalLesson.id == JournalMark.lesson_id)
            .where(JournalLesson.lesson_date.in_([date(2025, 9, 15), date(2025, 9, 16)]))))
    assert {(date(2025, 9, 15), "section", 85, 17, 20), (date(2025, 9, 16), "term", 85, 85, 100),
            (date(2025, 9, 16), "regular", 9, None, None)} <= marks


async def test_low_summative_per_cent_reaches_the_parents_notice(database_url):
    """A СОР of 7/20 (35 %) is low although 35 > 4; a СОР of 85 % is not "a low grade" either way."""
    from domain.grading import is_low_mark
    from storage.repositories.reminders import recent_alert_marks

    engine = create_engine(database_url)
    now = datetime.now(UTC)
    try:
        await migrate(engine)
        async with session_factory(engine)() as session:
            demo = await seed_demo(session, today=date(2026, 10, 7))
            await session.execute(update(School).where(School.id == demo.school_id).values(country="KZ"))
            lessons = list(await session.scalars(select(JournalLesson).where(
                JournalLesson.class_id == demo.class_ids[0]).order_by(JournalLesson.lesson_date.desc()).limit(2)))
            for lesson, (grade, points, maximum) in zip(lessons, ((35, 7, 20), (85, 17, 20)), strict=True):
                lesson.updated_at = now
                mark = await session.scalar(select(JournalMark).where(JournalMark.lesson_id == lesson.id).limit(1))
                mark.kind, mark.grade, mark.points, mark.max_points = "section", grade, points, maximum
                mark.attendance, mark.updated_at = "present", now
            await session.flush()
            found = await recent_alert_marks(session, [demo.school_id], now - timedelta(minutes=1),
                                             date(2026, 1, 1), max_grade=4)
    finally:
        await engine.dispose()
    summatives = {m.grade: m for m in found if m.kind == "section"}
    assert set(summatives) == {35, 85}
    low = [m.grade for m in summatives.values() if is_low_mark("KZ", m.kind, m.grade, m.points, m.max_points)]
    assert low == [35]


def test_week_days_open_their_lines_with_a_capital(i18n):
    with locale(i18n, "ru"):
        text = render_week("Аружан", "6-А", MONDAY, summarize_week(KZ_WEEK, "KZ"), "KZ")
    assert "\nПн 5 окт.: " in text, text
