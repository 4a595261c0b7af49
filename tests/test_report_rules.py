"""Reports right for each country (issue #10): decree 263 for Uzbek schools only, with the bot's reading labelled;
plan and fact (seed 002); summative names from domain/countries.py; seed 001's minimum marks, half-year and year
marks, signature lines and parents' use of the bot. Uses the hand-computed fixture of tests/test_reports.py."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.i18n import create_i18n
from bot.screens import reports as rs
from documents.report_files import safe_file_name
from domain import countries
from domain.decree_263 import NotForThisCountry, applies_to
from domain.fair_marks import fair_marks
from domain.reports import Share
from domain.term_sheet import YearMarks, year_marks
from storage.models import AreaPlan, ParentLink, School, SchoolClass, Staff, Student, Supervisor, TermGrade, User
from storage.repositories import report_usage
from storage.repositories import reports as repo
from storage.repositories.users import mark_seen
from tests.test_reports import COURSE, NOW, db  # noqa: F401 - the fixture
from usecases import report_figures as figures

I18N = create_i18n()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- decree 263 ---------------------------------------------------------------------------------------------


async def test_decree_263_is_refused_for_a_school_outside_uzbekistan(db):  # noqa: F811
    session, fx = db
    assert applies_to("UZ") and not applies_to("KG") and not applies_to("KZ")
    scope = await figures.school_scope(session, fx.c, NOW)  # Bishkek
    with pytest.raises(NotForThisCountry):
        await figures.decree_report(session, scope, COURSE)


async def test_decree_says_what_is_the_bots_reading_and_names_the_schools_summatives(db):  # noqa: F811
    session, fx = db
    decree = await figures.decree_report(session, await figures.school_scope(session, fx.a, NOW), COURSE)
    with I18N.context(), I18N.use_locale("ru"):
        text = rs.decree_text(decree)
        pdf = pdf_text(rs.render_pdf(rs.decree_document(decree), rs.number_formats()))
    # An Uzbek school in the Russian interface: ЧСБ/БСБ throughout, never СОЧ.
    assert "Результаты ЧСБ" in text and "СОЧ" not in text and "СОЧ" not in pdf
    # The decree gives the points; the formula is the bot's reading, and says so beside each figure.
    assert text.count("прочтение бота") == 3
    assert "Таблица 4 даёт 25 баллов" in text and "из 10" in text and "из 5, оценивает директор" in text


def test_summative_names_are_read_from_the_country_table(monkeypatch):
    from bot.formatting import summative_names

    with I18N.context(), I18N.use_locale("ru"):
        assert summative_names("UZ") == ("БСБ", "ЧСБ") and rs.summative_names("KG") == "СОР/СОЧ"
        kg = countries.COUNTRIES["KG"]
        monkeypatch.setitem(countries.COUNTRIES, "KG", type(kg)(**{
            **kg.__dict__, "summative_names": countries.Rule(("BSB", "ChSB"), "test")}))
        assert summative_names("KG") == ("БСБ", "ЧСБ") and rs.summative_names("KG") == "БСБ/ЧСБ"


# --- plan and fact ------------------------------------------------------------------------------------------


async def test_plans_set_for_a_school_and_a_region_and_fact_beyond_the_plan(db):  # noqa: F811
    session, fx = db
    urgut = await session.get(School, fx.b.id)
    urgut.teachers_planned = 1  # Urgut: 1 passed of a plan of 1
    session.add(AreaPlan(country="UZ", region="Toshkent shahri", district="", planned=1))  # 2 passed of 1
    await session.flush()
    country = Supervisor(id=1, user_id=100, country="UZ", region=None, district=None)
    report = await figures.area_report(session, country, COURSE, region=None, district=None, today=date(2025, 9, 10))
    rows = {r.label: r for r in report.rows}
    assert rows["Toshkent shahri"].counts.planned == 1 and rows["Toshkent shahri"].area_plan
    assert rows["Toshkent shahri"].counts.passed_share.percent == 200.0  # never capped at 100 %
    assert rows["Samarqand viloyati"].counts.planned == 1 and not rows["Samarqand viloyati"].area_plan
    assert report.total.planned == 2 and report.total.passed_share.percent == 150.0
    school = await figures.school_certification(session, urgut, COURSE, date(2025, 9, 10))
    assert school.counts.planned == 1 and school.plan_is_set
    with I18N.context(), I18N.use_locale("ru"):
        assert "200,0 %" in rs.area_text(report)
    assert Share(180_764, 75_099).percent == 240.7  # seed 002's own figure


# --- journal quality: seed 001's minimum marks ---------------------------------------------------------------


def test_minimum_marks_follow_the_weekly_hours():
    rules = countries.rules_for("KG")
    marks = {(1, 10): 3, (2, 10): 4, (1, 20): 3}
    fair = fair_marks({7: [1, 2]}, {(7, 10): 2, (7, 20): 1}, marks, rules.min_marks)
    # 2 lessons a week need 4 marks (pupil 2 has them), 1 lesson a week needs 3 (pupil 1 has them)
    assert fair.total == Share(2, 4) and fair.minimum_by_hours == {1: 3, 2: 4}


async def test_journal_quality_counts_pupils_short_of_the_minimum(db):  # noqa: F811
    session, fx = db
    report = await figures.journal_report(session, await figures.school_scope(session, fx.a, NOW))
    # 5-A Math: 2 lessons a week -> 4 marks needed; Aziz has 3, Bekzod 2, Dilnoza 1; 1-A gets no marks.
    assert report.fair.total == Share(0, 3) and report.fair.minimum_by_hours == {2: 4}
    with I18N.context(), I18N.use_locale("ru"):
        assert "2 → 4" in rs.journal_text(report)


# --- the term sheet -----------------------------------------------------------------------------------------


def test_half_year_and_year_marks():
    assert year_marks({1: 4, 2: 5, 3: 3, 4: 4}, {1, 2}, {1, 2, 3, 4}) == YearMarks(5, 4, 4)
    assert year_marks({1: 4, 3: 3}, {1, 2}, {1, 2, 3, 4}) == YearMarks(None, None, None)  # terms without marks


async def test_term_sheet_has_half_year_marks_and_signature_lines(db):  # noqa: F811
    session, fx = db
    aziz = (await repo.term_sheet(session, fx.class_5a, "2025-2026/T1")).students[0][0]
    math = next(s for s, n in (await repo.term_sheet(session, fx.class_5a, "2025-2026/T1")).subjects
                if n == "Matematika")
    session.add(TermGrade(student_id=aziz, subject_id=math, period="2025-2026/T2", grade=4))
    teacher = Staff(school_id=fx.a.id, full_name="Sinf Rahbari", position="teacher")
    session.add(teacher)
    await session.flush()
    (await session.get(SchoolClass, fx.class_5a)).class_teacher_id = teacher.id
    await session.flush()
    scope = await figures.school_scope(session, fx.a, NOW)
    klass = next(c for c in await repo.school_classes(session, fx.a.id) if c.id == fx.class_5a)
    report = await figures.sheet_report(session, scope, klass)
    assert report.sheet.year_marks(aziz, math).first_half == 5  # terms 1 and 2: 5 and 4, half up
    with I18N.context(), I18N.use_locale("ru"):
        text = pdf_text(rs.render_pdf(rs.sheet_document(report), rs.number_formats()))
        name = rs.file_name(rs.sheet_file_title(report), "pdf")
    assert "Полугодовые и годовые оценки" in text and "Sinf Rahbari" in text and "М.П." in text
    assert "Директор школы" in text and "Заместитель директора" in text
    assert name == "Ведомость_5-A_1-четверть.pdf"


def test_file_names_are_safe_and_keep_every_script():
    assert safe_file_name("Chorak vedomosti 7-A, 2-chorak", "pdf") == "Chorak_vedomosti_7-A_2-chorak.pdf"
    assert safe_file_name("O‘quvchilar: «Toshkent sh.»/2", "xlsx") == "Oʻquvchilar_Toshkent_sh_2.xlsx"
    assert safe_file_name("???", "png") == "report.png"


# --- parents' use of the bot ----------------------------------------------------------------------------------


async def test_parents_use_per_class(db):  # noqa: F811
    session, fx = db
    students = list(await session.scalars(select(Student.id).where(Student.class_id == fx.class_5a)
                                          .order_by(Student.id)))
    recent, old = User(id=501, tg_name="p1", created_at=NOW, last_seen_at=NOW - timedelta(days=2)), \
        User(id=502, tg_name="p2", created_at=NOW, last_seen_at=NOW - timedelta(days=30))
    session.add_all([recent, old, User(id=503, tg_name="p3", created_at=NOW)])
    await session.flush()
    session.add_all([ParentLink(user_id=501, student_id=students[0], created_at=NOW),
                     ParentLink(user_id=502, student_id=students[0], created_at=NOW),
                     ParentLink(user_id=502, student_id=students[1], created_at=NOW),
                     ParentLink(user_id=503, student_id=students[1], created_at=NOW)])
    await session.flush()
    use = (await report_usage.parents_use(session, fx.a.id, NOW))[fx.class_5a]
    assert (use.students, use.with_parent, use.parents, use.active_parents) == (3, 2, 3, 1)
    report = await figures.parents_report(session, fx.a, NOW, date(2025, 9, 10))
    with I18N.context(), I18N.use_locale("ru"):
        assert "2 из 3, 66,7 %" in rs.parents_text(report) and "1 из 3, 33,3 %" in rs.parents_text(report)


async def test_last_seen_is_written_at_most_once_an_hour(db):  # noqa: F811
    session, _fx = db
    user = await session.get(User, 101)
    first = datetime(2025, 9, 10, 8, 0, tzinfo=UTC)
    await mark_seen(session, user, first)
    await mark_seen(session, user, first + timedelta(minutes=30))
    assert (await session.get(User, 101)).last_seen_at == first
    await session.refresh(user)
    assert user.last_seen_at == first
    await mark_seen(session, user, first + timedelta(hours=2))
    await session.refresh(user)
    assert user.last_seen_at == first + timedelta(hours=2)
