"""SQLAlchemy models: the schema of schools, the journal, the course, exams and reminders.

Column types stay portable between SQLite and PostgreSQL (no dialect-only types).
Telegram ids need 64 bits: BigInteger everywhere a user id is stored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite only auto-increments INTEGER PRIMARY KEY; BigInteger keys elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A Telegram user of the bot. `id` is the Telegram user id (also their private chat id)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    #: The role whose menu the user sees: teacher, class_teacher, parent, admin.
    role: Mapped[str | None] = mapped_column(String(16))
    tg_name: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    #: The name the user confirmed for documents (certificates); never the Telegram nickname.
    full_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the user last used the bot (updated at most once an hour): the parents' usage report reads it.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: For a teacher who picked their school themselves (not from a roster).
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="SET NULL"))


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: ISO 3166 alpha-2: UZ, KG, KZ.
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The certification plan: pedagogical staff to certify (seed 002); None means the staff count.
    teachers_planned: Mapped[int | None] = mapped_column(Integer)


class AreaPlan(Base):
    """A certification plan set for a region (district "") or a district: seed 002 compares plan and fact
    per region, and its plan is a number of its own, not the sum of the staff lists."""

    __tablename__ = "area_plans"
    __table_args__ = (UniqueConstraint("country", "region", "district"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(100), default="", server_default="")
    planned: Mapped[int] = mapped_column(Integer)


class Term(Base):
    """A quarter (or half-year) of a school year with its dates."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("school_id", "school_year", "number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    school_year: Mapped[str] = mapped_column(String(9))  # "2025-2026"
    number: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class Holiday(Base):
    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100), default="")


class Staff(Base):
    """A person working at a school. Class teachers are staff named on a class."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    #: teacher, deputy, head.
    position: Mapped[str] = mapped_column(String(16), default="teacher")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: How the user's link to this row was confirmed: phone, invite, head, grant (roster: before 0005).
    confirmed_via: Mapped[str | None] = mapped_column(String(16))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Supervisor(Base):
    """A district or regional methodist (or a ministry user with neither set): sees schools' reports in
    their area, never pupils' personal data. Granted by an administrator command, never claimed."""

    __tablename__ = "supervisors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))


class SchoolClass(Base):
    __tablename__ = "classes"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    grade: Mapped[int] = mapped_column(Integer)
    class_teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )


class Subject(Base):
    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Student(Base):
    __tablename__ = "students"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))


class GuardianContact(Base):
    """A parent's phone number from the school roster (used to recognise a parent who shares it)."""

    __tablename__ = "guardian_contacts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")


class ParentLink(Base):
    __tablename__ = "parent_links"
    __table_args__ = (UniqueConstraint("user_id", "student_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InviteCode(Base):
    """A one-time code: for a parent (linked to a student) or a staff member. Only the hash is kept."""

    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: A few characters shown in lists so a class teacher can tell codes apart.
    hint: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))  # parent, staff
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TimetableLesson(Base):
    """A weekly slot: class, subject, teacher, weekday (0 = Monday) and period number."""

    __tablename__ = "timetable"
    __table_args__ = (UniqueConstraint("class_id", "weekday", "period"),
                      Index("ix_timetable_school_weekday", "school_id", "weekday"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[time | None] = mapped_column(Time)


class JournalLesson(Base):
    """One held lesson on a date: topic and homework; marks hang off it."""

    __tablename__ = "journal_lessons"
    __table_args__ = (
        UniqueConstraint("class_id", "subject_id", "lesson_date", "period"),
        Index("ix_journal_lessons_teacher_date", "teacher_id", "lesson_date"),
        Index("ix_journal_lessons_class_date", "class_id", "lesson_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    lesson_date: Mapped[date] = mapped_column(Date)
    period: Mapped[int] = mapped_column(Integer, default=1)
    topic: Mapped[str | None] = mapped_column(String(300))
    homework: Mapped[str | None] = mapped_column(Text)
    attendance_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[int | None] = mapped_column(BigInteger)


class JournalMark(Base):
    """A student's attendance and grade for one lesson."""

    __tablename__ = "journal_marks"
    __table_args__ = (
        UniqueConstraint("lesson_id", "student_id"),
        Index("ix_journal_marks_student_lesson", "student_id", "lesson_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("journal_lessons.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    #: present, absent, late
    attendance: Mapped[str] = mapped_column(String(8), default="present")
    reason: Mapped[str | None] = mapped_column(String(20))  # illness, family, other, none
    grade: Mapped[int | None] = mapped_column(Integer)
    #: regular, section (BSB/СОР/БЖБ), term (ChSB/СОЧ/ТЖБ)
    kind: Mapped[str] = mapped_column(String(8), default="regular")
    #: A summative scored as points over a maximum (Kazakhstan's СОР/СОЧ, "17/20"; a bare "85 %" is 85/100);
    #: `grade` then holds the per cent, rounded half up.
    points: Mapped[int | None] = mapped_column(Integer)
    max_points: Mapped[int | None] = mapped_column(Integer)
    summative_id: Mapped[int | None] = mapped_column(ForeignKey("summatives.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[int | None] = mapped_column(BigInteger)


class JournalChange(Base):
    """History of journal edits: who changed what, when."""

    __tablename__ = "journal_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("journal_lessons.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int | None] = mapped_column(BigInteger)
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(300))
    new_value: Mapped[str | None] = mapped_column(String(300))
    changed_by: Mapped[int | None] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Summative(Base):
    """A section or term summative assessment with its due date."""

    __tablename__ = "summatives"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    term_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(8))  # section, term
    title: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date] = mapped_column(Date, index=True)


class TermGrade(Base):
    __tablename__ = "term_grades"
    __table_args__ = (UniqueConstraint("student_id", "subject_id", "period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    #: "2025-2026/T1".."T4", "2025-2026/H1", "2025-2026/Y"
    period: Mapped[str] = mapped_column(String(16))
    grade: Mapped[int] = mapped_column(Integer)


class LessonProgress(Base):
    """A teacher's result on one course lesson's tasks."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "lesson_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(40))
    lesson_no: Mapped[int] = mapped_column(Integer)
    best_percent: Mapped[float] = mapped_column(Float, default=0.0)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CourseProgress(Base):
    """Where a teacher stopped in a course, to resume there."""

    __tablename__ = "course_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[str] = mapped_column(String(40))
    lesson_no: Mapped[int] = mapped_column(Integer, default=1)
    page: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QuizRun(Base):
    """A lesson's tasks being answered (questions in order, answers so far)."""

    __tablename__ = "quiz_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(40))
    lesson_no: Mapped[int] = mapped_column(Integer)
    #: list of [question_index, [option order]]
    plan: Mapped[list] = mapped_column(JSON)
    answers: Mapped[list] = mapped_column(JSON, default=list)
    #: len(answers), kept as a column so a double tap can be refused with a compare-and-set
    answered: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ExamAttempt(Base):
    __tablename__ = "exam_attempts"
    __table_args__ = (
        Index("ix_exam_attempts_open", "status", "deadline_at"),
        # At most one open attempt per teacher and course: a double tap on "Start" cannot open two.
        Index("uq_exam_attempts_one_open", "user_id", "course_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(40))
    #: open, finished, expired
    status: Mapped[str] = mapped_column(String(10), default="open")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    question_count: Mapped[int] = mapped_column(Integer)
    correct_count: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    #: the teacher has been told the result (set when the message went out)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ExamAnswer(Base):
    """One drawn question of an attempt; `chosen` is set once, never changed."""

    __tablename__ = "exam_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    #: "lesson:question" within the course, e.g. "7:2"
    question_key: Mapped[str] = mapped_column(String(16))
    #: shown order of the original options, e.g. "2,0,3,1"
    option_order: Mapped[str] = mapped_column(String(16))
    chosen: Mapped[int | None] = mapped_column(Integer)  # shown position 0..3
    is_correct: Mapped[bool | None] = mapped_column(Boolean)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the shown position of the correct option, so a tap is scored by its one UPDATE (NULL: drawn before 0007)
    correct_shown: Mapped[int | None] = mapped_column(Integer)


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    verify_code: Mapped[str] = mapped_column(String(8), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"), unique=True)
    course_id: Mapped[str] = mapped_column(String(40))
    holder_name: Mapped[str] = mapped_column(String(120))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="SET NULL"), index=True)
    percent: Mapped[float] = mapped_column(Float)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_to_head_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The issuing organisation (CERTIFICATE_ISSUER) when it was issued.
    issuer: Mapped[str | None] = mapped_column(String(200))


class ReminderSetting(Base):
    __tablename__ = "reminder_settings"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    hour: Mapped[int | None] = mapped_column(Integer)
    weekday: Mapped[int | None] = mapped_column(Integer)


class Outbox(Base):
    """Reminders and notices: the key is stored before sending, so nothing goes out twice.

    status: pending -> sending -> sent; failed ones go back to pending with a later `next_try_at`;
    blocked when the user blocked the bot.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_try_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(String(300))
