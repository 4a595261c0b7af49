"""Report numbers against a small fixture computed by hand (SQLite, and PostgreSQL where one answers).

School A (Tashkent), term 1 = 1-14 Sep 2025, "today" = Wed 10 Sep, so lessons count up to Tue 9 Sep;
Wed 3 Sep is a holiday.
- The plan is the whole pedagogical staff (seed 002): T1 opened the course; T2 failed, then passed and sent the
  certificate to the head; T3 passed, did not send it; T4 has no account; T5 has an account and did nothing;
  the head and the deputy did nothing either. -> planned 7, started 3 (42.9 %), passed 2 (28.6 %), sent to
  the head 1 (14.3 %).
- School B (Samarqand): 2 teachers, one passed and sent. School C is in Kyrgyzstan.
  A supervisor of UZ sees Samarqand 1/2 passed and Toshkent shahri 2/7; in all 3 of 9 = 33.3 %.
- Timetable: 5-A (grade 5) Math on Mon and Tue, period 1, T1; 1-A (grade 1, no marks) Reading on Mon, T2.
  Expected: 5-A on 1, 2, 8, 9 Sep; 1-A on 1 and 8 Sep; plus a lesson outside the timetable on Thu 4 Sep.
  -> 7 lessons, 6 in the journal. Attendance on the day: 5-A 1 Sep (yes), 2 Sep (taken 01:30 on 3 Sep,
  Tashkent time: no), 4 Sep (yes), 9 Sep (never taken); 1-A both -> 4 of 7 = 57.1 %.
  Grades where expected (5-A only): 1, 4, 9 Sep of 5 lessons -> 60.0 %.
- Summatives of 5-A Math: S1 section due 5 Sep, saved 23:00 on 5 Sep (on time); S2 due 5 Sep, saved
  01:00 on 6 Sep (late); S3 term due 8 Sep, nothing (missing); S4 and S5 term due 12 Sep: term marks saved
  on 9 Sep without a link go to the first of them, S4 (on time); S5 not yet due.
  -> 2 of 4 on time (50.0 %), 3 of 4 used (75.0 %).
- Decree 263: timely 5 x 50 % = 2.5; use 2.5 x 75 % = 1.9 (1.875) + 2.5 x 2/7 = 0.7 (0.714) -> 2.6; total 5.1.
- Term sheet of 5-A, T1: 3 students x (Math, Ona tili); grades 5, 4 (Math), 3 (Ona tili) -> 3 of 6, mean 4.0,
  success 100.0 %, quality 66.7 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.admin_cli import GrantError, grant_staff, grant_supervisor
from bot.screens import reports as rs
from domain.reports import (
    AreaLevel,
    CertificationCounts,
    LessonFact,
    Share,
    SummativeFact,
    SummativeMark,
    SummativeState,
    TimetableSlot,
    attach_results,
    certification_counts,
    group_certification,
    lesson_outcomes,
    not_started,
    round_half_up,
    summative_state,
)
from storage.db import create_engine, migrate, session_factory
from storage.models import (
    Certificate,
    CourseProgress,
    ExamAttempt,
    Holiday,
    JournalLesson,
    JournalMark,
    School,
    SchoolClass,
    Staff,
    Student,
    Subject,
    Summative,
    Supervisor,
    Term,
    TermGrade,
    TimetableLesson,
    User,
)
from storage.repositories import reports as repo
from usecases import report_figures as figures

COURSE = "criteria_journal"
TASHKENT = ZoneInfo("Asia/Tashkent")
NOW = datetime(2025, 9, 10, 8, 0, tzinfo=UTC)  # Wed 10 Sep, 13:00 in Tashkent


def at(day: int, hour: int, minute: int = 0, month: int = 9) -> datetime:
    """A moment given in Tashkent time, as an aware UTC datetime."""
    return datetime.combine(date(2025, month, day), time(hour, minute), TASHKENT).astimezone(UTC)


@dataclass
class Fixture:
    a: School
    b: School
    c: School
    class_5a: int
    class_1a: int
    class_b: int


async def build_fixture(session) -> Fixture:
    a = School(name="Toshkent 110-maktab", country="UZ", timezone="Asia/Tashkent", region="Toshkent shahri",
               district="Yunusobod tumani")
    b = School(name="Urgut 5-maktab", country="UZ", timezone="Asia/Tashkent", region="Samarqand viloyati",
               district="Urgut tumani")
    c = School(name="Bishkek 1", country="KG", timezone="Asia/Bishkek", region="Bishkek", district=None)
    session.add_all([a, b, c])
    await session.flush()
    users = {uid: User(id=uid, tg_name=f"u{uid}", created_at=NOW) for uid in (100, 101, 102, 103, 105, 201, 202)}
    session.add_all(users.values())
    await session.flush()
    head = Staff(school_id=a.id, full_name="Head A", position="head", user_id=100)
    deputy = Staff(school_id=a.id, full_name="Deputy A", position="deputy")
    t1 = Staff(school_id=a.id, full_name="T1 Aliyeva", position="teacher", user_id=101)
    t2 = Staff(school_id=a.id, full_name="T2 Karimov", position="teacher", user_id=102)
    t3 = Staff(school_id=a.id, full_name="T3 Nazarova", position="teacher", user_id=103)
    t4 = Staff(school_id=a.id, full_name="T4 Rahimov", position="teacher")
    t5 = Staff(school_id=a.id, full_name="T5 Sobirova", position="teacher", user_id=105)
    b1 = Staff(school_id=b.id, full_name="B1", position="teacher", user_id=201)
    b2 = Staff(school_id=b.id, full_name="B2", position="teacher", user_id=202)
    c1 = Staff(school_id=c.id, full_name="C1", position="teacher")
    session.add_all([head, deputy, t1, t2, t3, t4, t5, b1, b2, c1])
    await session.flush()

    def attempt(user_id: int, passed: bool) -> ExamAttempt:
        return ExamAttempt(user_id=user_id, course_id=COURSE, status="finished", started_at=NOW, deadline_at=NOW,
                           finished_at=NOW, question_count=10, correct_count=9 if passed else 3,
                           percent=90.0 if passed else 30.0, passed=passed)

    session.add(CourseProgress(user_id=101, course_id=COURSE, lesson_no=2, page=0, started_at=NOW, updated_at=NOW))
    attempts = [attempt(102, False), attempt(102, True), attempt(103, True), attempt(201, True)]
    session.add_all(attempts)
    await session.flush()
    session.add_all([
        Certificate(number="MB-2025-000001", verify_code="AAAA2222", user_id=102, attempt_id=attempts[1].id,
                    course_id=COURSE, holder_name="T2", school_id=a.id, percent=90.0, issued_at=NOW,
                    sent_to_head_at=NOW),
        Certificate(number="MB-2025-000002", verify_code="BBBB3333", user_id=103, attempt_id=attempts[2].id,
                    course_id=COURSE, holder_name="T3", school_id=a.id, percent=90.0, issued_at=NOW),
        Certificate(number="MB-2025-000003", verify_code="CCCC4444", user_id=201, attempt_id=attempts[3].id,
                    course_id=COURSE, holder_name="B1", school_id=b.id, percent=90.0, issued_at=NOW,
                    sent_to_head_at=NOW),
    ])

    session.add_all([
        Term(school_id=a.id, school_year="2025-2026", number=1, starts_on=date(2025, 9, 1), ends_on=date(2025, 9, 14)),
        Term(school_id=a.id, school_year="2025-2026", number=2, starts_on=date(2025, 11, 10),
             ends_on=date(2025, 12, 27)),
        Holiday(school_id=a.id, starts_on=date(2025, 9, 3), ends_on=date(2025, 9, 3), name="holiday"),
    ])
    await session.flush()
    term1 = (await repo.school_terms(session, a.id))[0]
    math = Subject(school_id=a.id, name="Matematika")
    native = Subject(school_id=a.id, name="Ona tili")
    reading = Subject(school_id=a.id, name="Oʻqish")
    c5a = SchoolClass(school_id=a.id, name="5-A", grade=5)
    c1a = SchoolClass(school_id=a.id, name="1-A", grade=1)
    cb = SchoolClass(school_id=b.id, name="5-B", grade=5)
    session.add_all([math, native, reading, c5a, c1a, cb])
    await session.flush()
    students = [Student(school_id=a.id, class_id=c5a.id, full_name=n) for n in ("Aziz", "Bekzod", "Dilnoza")]
    session.add_all(students)
    session.add_all([
        TimetableLesson(school_id=a.id, class_id=c5a.id, subject_id=math.id, teacher_id=t1.id, weekday=0, period=1),
        TimetableLesson(school_id=a.id, class_id=c5a.id, subject_id=math.id, teacher_id=t1.id, weekday=1, period=1),
        TimetableLesson(school_id=a.id, class_id=c1a.id, subject_id=reading.id, teacher_id=t2.id, weekday=0,
                        period=1),
    ])
    await session.flush()

    def lesson(klass: SchoolClass, subject: Subject, teacher: Staff, day: int, period: int,
               taken: datetime | None) -> JournalLesson:
        return JournalLesson(school_id=a.id, class_id=klass.id, subject_id=subject.id, teacher_id=teacher.id,
                             lesson_date=date(2025, 9, day), period=period, attendance_taken_at=taken)

    l01 = lesson(c5a, math, t1, 1, 1, at(1, 10))
    l02 = lesson(c5a, math, t1, 2, 1, at(3, 1, 30))  # taken after midnight: not on the day
    l04 = lesson(c5a, math, t1, 4, 3, at(4, 12))  # outside the timetable
    l09 = lesson(c5a, math, t1, 9, 1, None)
    r01 = lesson(c1a, reading, t2, 1, 1, at(1, 9))
    r08 = lesson(c1a, reading, t2, 8, 1, at(8, 9))
    session.add_all([l01, l02, l04, l09, r01, r08])
    await session.flush()

    def summative(kind: str, due: int) -> Summative:
        return Summative(school_id=a.id, class_id=c5a.id, subject_id=math.id, term_id=term1.id, kind=kind,
                         title=kind, due_on=date(2025, 9, due))

    s1, s2, s3, s4, s5 = (summative("section", 5), summative("section", 5), summative("term", 8),
                          summative("term", 12), summative("term", 12))
    session.add_all([s1, s2, s3, s4, s5])
    await session.flush()
    st1, st2, st3 = students

    def mark(lesson_row: JournalLesson, student: Student, grade: int | None, *, kind: str = "regular",
             summative_row: Summative | None = None, saved: datetime | None = None) -> JournalMark:
        return JournalMark(lesson_id=lesson_row.id, student_id=student.id, attendance="present", grade=grade,
                           kind=kind, summative_id=summative_row.id if summative_row else None,
                           updated_at=saved or NOW)

    session.add_all([
        mark(l01, st1, 5), mark(l01, st2, None),
        mark(l02, st1, None),
        mark(l04, st1, 4), mark(l04, st2, 5, kind="section", summative_row=s1, saved=at(5, 23)),
        mark(l04, st3, 3, kind="section", summative_row=s2, saved=at(6, 1)),
        # ChSB results entered in the phone journal: marked "term", not linked to a summative
        mark(l09, st1, 5, kind="term", saved=at(9, 15)),
        mark(l09, st2, 4, kind="term", saved=at(9, 15)),
        mark(r01, st3, None),
    ])
    session.add_all([
        TermGrade(student_id=st1.id, subject_id=math.id, period="2025-2026/T1", grade=5),
        TermGrade(student_id=st2.id, subject_id=math.id, period="2025-2026/T1", grade=4),
        TermGrade(student_id=st1.id, subject_id=native.id, period="2025-2026/T1", grade=3),
        TermGrade(student_id=st3.id, subject_id=math.id, period="2025-2026/T2", grade=2),  # another term
    ])
    await session.flush()
    return Fixture(a, b, c, c5a.id, c1a.id, cb.id)


@pytest.fixture
async def db(database_url):
    engine = create_engine(database_url)
    await migrate(engine)
    sessions = session_factory(engine)
    async with sessions() as session:
        fixture = await build_fixture(session)
        await session.commit()
    async with sessions() as session:
        yield session, fixture
    await engine.dispose()


async def test_certification_of_a_school(db):
    session, fx = db
    teachers = await repo.teacher_statuses(session, fx.a.id, COURSE)
    counts = certification_counts(teachers)
    # Heads and deputies are in the plan too (seed 002 counts the whole pedagogical staff).
    assert counts == CertificationCounts(planned=7, started=3, passed=2, sent_to_head=1)
    assert (counts.started_share.percent, counts.passed_share.percent, counts.sent_share.percent) == (42.9, 28.6,
                                                                                                      14.3)
    assert [t.name for t in not_started(teachers)] == ["Deputy A", "Head A", "T4 Rahimov", "T5 Sobirova"]


async def test_certification_of_an_area(db):
    session, fx = db
    country = Supervisor(id=1, user_id=100, country="UZ", region=None, district=None)
    rows = await repo.area_certification(session, country, COURSE)
    assert {r.school_id for r in rows} == {fx.a.id, fx.b.id}  # Kyrgyzstan's school is outside
    by_school = {r.school_id: r.counts for r in rows}
    assert by_school[fx.a.id] == CertificationCounts(7, 3, 2, 1)  # the grouped query agrees with the roster one
    regions = group_certification(rows, AreaLevel.REGION)
    assert [(g.label, g.counts) for g in regions] == [
        ("Samarqand viloyati", CertificationCounts(2, 1, 1, 1)), ("Toshkent shahri", CertificationCounts(7, 3, 2, 1))]
    total = sum((r.counts for r in rows), CertificationCounts())
    assert (total.started_share.percent, total.passed_share.percent, total.sent_share.percent) == (44.4, 33.3, 22.2)
    tashkent = Supervisor(id=2, user_id=100, country="UZ", region="Toshkent shahri", district=None)
    assert [r.school_id for r in await repo.area_certification(session, tashkent, COURSE)] == [fx.a.id]
    assert await repo.school_in_area(session, tashkent, fx.b.id) is None


async def test_journal_quality_and_summatives(db):
    session, fx = db
    scope = await figures.school_scope(session, fx.a, NOW)
    assert scope.term.number == 1 and scope.cutoff == date(2025, 9, 9)
    report = await figures.journal_report(session, scope)
    total = report.quality.total
    assert (total.lessons, total.held) == (7, 6)
    assert total.attendance_share == Share(4, 7) and total.attendance_share.percent == 57.1
    assert total.grades_share == Share(3, 5) and total.grades_share.percent == 60.0
    assert total.summatives_share == Share(2, 4) and total.materials_share == Share(3, 4)
    assert report.quality.summatives == {SummativeState.ON_TIME: 2, SummativeState.LATE: 1,
                                         SummativeState.MISSING: 1, SummativeState.UPCOMING: 1}
    by_teacher = {rs.teacher_name(report, k): t for k, t in report.quality.by_teacher.items()}
    assert by_teacher["T1 Aliyeva"].attendance_share == Share(2, 5)
    assert by_teacher["T1 Aliyeva"].summatives_share == Share(2, 4)
    assert by_teacher["T2 Karimov"].attendance_share == Share(2, 2)
    assert by_teacher["T2 Karimov"].grades_share == Share(0, 0)  # grade 1 gets no marks
    assert report.quality.by_class[fx.class_1a].lessons == 2
    assert list(report.quality.by_week) == [date(2025, 9, 1), date(2025, 9, 8)]
    assert report.quality.by_week[date(2025, 9, 1)].lessons == 4


async def test_decree_263_points(db):
    session, fx = db
    scope = await figures.school_scope(session, fx.a, NOW)
    decree = await figures.decree_report(session, scope, COURSE)
    assert (decree.score.timely, decree.score.materials, decree.score.course) == (2.5, 1.9, 0.7)
    assert decree.score.use == 2.6 and decree.score.computed_total == 5.1
    assert decree.score.authenticity is None  # the head's judgement
    assert decree.inputs.chsb.count == 2 and decree.inputs.chsb.mean == 4.5
    assert decree.inputs.term_grades.distribution == {3: 1, 4: 1, 5: 1}
    assert decree.inputs.regular.count == 2 and decree.inputs.regular.mean == 4.5


async def test_term_sheet(db):
    session, fx = db
    scope = await figures.school_scope(session, fx.a, NOW)
    klass = next(c for c in await repo.school_classes(session, fx.a.id) if c.id == fx.class_5a)
    sheet = (await figures.sheet_report(session, scope, klass)).sheet
    assert [n for _i, n in sheet.students] == ["Aziz", "Bekzod", "Dilnoza"]
    assert [n for _i, n in sheet.subjects] == ["Matematika", "Ona tili"]
    assert sheet.missing == 3
    overall = sheet.overall
    assert overall.graded == Share(3, 6) and overall.mean == 4.0
    assert overall.success.percent == 100.0 and overall.quality.percent == 66.7
    assert sheet.student_mean(sheet.students[0][0]) == 4.0


async def test_grants_from_the_administrators_command(db):
    session, fx = db
    row = await grant_supervisor(session, user_id=900, country="uz", region="Toshkent shahri", now=NOW)
    again = await grant_supervisor(session, user_id=900, country="UZ", region="Toshkent shahri", now=NOW)
    assert row.id == again.id and (await session.get(User, 900)).role == "supervisor"
    with pytest.raises(GrantError):
        await grant_supervisor(session, user_id=900, country="XX", now=NOW)
    with pytest.raises(GrantError):
        await grant_supervisor(session, user_id=900, country="UZ", district="Urgut tumani", now=NOW)
    staff = await grant_staff(session, school_id=fx.b.id, position="head", phone="+998 90 111 22 33", name="Head B",
                              now=NOW)
    assert staff.position == "head" and staff.phone == "998901112233" and staff.user_id is None
    promoted = await grant_staff(session, school_id=fx.a.id, position="deputy", user_id=103, now=NOW)
    assert promoted.full_name == "T3 Nazarova" and promoted.position == "deputy"
    assert [s.id for s in await repo.administered_schools(session, 103)] == [fx.a.id]


def test_unlinked_summative_marks_go_to_the_nearest_due_summative():
    def summative(sid: int, due: date, kind: str = "section") -> SummativeFact:
        return SummativeFact(sid, 1, 1, 7, kind, due, 0, None)

    def mark(day: date, linked: int | None = None, kind: str = "section") -> SummativeMark:
        return SummativeMark(1, 1, kind, day, linked, datetime(2025, day.month, day.day, 10, tzinfo=UTC), 9)

    a, b = summative(1, date(2025, 10, 1)), summative(2, date(2025, 10, 20))
    facts = attach_results([a, b], [
        mark(date(2025, 9, 28)),  # a week before A: A's
        mark(date(2025, 10, 3)),  # after A, before B's week: A's, late
        mark(date(2025, 10, 18)),  # in both windows: the next one due, B
        mark(date(2025, 10, 25), linked=1),  # linked: A's whatever the date
        mark(date(2025, 9, 10)),  # too early for any
        mark(date(2025, 10, 18), kind="term"),  # another kind
    ], early_days=7)
    assert [(f.id, f.results, f.teacher_id) for f in facts] == [(1, 3, 9), (2, 1, 9)]
    assert facts[0].last_entry_at == datetime(2025, 10, 25, 10, tzinfo=UTC)


def test_pure_rules():
    assert round_half_up(6.25) == 6.3 and Share(6553, 9729).percent == 67.4 and Share(0, 0).percent is None
    fact = SummativeFact(1, 1, 1, None, "term", date(2025, 9, 5), 0, None)
    assert summative_state(fact, date(2025, 9, 5), TASHKENT) is SummativeState.UPCOMING  # due today: not late yet
    assert summative_state(fact, date(2025, 9, 6), TASHKENT) is SummativeState.MISSING
    slot = TimetableSlot(1, 1, 7, weekday=0, period=1)
    held = LessonFact(1, 2, 8, date(2025, 9, 1), 1, None, True)  # a substitute: same class, date and period
    outcomes = lesson_outcomes([held], [slot], start=date(2025, 9, 1), end=date(2025, 9, 8), holidays=[],
                               tz=TASHKENT, needs_grades=lambda _c, _d: True)
    assert sorted((o.lesson_date.day, o.teacher_id, o.held) for o in outcomes) == [(1, 8, True), (8, 7, False)]


def test_figures_in_the_readers_language():
    from bot.i18n import create_i18n

    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("ru"):
        assert rs.num(6553) == "6\xa0553" and rs.pct(67.4) == "67,4 %" and rs.pct(100) == "100,0 %"
        text = rs.share_text(Share(6553, 9729))
        assert "6\xa0553" in text and "9\xa0729" in text and "67,4 %" in text
    with i18n.context(), i18n.use_locale("uz"):
        assert rs.pct(67.4) == "67,4 %"
