"""Spreadsheet imports (roster, journal, calendar) on SQLite and PostgreSQL: the samples import, a second
import changes nothing, bad rows are reported by number and leave the database as it was."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text

from bot.config import Settings
from bot.importing import import_file, run_import
from bot.importing.columns import CALENDAR, JOURNAL, PEOPLE, TIMETABLE
from bot.importing.spreadsheet import read_tables
from domain.tabular import (
    class_key,
    match_headers,
    name_key,
    parse_attendance,
    parse_class,
    parse_date,
    parse_role,
    parse_weekday,
)
from storage.db import create_engine, migrate, session_factory
from storage.models import (
    GuardianContact,
    JournalChange,
    JournalLesson,
    JournalMark,
    ParentLink,
    School,
    SchoolClass,
    Staff,
    Student,
    Summative,
    Term,
    TimetableLesson,
    User,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TABLES = ("schools", "classes", "subjects", "staff", "students", "guardian_contacts", "parent_links", "timetable",
          "terms", "holidays", "summatives", "journal_lessons", "journal_marks", "journal_changes", "area_plans")
ALL_SAMPLES = (("roster", "roster.xlsx"), ("roster", "roster.csv"), ("calendar", "calendar.xlsx"),
               ("journal", "journal.csv"), ("plan", "plan.csv"))


@pytest.fixture
async def sessions(database_url):
    engine = create_engine(database_url)
    await migrate(engine)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def load(sessions, what: str, path: Path):
    async with sessions() as session:
        return await import_file(session, what, path, now=NOW)


async def load_samples(sessions) -> None:
    for what, name in ALL_SAMPLES:
        report = await load(sessions, what, SAMPLES / name)
        assert report.ok, [str(p) for p in report.errors]


async def snapshot(sessions) -> dict[str, list]:
    async with sessions() as session:
        return {table: [tuple(r) for r in await session.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
                for table in TABLES}


def write_csv(path: Path, rows: list[list[object]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


# --- the samples ----------------------------------------------------------------------------------------


async def test_samples_import_reimport_and_update(sessions, tmp_path):
    await load_samples(sessions)
    await check_samples(sessions)
    await check_reimport_is_idempotent(sessions)
    await check_changed_grade_is_updated_with_history(sessions, tmp_path)


async def check_samples(sessions):
    async with sessions() as session:
        count = {model.__tablename__: await session.scalar(select(func.count()).select_from(model))
                 for model in (School, SchoolClass, Staff, Student, TimetableLesson, Term, Summative, JournalLesson,
                               JournalMark)}
        assert count == {"schools": 3, "classes": 6, "staff": 14, "students": 29, "timetable": 40, "terms": 12,
                         "summatives": 9, "journal_lessons": 8, "journal_marks": 51}
        uz = await session.scalar(select(School).where(School.external_id == "UZ-SAM-021"))
        kz = await session.scalar(select(School).where(School.external_id == "KZ-ALA-035"))
        assert (uz.country, uz.timezone, kz.timezone) == ("UZ", "Asia/Tashkent", "Asia/Almaty")
        # One person on two rows (teacher, class teacher) is one staff member who leads 5-A.
        karimova = (await session.scalars(select(Staff).where(Staff.full_name == "Karimova Dilfuza Rustamovna"))).one()
        five_a = await session.scalar(select(SchoolClass).where(SchoolClass.school_id == uz.id,
                                                                SchoolClass.name == "5-A"))
        assert five_a.class_teacher_id == karimova.id and karimova.phone == "998902100003"
        assert (await session.scalar(select(Staff.position).where(Staff.phone == "998902100001"))) == "head"
        # A Kyrgyz number written locally (0772 …) and a Kazakh one with 8 (8 777 …).
        assert await session.scalar(select(Staff.id).where(Staff.phone == "996772100004"))
        assert await session.scalar(select(GuardianContact.id).where(GuardianContact.phone == "77774010002"))
        nazarov = await session.scalar(select(Student).where(Student.full_name == "Nazarov Otabek"))
        phones = set(await session.scalars(select(GuardianContact.phone).where(
            GuardianContact.student_id == nazarov.id)))
        assert phones == {"998935551203", "998935551213"}
        # "5" in the summatives sheet: every fifth class gets the Ona tili ChSB.
        ona_tili_chsb = list(await session.scalars(select(Summative).where(Summative.title == "1-chorak ChSB",
                                                                           Summative.school_id == uz.id)))
        assert len(ona_tili_chsb) == 3 and all(s.term_id for s in ona_tili_chsb)
        marks = (await session.execute(select(JournalMark.attendance, JournalMark.reason, JournalMark.grade,
                                              JournalMark.kind))).all()
        assert ("excused", "illness", None, "regular") in marks  # nb + "kasal"
        assert ("absent", None, None, "regular") in marks  # "н" in the grade column
        assert ("present", None, 85, "section") in marks  # a Kazakh БЖБ per cent
        assert ("present", None, 10, "regular") in marks  # a Kazakh formative mark
        first_grade = await session.scalar(select(func.count(JournalMark.grade)).join(
            JournalLesson, JournalLesson.id == JournalMark.lesson_id).join(
            SchoolClass, SchoolClass.id == JournalLesson.class_id).where(SchoolClass.grade == 1))
        assert first_grade == 0
        lesson = await session.scalar(select(JournalLesson).where(JournalLesson.lesson_date == date(2025, 9, 8),
                                                                  JournalLesson.class_id == five_a.id))
        assert (lesson.topic, lesson.teacher_id, lesson.period) == ("Natural sonlar", karimova.id, 1)
        assert lesson.attendance_taken_at is not None


async def check_reimport_is_idempotent(sessions):
    before = await snapshot(sessions)
    for what, name in ALL_SAMPLES:
        report = await load(sessions, what, SAMPLES / name)
        assert report.ok
        assert all(set(c) == {"unchanged"} for c in report.counts.values()), (name, report.counts)
    assert await snapshot(sessions) == before


async def check_changed_grade_is_updated_with_history(sessions, tmp_path):
    rows = list(csv.reader((SAMPLES / "journal.csv").open(encoding="utf-8")))
    header = rows[0]
    row = next(r for r in rows[1:] if r[header.index("student")] == "Aliyev Jasur" and r[header.index("grade")] == "5")
    row[header.index("grade")] = "3"
    report = await load(sessions, "journal", write_csv(tmp_path / "journal.csv", rows))
    assert report.ok and report.counts["marks"]["updated"] == 1
    async with sessions() as session:
        change = (await session.scalars(select(JournalChange))).one()
        assert (change.field, change.old_value, change.new_value, change.changed_by) == ("grade", "5", "3", None)
        mark = await session.scalar(select(JournalMark).join(Student, Student.id == JournalMark.student_id).where(
            Student.full_name == "Aliyev Jasur", JournalMark.grade == 3))
        assert mark.version == 2


async def test_roster_links_people_who_already_use_the_bot(sessions):
    async with sessions() as session:
        session.add(User(id=555001, phone="998905551201", created_at=NOW))  # Aliyev Jasur's father
        session.add(User(id=555002, phone="998942100005", created_at=NOW))  # Ergasheva, a teacher
        await session.commit()
    report = await load(sessions, "roster", SAMPLES / "roster.xlsx")
    assert report.ok
    async with sessions() as session:
        link = (await session.scalars(select(ParentLink).where(ParentLink.user_id == 555001))).one()
        assert (await session.get(Student, link.student_id)).full_name == "Aliyev Jasur"
        assert await session.scalar(select(Staff.user_id).where(Staff.phone == "998942100005")) == 555002


# --- bad rows -------------------------------------------------------------------------------------------


async def test_bad_rows_are_reported_and_nothing_changes(sessions, tmp_path):
    await load_samples(sessions)
    before = await snapshot(sessions)
    await check_bad_roster(sessions, tmp_path)
    await check_journal_rejects_grades_where_none_are_given(sessions, tmp_path)
    await check_calendar_errors(sessions, tmp_path)
    assert await snapshot(sessions) == before
    await check_grade_two_first_half_and_kazakh_scale(sessions, tmp_path)


async def check_bad_roster(sessions, tmp_path):
    before = await snapshot(sessions)
    workbook = Workbook()
    people = workbook.active
    people.title = "Ro'yxat"
    people.append(["Samarqand shahar 21-maktab: o'quvchilar ro'yxati"])  # a title line above the header
    people.append(["Maktab", "Rol", "F.I.Sh.", "Sinf", "Telefon"])
    people.append(["Samarqand shahar 21-maktab", "oʻquvchi", "Yangi Oʻquvchi", "5-A", "+998 90 111 22 33"])  # good
    people.append([None, "o'quvchi", "Sinfsiz Bola", None, None])  # row 4: no class
    people.append([None, "kosmonavt", "Gagarin Yuriy", None, None])  # row 5: unknown role
    people.append([None, "o'qituvchi", None, None, "+998 90 111 22 34"])  # row 6: no name
    people.append([None, "o'qituvchi", "Xato Telefon", None, "12345"])  # row 7: bad phone
    timetable = workbook.create_sheet("Dars jadvali")
    timetable.append(["sinf", "kun", "dars", "fan", "o'qituvchi"])
    timetable.append(["5-A", "Dushanba", 1, "Matematika", "Karimova Dilfuza"])  # good (replaces Monday 1)
    timetable.append(["5-A", "Du", 1, "Tarix", "Tursunov Bekzod"])  # row 3: the same slot again
    timetable.append(["9-Z", "Se", 2, "Tarix", "Tursunov Bekzod"])  # row 4: unknown class
    timetable.append(["5-B", "Chorshanba", 2, "Tarix", "Nomaʼlum Oʻqituvchi"])  # row 5: unknown teacher
    timetable.append(["5-B", "Funday", 3, "Tarix", None])  # row 6: bad weekday
    path = tmp_path / "bad_roster.xlsx"
    workbook.save(path)

    report = await load(sessions, "roster", path)
    assert not report.ok
    where = {(p.table, p.row, p.column) for p in report.errors}
    assert where == {("Ro'yxat", 4, "class"), ("Ro'yxat", 5, "role"), ("Ro'yxat", 6, "full_name"),
                     ("Ro'yxat", 7, "phone"), ("Dars jadvali", 3, "period"), ("Dars jadvali", 4, "class"),
                     ("Dars jadvali", 5, "teacher"), ("Dars jadvali", 6, "weekday")}
    rendered = report.render("bad_roster.xlsx")
    assert "nothing was imported" in rendered and "Ro'yxat, row 7, phone" in rendered
    assert await snapshot(sessions) == before


async def check_journal_rejects_grades_where_none_are_given(sessions, tmp_path):
    before = await snapshot(sessions)
    uz = "Samarqand shahar 21-maktab"
    path = write_csv(tmp_path / "journal.csv", [
        ["Maktab", "Sinf", "Fan", "Sana", "Dars", "Oʻquvchi", "Davomat", "Baho", "Turi"],
        [uz, "5-A", "Matematika", "15.09.2025", 1, "Aliyev Jasur", "", 4, ""],  # good
        [uz, "1-A", "Matematika", "15.09.2025", 2, "Mirzayev Abdulloh", "", 5, ""],  # row 3: grade 1
        [uz, "5-A", "Matematika", "15.09.2025", 1, "Rashidova Madina", "", 6, ""],  # row 4: off the scale
        [uz, "5-A", "Matematika", "15.09.2025", 1, "Ivanov Ivan", "", 5, ""],  # row 5: no such student
        [uz, "5-A", "Matematika", "15.09.2027", 1, "Qodirova Sevara", "", 5, ""],  # row 6: in the future
        [uz, "5-A", "Matematika", "15.09.2025", 1, "Nazarov Otabek", "nb", 5, ""],  # row 7: absent with a grade
        [uz, "5-A", "Matematika", "15.09.2025", 1, "Sobirova Zarina", "", 5, "XYZ"],  # row 8: unknown kind
    ], delimiter=";")
    report = await load(sessions, "journal", path)
    errors = {p.row: (p.column, p.message) for p in report.errors}
    assert set(errors) == {3, 4, 5, 6, 7, 8}, report.errors
    assert errors[3] == ("grade", "no grades are given in grade 1 (class 1-A, 2025-09-15)")
    assert "UZ scale (2–5)" in errors[4][1]
    assert await snapshot(sessions) == before


async def check_grade_two_first_half_and_kazakh_scale(sessions, tmp_path):
    async with sessions() as session:
        for code, name, pupil in (("UZ-SAM-021", "2-A", "Karimov Bobur"), ("KG-BSH-005", "2-Б", "Асанов Бакыт")):
            school = await session.scalar(select(School).where(School.external_id == code))
            klass = SchoolClass(school_id=school.id, name=name, grade=2)
            session.add(klass)
            await session.flush()
            session.add(Student(school_id=school.id, class_id=klass.id, full_name=pupil))
        await session.commit()
    uz_name, kz_name, kg_name = "Samarqand shahar 21-maktab", "Алматы, школа-лицей № 35", "Бишкек, школа-гимназия № 5"
    path = write_csv(tmp_path / "journal.csv", [
        ["school", "class", "subject", "date", "student", "grade", "kind"],
        # Seed 001's "no marks in grade 2's first half-year" is Kyrgyz (2024–25, before the 12-year standard).
        [kg_name, "2-Б", "Математика", "2024-12-26", "Асанов Бакыт", 5, ""],  # row 2: first half
        [kg_name, "2-Б", "Математика", "2025-01-13", "Асанов Бакыт", 5, ""],  # second half: allowed
        [kz_name, "6-А", "Математика", "2025-09-11", "Нұрланова Аружан", 10, "ФО"],  # allowed (1–10)
        [kz_name, "6-А", "Математика", "2025-09-11", "Серікбаев Алихан", 11, ""],  # row 5: not 1–10
        [kz_name, "6-А", "Математика", "2025-09-12", "Серікбаев Алихан", "72%", "СОР"],  # a per cent
        [uz_name, "2-A", "Matematika", "2025-12-26", "Karimov Bobur", 5, ""],  # Uzbek grade 2: marked all year
        [kz_name, "6-А", "Математика", "2025-09-15", "Серікбаев Алихан", "17/20", "СОР"],  # points over maximum
        [kz_name, "6-А", "Математика", "2025-09-16", "Серікбаев Алихан", "21/20", "БЖБ"],  # row 9: over maximum
    ])
    report = await load(sessions, "journal", path)
    assert {(p.row, p.column) for p in report.errors} == {(2, "grade"), (5, "grade"), (9, "grade")}, report.errors
    assert "grade 2's first half-year" in report.errors[0].message


async def check_calendar_errors(sessions, tmp_path):
    before = await snapshot(sessions)
    path = write_csv(tmp_path / "calendar.csv", [
        ["школа", "тип", "учебный год", "четверть", "название", "начало", "конец", "класс", "предмет", "вид", "срок"],
        ["Samarqand shahar 21-maktab", "четверть", "2025-2026", 1, "", "02.09.2025", "03.11.2025"],
        ["", "четверть", "2025-2026", 2, "", "01.11.2025", "27.12.2025"],  # row 3: overlaps term 1
        ["", "каникулы", "", "", "Kuzgi taʼtil", "04.11.2025", "03.11.2025"],  # row 4: ends before it starts
        ["", "СОЧ", "", "", "1-chorak ChSB", "", "", "5-A", "Fizika", "", "28.10.2025"],  # row 5: unknown subject
        ["", "summative", "", "", "x", "", "", "5-A", "Matematika", "", "28.10.2025"],  # row 6: no kind
        ["", "party"],  # row 7: unknown type
    ], delimiter=";")
    report = await load(sessions, "calendar", path)
    assert {(p.row, p.column) for p in report.errors} == {
        (3, "starts_on"), (4, "ends_on"), (5, "subject"), (6, "kind"), (7, "type")}, report.errors
    assert await snapshot(sessions) == before


async def test_cli_returns_one_with_errors(database_url, tmp_path, capsys):
    settings = Settings(database_url=database_url, _env_file=None)
    assert await run_import(settings, "roster", str(SAMPLES / "roster.xlsx"), now=NOW) == 0
    assert "roster imported" in capsys.readouterr().out
    bad = write_csv(tmp_path / "bad.csv", [["school", "role", "full_name", "class"],
                                           ["Samarqand shahar 21-maktab", "student", "Bola", ""]])
    assert await run_import(settings, "roster", str(bad), now=NOW) == 1
    err = capsys.readouterr().err
    assert "row 2, class: a student needs a class" in err and "nothing was imported" in err
    assert await run_import(settings, "journal", str(tmp_path / "missing.xlsx"), now=NOW) == 1
    assert "no such file" in capsys.readouterr().err


def test_command_line_entry(tmp_path, monkeypatch, capsys):
    from bot.__main__ import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)  # no .env from the working tree
    assert main(["import", "roster", str(SAMPLES / "roster.csv")]) == 0
    assert main(["import", "calendar", str(SAMPLES / "calendar.xlsx")]) == 1  # the Uzbek school is not there
    assert "unknown school" in capsys.readouterr().err


# --- reading files and cells (no database) --------------------------------------------------------------


def test_csv_delimiter_bom_and_row_numbers(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffШкола;ФИО\n\nA;\"Иванов\nИван\"\nB;C\n".encode())
    (table,) = read_tables(path)
    assert table.rows == [(1, ("Школа", "ФИО")), (3, ("A", "Иванов\nИван")), (4, ("B", "C"))]
    path.write_bytes("Школа;ФИО\n".encode("cp1251"))
    with pytest.raises(Exception, match="UTF-8"):
        read_tables(path)


def test_headers_in_four_languages():
    found = match_headers(["Maktab", "F.I.Sh.", "Sinf*", "Телефон родителя", "Рөлі", "mystery"], PEOPLE)
    assert found.columns == {"school": 0, "full_name": 1, "class": 2, "parent_phone": 3, "role": 4}
    assert found.unknown == ["mystery"]
    assert match_headers(["ФИО", "name"], PEOPLE).clashes == [("full_name", "ФИО", "name")]
    documented = (SAMPLES / "README.md").read_text(encoding="utf-8")
    for spec in (PEOPLE, TIMETABLE, JOURNAL, CALENDAR):  # no alias may mean two columns of one sheet
        for canonical, aliases in spec.items():
            assert f"`{canonical}`" in documented, f"samples/README.md does not document {canonical}"
            for alias in {canonical, *aliases}:
                assert match_headers([alias], spec).columns == {canonical: 0}, (alias, canonical)


def test_cell_values():
    assert parse_class("5 «А» sinf") == ("5-А", 5)
    assert parse_class("10б") == ("10-Б", 10)
    assert class_key("5-А") == class_key("5a") == class_key("5 A")
    with pytest.raises(ValueError):
        parse_class("Б-5")
    assert parse_date("15.09.2025") == parse_date("2025-09-15") == parse_date(45915) == date(2025, 9, 15)
    assert parse_date(datetime(2025, 9, 15, 0, 0)) == date(2025, 9, 15)
    assert parse_weekday("Dushanba") == parse_weekday(1) == parse_weekday("пн") == 0
    assert parse_weekday("Жексенбі") == 6
    assert parse_role("Классный руководитель") == parse_role("sinf rahbari") == "class_teacher"
    assert parse_role("Oʻqituvchi") == parse_role("o'qituvchi") == "teacher"
    assert parse_attendance("н") == parse_attendance("NB") == "absent"
    assert parse_attendance("") == "present" and parse_attendance("kechikdi") == "late"
    assert name_key("Karimov  Aziz") == name_key("aziz karimov")
