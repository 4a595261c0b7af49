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
from storage.db import create_engine, migrate, session_factory
from storage.models import (
    GuardianContact,
    Holiday,
    JournalLesson,
    JournalMark,
    School,
    SchoolClass,
    Staff,
    Student,
    Subject,
    Summative,
    Term,
    TimetableLesson,
)
from usecases.clock import SYSTEM_CLOCK, Clock

log = logging.getLogger(__name__)

DEMO_EXTERNAL_ID = "demo-school-1"

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
    `today` (the clock's day in UTC by default); marks are stamped with the clock's now."""
    existing = await session.scalar(select(School).where(School.external_id == DEMO_EXTERNAL_ID))
    if existing is not None:
        class_ids = list(await session.scalars(select(SchoolClass.id).where(SchoolClass.school_id == existing.id)))
        student_ids = list(await session.scalars(select(Student.id).where(Student.school_id == existing.id)))
        return DemoSchool(school_id=existing.id, class_ids=class_ids, student_ids=student_ids)
    rng = random.Random(seed)
    now = clock.now()
    today = today or now.date()
    school = School(name="Toshkent shahar 110-maktab", country="UZ", timezone="Asia/Tashkent", region="Toshkent shahri",
                    district="Yunusobod tumani", external_id=DEMO_EXTERNAL_ID)
    session.add(school)
    await session.flush()
    demo = DemoSchool(school_id=school.id)
    start_year = school_year_of(today)[0]
    year_label = f"{start_year}-{start_year + 1}"
    terms = []
    for number, (starts, ends) in enumerate(uzbek_terms(start_year), start=1):
        term = Term(school_id=school.id, school_year=year_label, number=number, starts_on=starts, ends_on=ends)
        session.add(term)
        terms.append(term)
    session.add_all([
        Holiday(school_id=school.id, starts_on=date(start_year, 11, 4), ends_on=date(start_year, 11, 10),
                name="Kuzgi taʼtil"),
        Holiday(school_id=school.id, starts_on=date(start_year, 12, 28), ends_on=date(start_year + 1, 1, 10),
                name="Qishki taʼtil"),
    ])
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
    subjects = [Subject(school_id=school.id, name=name) for name in SUBJECTS]
    session.add_all(subjects)
    classes = [SchoolClass(school_id=school.id, name="5-A", grade=5, class_teacher_id=class_teacher.id),
               SchoolClass(school_id=school.id, name="7-B", grade=7, class_teacher_id=teacher.id)]
    session.add_all(classes)
    await session.flush()
    demo.class_ids = [c.id for c in classes]
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
    demo.student_ids = [s.id for group in students.values() for s in group]
    # The demo parent has one child in each class.
    session.add_all([GuardianContact(student_id=students[c.id][0].id, phone=demo.parent_phone, name="Ota-ona")
                     for c in classes])
    # Timetable: five lessons a day, teachers alternate.
    for index, klass in enumerate(classes):
        for weekday in range(5):
            for period in range(1, 4):
                subject = subjects[(weekday + period + klass.id) % len(subjects)]
                # The two teachers swap classes each period: nobody teaches two classes at once.
                teacher_id = teacher.id if (period + weekday + index) % 2 == 0 else class_teacher.id
                session.add(TimetableLesson(school_id=school.id, class_id=klass.id, subject_id=subject.id,
                                            teacher_id=teacher_id, weekday=weekday, period=period,
                                            starts_at=time(8 + period, 0)))
    await session.flush()
    timetable = list(await session.scalars(select(TimetableLesson).where(TimetableLesson.school_id == school.id)))
    # Journal: every school day of the current term up to yesterday (today is left for the teacher).
    term = next((t for t in terms if t.starts_on <= today <= t.ends_on), terms[0])
    day = term.starts_on
    while day < today and day <= term.ends_on:
        if day.weekday() < 5:
            # Entered on the day, in the afternoon (school time): what the journal-quality report counts.
            taken = datetime.combine(day, time(14, 0), tzinfo=ZoneInfo(school.timezone)).astimezone(UTC)
            for slot in (t for t in timetable if t.weekday == day.weekday()):
                lesson = JournalLesson(school_id=school.id, class_id=slot.class_id, subject_id=slot.subject_id,
                                       teacher_id=slot.teacher_id, lesson_date=day, period=slot.period,
                                       topic=f"Mavzu {day.isoformat()}", homework=f"§{rng.randint(1, 40)}, "
                                       f"{rng.randint(1, 12)}-mashq", attendance_taken_at=taken, updated_at=taken)
                session.add(lesson)
                await session.flush()
                for student in students[slot.class_id]:
                    roll = rng.random()
                    # Sick pupils are absent with a reason (🤒, "excused"); a few are absent without one.
                    attendance = "excused" if roll < 0.04 else "absent" if roll < 0.05 else \
                        "late" if roll < 0.08 else "present"
                    absent = attendance in ("absent", "excused")
                    grade = rng.choice([3, 4, 4, 5, 5]) if not absent and rng.random() < 0.3 else None
                    session.add(JournalMark(lesson_id=lesson.id, student_id=student.id, attendance=attendance,
                                            reason="illness" if attendance == "excused" else None, grade=grade,
                                            updated_at=now))
        day += timedelta(days=1)
    for klass in classes:
        for subject in subjects[:3]:
            session.add(Summative(school_id=school.id, class_id=klass.id, subject_id=subject.id, term_id=term.id,
                                  kind="section", title="BSB 1", due_on=min(today + timedelta(days=3), term.ends_on)))
            session.add(Summative(school_id=school.id, class_id=klass.id, subject_id=subject.id, term_id=term.id,
                                  kind="term", title="ChSB", due_on=term.ends_on - timedelta(days=5)))
    await session.flush()
    return demo


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
