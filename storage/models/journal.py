"""The class journal: held lessons, marks, the edit history, summatives and term grades."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, UTCDateTime


class JournalLesson(Base):
    """One held lesson on a date: topic and homework; marks hang off it."""

    __tablename__ = "journal_lessons"
    __table_args__ = (
        UniqueConstraint("class_id", "subject_id", "lesson_date", "period"),
        Index("ix_journal_lessons_teacher_date", "teacher_id", "lesson_date"),
        Index("ix_journal_lessons_class_date", "class_id", "lesson_date"),
        Index("ix_journal_lessons_school_updated", "school_id", "updated_at"),
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
