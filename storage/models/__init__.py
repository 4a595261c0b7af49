"""SQLAlchemy models: the schema of schools, the journal, the course, exams and reminders.

One module per part of the schema; every model is re-exported here, so `from storage.models import X` works and
`Base.metadata` (what Alembic compares against) holds every table once this package is imported.
"""

from storage.models.base import NAMING, Base, BigId, UTCDateTime
from storage.models.journal import JournalChange, JournalLesson, JournalMark, Summative, TermGrade
from storage.models.learning import (
    Certificate,
    CourseProgress,
    ExamAnswer,
    ExamAttempt,
    LessonProgress,
    QuizRun,
)
from storage.models.messaging import Outbox, ReminderSetting
from storage.models.people import GuardianContact, InviteCode, ParentLink, Staff, Supervisor, User
from storage.models.schools import (
    AreaPlan,
    Holiday,
    School,
    SchoolClass,
    Student,
    Subject,
    Term,
    TimetableLesson,
)

__all__ = [
    "NAMING",
    "AreaPlan",
    "Base",
    "BigId",
    "Certificate",
    "CourseProgress",
    "ExamAnswer",
    "ExamAttempt",
    "GuardianContact",
    "Holiday",
    "InviteCode",
    "JournalChange",
    "JournalLesson",
    "JournalMark",
    "LessonProgress",
    "Outbox",
    "ParentLink",
    "QuizRun",
    "ReminderSetting",
    "School",
    "SchoolClass",
    "Staff",
    "Student",
    "Subject",
    "Summative",
    "Supervisor",
    "Term",
    "TermGrade",
    "TimetableLesson",
    "UTCDateTime",
    "User",
]
