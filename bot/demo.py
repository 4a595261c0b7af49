"""Demo data: one sample school with classes, staff, students, parents' phones, a timetable and a term of
grades and attendance, so a newcomer (and the console chat) sees everything working."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from domain.countries import local_day
from storage.db import create_engine, migrate, session_factory
from storage.models.journal import JournalLesson, JournalMark, Summative
from storage.models.people import GuardianContact, Staff
from storage.models.schools import Holiday, School, SchoolClass, Student, Subject, Term, TimetableLesson
from usecases.clock import SYSTEM_CLOCK, Clock

log = logging.getLogger(__name__)

DEMO_EXTERNAL_ID = "demo-school-1"
DEMO_TIME_ZONE = "Asia/Tashkent"

FIRST_NAMES = ["Aziz", "Dilnoza", "Jasur", "Madina", "Otabek", "Sevara", "Bekzod", "Nilufar", "Sardor", "Gulnora",
               "Temur", "Zarina", "Shahzod", "Malika", "Javohir", "Kamola"]
SURNAMES = ["Karimov", "Rahimova", "Tursunov", "Yusupova", "Aliyev", "Xolmatova", "Nazarov", "Qodirova",
            "Ergashev", "Sobirova", "Ismoilov", "Gʻulomova"]
SUBJECTS = ["Matematika", "Ona tili", "Ingliz tili", "Tarix", "Biologiya"]


@dataclass
class DemoSchool:
    school_id: int
    class_ids: list[int] = field(default_factory=list)
    head_phone: str = "998901000001"
    teacher_phone: str = "998901000002"
    class_teacher_phone: str = "998901000003"
    parent_phone: str = "998907000001"
    student_ids: list[int] = field(default_factory=list)


def school_year_of(day: date) -> tuple[int, int]:
    start = day.year if day.month >= 9 else day.year - 1
    return start, start + 1


def uzbek_terms(start_year: int) -> list[tuple[date, date]]:
    """Quarters of an Uzbek school year (2 Sep – 25 May, with the usual breaks)."""
    y0, y1 = start_year, start_year + 1
    return [(date(y0, 9, 2), date(y0, 11, 3)), (date(y0, 11, 11), date(y0, 12, 27)),
            (date(y1, 1, 11), date(y1, 3, 20)), (date(y1, 3, 30), date(y1, 5, 25))]


async def seed_demo(session: AsyncSession, *, today: date | None = None, seed: int = 7,
                    clock: Clock = SYSTEM_CLOCK) -> DemoSchool:
    """Create the demo school (idempotent: an existing demo school is returned as it is): its journal runs up to
    `today` (by default the clock's day at the school, Tashkent: in the evening UTC's date lags behind); marks
    are stamped with the clock's now."""
    existing = await session.scalar(select(School).where(School.external_id == DEMO_EXTERNAL_ID))
    if existing is not None:
        return await _existing_demo(session, existing)
    now = clock.now()
    today = today or local_day(DEMO_TIME_ZONE, now)
    school = await _add_school(session)
    demo = DemoSchool(school_id=school.id)
    terms = _add_calendar(session, school, school_year_of(today)[0])
    teacher, class_teacher = await _add_staff(session, school, demo)
    subjects, classes = await _add_subjects_and_classes(session, school, teacher, class_teacher)
    demo.class_ids = [c.id for c in classes]
    students = await _add_students(session, school, classes)
    demo.student_ids = [s.id for group in students.values() for s in group]
    _add_parent(session, demo, classes, students)
    timetable = await _add_timetable(session, school, classes, subjects, (teacher.id, class_teacher.id))
    term = next((t for t in terms if t.starts_on <= today <= t.ends_on), terms[0])
    await _add_journal(session, school, term, today, timetable, students, random.Random(seed), now)
    _add_summatives(session, school, term, today, classes, subjects)
    await session.flush()
    return demo


async def _add_school(session: AsyncSession) -> School:
    school = School(name="Toshkent shahar 110-maktab", country="UZ", timezone=DEMO_TIME_ZONE, region="Toshkent shahri",
                    district="Yunusobod tumani", external_id=DEMO_EXTERNAL_ID)
    session.add(school)
    await session.flush()
    return school


async def _add_subjects_and_classes(session: AsyncSession, school: School, teacher: Staff,
                                    class_teacher: Staff) -> tuple[list[Subject], list[SchoolClass]]:
    """The subjects, and two classes: 5-A led by the class teacher, 7-B by the teacher."""
    subjects = [Subject(school_id=school.id, name=name) for name in SUBJECTS]
    session.add_all(subjects)
    classes = [SchoolClass(school_id=school.id, name="5-A", grade=5, class_teacher_id=class_teacher.id),
               SchoolClass(school_id=school.id, name="7-B", grade=7, class_teacher_id=teacher.id)]
    session.add_all(classes)
    await session.flush()
    return subjects, classes


def _add_parent(session: AsyncSession, demo: DemoSchool, classes: list[SchoolClass],
                students: dict[int, list[Student]]) -> None:
    """The demo parent's phone on one child in each class."""
    session.add_all([GuardianContact(student_id=students[c.id][0].id, phone=demo.parent_phone, name="Ota-ona")
                     for c in classes])


async def _existing_demo(session: AsyncSession, school: School) -> DemoSchool:
    class_ids = list(await session.scalars(select(SchoolClass.id).where(SchoolClass.school_id == school.id)))
    student_ids = list(await session.scalars(select(Student.id).where(Student.school_id == school.id)))
    return DemoSchool(school_id=school.id, class_ids=class_ids, student_ids=student_ids)


def _add_calendar(session: AsyncSession, school: School, start_year: int) -> list[Term]:
    """The school year's four quarters and two breaks."""
    year_label = f"{start_year}-{start_year + 1}"
    terms = [Term(school_id=school.id, school_year=year_label, number=number, starts_on=starts, ends_on=ends)
             for number, (starts, ends) in enumerate(uzbek_terms(start_year), start=1)]
    session.add_all(terms)
    session.add_all([
        Holiday(school_id=school.id, starts_on=date(start_year, 11, 4), ends_on=date(start_year, 11, 10),
                name="Kuzgi taʼtil"),
        Holiday(school_id=school.id, starts_on=date(start_year, 12, 28), ends_on=date(start_year + 1, 1, 10),
                name="Qishki taʼtil"),
    ])
    return terms


async def _add_staff(session: AsyncSession, school: School, demo: DemoSchool) -> tuple[Staff, Staff]:
    """Head, deputy and two teachers; the two teachers."""
    head = Staff(school_id=school.id, full_name="Abdullayeva Mohira Shavkatovna", phone=demo.head_phone,
                 position="head")
    deputy = Staff(school_id=school.id, full_name="Saidov Rustam Akmalovich", phone="998901000004",
                   position="deputy")
    teacher = Staff(school_id=school.id, full_name="Karimova Dilnoza Rustamovna", phone=demo.teacher_phone,
                    position="teacher")
    class_teacher = Staff(school_id=school.id, full_name="Tursunov Jasur Baxtiyorovich",
                          phone=demo.class_teacher_phone, position="teacher")
    session.add_all([head, deputy, teacher, class_teacher])
    await session.flush()
    return teacher, class_teacher


async def _add_students(session: AsyncSession, school: School,
                        classes: list[SchoolClass]) -> dict[int, list[Student]]:
    """Twelve pupils a class, by class id."""
    students: dict[int, list[Student]] = {}
    for klass in classes:
        students[klass.id] = []
        for i in range(12):
            surname = SURNAMES[(i + klass.id) % len(SURNAMES)]
            first = FIRST_NAMES[(i * 3 + klass.id) % len(FIRST_NAMES)]
            student = Student(school_id=school.id, class_id=klass.id, full_name=f"{surname} {first}")
            session.add(student)
            students[klass.id].append(student)
    await session.flush()
    return students


async def _add_timetable(session: AsyncSession, school: School, classes: list[SchoolClass],
                         subjects: list[Subject], teacher_ids: tuple[int, int]) -> list[TimetableLesson]:
    """Three lessons a day, Monday to Friday; the two teachers swap classes each period (nobody teaches two
    classes at once)."""
    for index, klass in enumerate(classes):
        for weekday in range(5):
            for period in range(1, 4):
                subject = subjects[(weekday + period + klass.id) % len(subjects)]
                teacher_id = teacher_ids[0] if (period + weekday + index) % 2 == 0 else teacher_ids[1]
                session.add(TimetableLesson(school_id=school.id, class_id=klass.id, subject_id=subject.id,
                                            teacher_id=teacher_id, weekday=weekday, period=period,
                                            starts_at=time(8 + period, 0)))
    await session.flush()
    return list(await session.scalars(select(TimetableLesson).where(TimetableLesson.school_id == school.id)))


async def _add_journal(session: AsyncSession, school: School, term: Term, today: date,
                       timetable: list[TimetableLesson], students: dict[int, list[Student]], rng: random.Random,
                       now: datetime) -> None:
    """Every school day of the term up to yesterday (today is left for the teacher), entered on the day in the
    afternoon (school time): what the journal-quality report counts."""
    day = term.starts_on
    while day < today and day <= term.ends_on:
        if day.weekday() < 5:
            taken = datetime.combine(day, time(14, 0), tzinfo=ZoneInfo(school.timezone)).astimezone(UTC)
            for slot in (t for t in timetable if t.weekday == day.weekday()):
                lesson = JournalLesson(school_id=school.id, class_id=slot.class_id, subject_id=slot.subject_id,
                                       teacher_id=slot.teacher_id, lesson_date=day, period=slot.period,
                                       topic=f"Mavzu {day.isoformat()}", homework=f"§{rng.randint(1, 40)}, "
                                       f"{rng.randint(1, 12)}-mashq", attendance_taken_at=taken, updated_at=taken)
                session.add(lesson)
                await session.flush()
                session.add_all([_demo_mark(lesson, student, rng, now) for student in students[slot.class_id]])
        day += timedelta(days=1)


def _demo_mark(lesson: JournalLesson, student: Student, rng: random.Random, now: datetime) -> JournalMark:
    """Mostly present, a grade for three in ten; sick pupils are absent with a reason (🤒, "excused"), a few
    are absent without one or late."""
    roll = rng.random()
    attendance = "excused" if roll < 0.04 else "absent" if roll < 0.05 else "late" if roll < 0.08 else "present"
    absent = attendance in ("absent", "excused")
    grade = rng.choice([3, 4, 4, 5, 5]) if not absent and rng.random() < 0.3 else None
    return JournalMark(lesson_id=lesson.id, student_id=student.id, attendance=attendance,
                       reason="illness" if attendance == "excused" else None, grade=grade, updated_at=now)


def _add_summatives(session: AsyncSession, school: School, term: Term, today: date, classes: list[SchoolClass],
                    subjects: list[Subject]) -> None:
    """A section summative in three days and the term summative five days before the term ends."""
    for klass in classes:
        for subject in subjects[:3]:
            session.add(Summative(school_id=school.id, class_id=klass.id, subject_id=subject.id, term_id=term.id,
                                  kind="section", title="BSB 1", due_on=min(today + timedelta(days=3), term.ends_on)))
            session.add(Summative(school_id=school.id, class_id=klass.id, subject_id=subject.id, term_id=term.id,
                                  kind="term", title="ChSB", due_on=term.ends_on - timedelta(days=5)))


async def remove_demo(session: AsyncSession) -> None:
    await session.execute(delete(School).where(School.external_id == DEMO_EXTERNAL_ID))


async def run_demo(settings: Settings, *, reset: bool = False, clock: Clock = SYSTEM_CLOCK) -> int:
    engine = create_engine(settings.database_url)
    await migrate(engine)
    async with session_factory(engine)() as session:
        if reset:
            await remove_demo(session)
        demo = await seed_demo(session, clock=clock)
        await session.commit()
    await engine.dispose()
    print(f"Demo school ready (id {demo.school_id}) in {settings.database_url}.\n"
          f"Share these phone numbers in the bot to log in as: head {demo.head_phone}, teacher {demo.teacher_phone}, "
          f"class teacher {demo.class_teacher_phone}, parent {demo.parent_phone}.")
    return 0
