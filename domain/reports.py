"""The administration's reports as numbers: the school's terms and journal quality. Plain data in, numbers
out; wording and number formatting live in bot/. Certification (plan and fact) is in domain/certification.py,
the decree 263 criterion in domain/decree_263.py, the term sheet in domain/term_sheet.py; their names are
re-exported here for the callers that knew one module.

Definitions (the "how each figure was reached" shown to the head follows them):
- a lesson counts once per class, date and period: the timetable's slots on school days (holidays left
  out) up to the cut-off day, plus lessons held outside the timetable. Attendance "on the day" means it
  was taken on the lesson's date in the school's time zone; grades are expected only where the class gets
  marks.
- a section/term summative is due when its due date has passed; it was entered on time when its results
  exist and the last of them was saved on or before the due date (school time zone).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from domain.certification import (
    AreaLevel,
    CertificationCounts,
    GroupRow,
    SchoolCertification,
    TeacherStatus,
    certification_counts,
    group_certification,
    group_level,
    not_started,
    with_plan,
)
from domain.shares import Share, round_half_up

__all__ = [
    "AreaLevel", "CertificationCounts", "GroupRow", "JournalQuality", "JournalTally", "LessonFact", "LessonOutcome",
    "SchoolCertification", "Share", "SummativeFact", "SummativeMark", "SummativeState", "TeacherStatus", "TermSpan",
    "TimetableSlot", "attach_results", "certification_counts", "current_term", "group_certification",
    "group_level", "in_holidays", "journal_quality", "lesson_outcomes", "not_started", "round_half_up",
    "summative_state", "with_plan",
]

K = TypeVar("K", bound=Hashable)


# --- terms --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermSpan:
    id: int
    school_year: str
    number: int
    starts_on: date
    ends_on: date

    @property
    def period_key(self) -> str:
        """The key of its grades in term_grades, e.g. "2025-2026/T2"."""
        return f"{self.school_year}/T{self.number}"


def current_term(terms: Sequence[TermSpan], today: date) -> TermSpan | None:
    """The term that contains `today`, else the last one that ended before it, else the first one."""
    ordered = sorted(terms, key=lambda t: t.starts_on)
    for term in ordered:
        if term.starts_on <= today <= term.ends_on:
            return term
    past = [t for t in ordered if t.ends_on < today]
    if past:
        return past[-1]
    return ordered[0] if ordered else None


# --- journal quality ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimetableSlot:
    class_id: int
    subject_id: int
    teacher_id: int | None
    weekday: int  # 0 = Monday
    period: int


@dataclass(frozen=True)
class LessonFact:
    """A lesson written into the journal."""

    class_id: int
    subject_id: int
    teacher_id: int | None
    lesson_date: date
    period: int
    attendance_taken_at: datetime | None  # aware UTC
    has_grade: bool


@dataclass(frozen=True)
class LessonOutcome:
    class_id: int
    subject_id: int
    teacher_id: int | None
    lesson_date: date
    held: bool
    attendance_on_day: bool
    needs_grades: bool
    has_grade: bool


def in_holidays(day: date, holidays: Sequence[tuple[date, date]]) -> bool:
    return any(start <= day <= end for start, end in holidays)


def lesson_outcomes(facts: Iterable[LessonFact], timetable: Iterable[TimetableSlot], *, start: date, end: date,
                    holidays: Sequence[tuple[date, date]], tz: ZoneInfo,
                    needs_grades: Callable[[int, date], bool]) -> list[LessonOutcome]:
    """Every lesson between `start` and `end` (inclusive) that should be in the journal, and what it has.

    `needs_grades(class_id, day)` says whether the class gets marks that day.
    """
    held = {(fact.class_id, fact.lesson_date, fact.period): fact for fact in facts
            if start <= fact.lesson_date <= end}
    outcomes = _missing_lessons(held, timetable, start, end, holidays, needs_grades)
    outcomes += [_held_outcome(fact, tz, needs_grades) for fact in held.values()]
    return outcomes


def _missing_lessons(held: dict[tuple[int, date, int], LessonFact], timetable: Iterable[TimetableSlot],
                     start: date, end: date, holidays: Sequence[tuple[date, date]],
                     needs_grades: Callable[[int, date], bool]) -> list[LessonOutcome]:
    """The timetable's lessons on the days outside holidays that the journal does not have."""
    by_weekday: dict[int, list[TimetableSlot]] = defaultdict(list)
    for slot in timetable:
        by_weekday[slot.weekday].append(slot)
    outcomes: list[LessonOutcome] = []
    day = start
    while day <= end:
        if not in_holidays(day, holidays):
            outcomes += [LessonOutcome(slot.class_id, slot.subject_id, slot.teacher_id, day, held=False,
                                       attendance_on_day=False, needs_grades=needs_grades(slot.class_id, day),
                                       has_grade=False)
                         for slot in by_weekday.get(day.weekday(), ()) if (slot.class_id, day, slot.period) not in held]
        day += timedelta(days=1)
    return outcomes


def _held_outcome(fact: LessonFact, tz: ZoneInfo, needs_grades: Callable[[int, date], bool]) -> LessonOutcome:
    """A lesson in the journal: whether attendance was taken on its day (in the school's time zone)."""
    on_day = (fact.attendance_taken_at is not None
              and fact.attendance_taken_at.astimezone(tz).date() == fact.lesson_date)
    return LessonOutcome(fact.class_id, fact.subject_id, fact.teacher_id, fact.lesson_date, held=True,
                         attendance_on_day=on_day, needs_grades=needs_grades(fact.class_id, fact.lesson_date),
                         has_grade=fact.has_grade)


class SummativeState(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class SummativeFact:
    id: int
    class_id: int
    subject_id: int
    teacher_id: int | None
    kind: str  # section (BSB), term (ChSB)
    due_on: date
    results: int  # graded marks recorded for it
    last_entry_at: datetime | None  # aware UTC: when the last result was saved


@dataclass(frozen=True)
class SummativeMark:
    """A graded section/term mark of a class and subject: linked to its summative, or not (the phone journal
    marks the kind only)."""

    class_id: int
    subject_id: int
    kind: str
    lesson_date: date
    linked_id: int | None
    saved_at: datetime | None  # aware UTC
    teacher_id: int | None


def attach_results(summatives: Sequence[SummativeFact], marks: Iterable[SummativeMark],
                   early_days: int) -> list[SummativeFact]:
    """Each summative with its results: marks linked to it, and unlinked marks of its kind, class and subject
    on a lesson from `early_days` before its due date (the reminders' rule). An unlinked mark that could be
    several summatives' goes to the first one due on or after its lesson, else to the last one before it.
    The teacher becomes the one who entered the results."""
    found = _results_by_summative(summatives, marks, early_days)
    return [_with_results(s, found.get(s.id, [])) for s in summatives]


def _results_by_summative(summatives: Sequence[SummativeFact], marks: Iterable[SummativeMark],
                          early_days: int) -> dict[int, list[SummativeMark]]:
    """The marks each summative got (see attach_results), by summative id."""
    ids = {s.id for s in summatives}
    by_group: dict[tuple[int, int, str], list[SummativeFact]] = defaultdict(list)
    for s in summatives:
        by_group[(s.class_id, s.subject_id, s.kind)].append(s)
    for group in by_group.values():
        group.sort(key=lambda s: (s.due_on, s.id))
    found: dict[int, list[SummativeMark]] = defaultdict(list)
    for mark in marks:
        if mark.linked_id is not None:
            target = mark.linked_id if mark.linked_id in ids else None
        else:
            target = _unlinked_target(mark, by_group.get((mark.class_id, mark.subject_id, mark.kind), ()), early_days)
        if target is not None:
            found[target].append(mark)
    return found


def _unlinked_target(mark: SummativeMark, group: Sequence[SummativeFact], early_days: int) -> int | None:
    """The id of the summative an unlinked mark counts for: of those it is not too early for, the first due on
    or after its lesson, else the last one before it; None if there is none."""
    eligible = [s for s in group if mark.lesson_date >= s.due_on - timedelta(days=early_days)]
    if not eligible:
        return None
    upcoming = [s for s in eligible if s.due_on >= mark.lesson_date]
    return (upcoming[0] if upcoming else eligible[-1]).id


def _with_results(summative: SummativeFact, got: list[SummativeMark]) -> SummativeFact:
    """The summative with its result count, when the last was saved and who entered them (else its teacher)."""
    saved = [m.saved_at for m in got if m.saved_at is not None]
    teacher = next((m.teacher_id for m in got if m.teacher_id is not None), summative.teacher_id)
    return replace(summative, teacher_id=teacher, results=len(got), last_entry_at=max(saved) if saved else None)


def summative_state(fact: SummativeFact, today: date, tz: ZoneInfo) -> SummativeState:
    if fact.results:
        entered_on = fact.last_entry_at.astimezone(tz).date() if fact.last_entry_at else fact.due_on
        return SummativeState.ON_TIME if entered_on <= fact.due_on else SummativeState.LATE
    return SummativeState.MISSING if fact.due_on < today else SummativeState.UPCOMING


@dataclass
class JournalTally:
    lessons: int = 0
    held: int = 0
    attendance_on_day: int = 0
    needs_grades: int = 0
    with_grades: int = 0
    summatives_due: int = 0  # due or already entered
    summatives_on_time: int = 0
    summatives_entered: int = 0  # results entered at any time: the materials were used

    def add_lesson(self, lesson: LessonOutcome) -> None:
        self.lessons += 1
        self.held += lesson.held
        self.attendance_on_day += lesson.attendance_on_day
        if lesson.needs_grades:
            self.needs_grades += 1
            self.with_grades += lesson.has_grade

    def add_summative(self, state: SummativeState) -> None:
        if state is SummativeState.UPCOMING:
            return
        self.summatives_due += 1
        self.summatives_on_time += state is SummativeState.ON_TIME
        self.summatives_entered += state is not SummativeState.MISSING

    @property
    def attendance_share(self) -> Share:
        return Share(self.attendance_on_day, self.lessons)

    @property
    def grades_share(self) -> Share:
        return Share(self.with_grades, self.needs_grades)

    @property
    def summatives_share(self) -> Share:
        return Share(self.summatives_on_time, self.summatives_due)

    @property
    def materials_share(self) -> Share:
        return Share(self.summatives_entered, self.summatives_due)


@dataclass
class JournalQuality:
    total: JournalTally = field(default_factory=JournalTally)
    by_teacher: dict[int | None, JournalTally] = field(default_factory=dict)
    by_class: dict[int, JournalTally] = field(default_factory=dict)
    by_week: dict[date, JournalTally] = field(default_factory=dict)  # keyed by the week's Monday
    summatives: dict[SummativeState, int] = field(default_factory=dict)


def _tally(table: dict[K, JournalTally], key: K) -> JournalTally:
    tally = table.get(key)
    if tally is None:
        tally = table[key] = JournalTally()
    return tally


def journal_quality(lessons: Iterable[LessonOutcome], summatives: Iterable[SummativeFact], *, today: date,
                    tz: ZoneInfo) -> JournalQuality:
    report = JournalQuality()
    for lesson in lessons:
        report.total.add_lesson(lesson)
        _tally(report.by_teacher, lesson.teacher_id).add_lesson(lesson)
        _tally(report.by_class, lesson.class_id).add_lesson(lesson)
        monday = lesson.lesson_date - timedelta(days=lesson.lesson_date.weekday())
        _tally(report.by_week, monday).add_lesson(lesson)
    for fact in summatives:
        state = summative_state(fact, today, tz)
        report.summatives[state] = report.summatives.get(state, 0) + 1
        report.total.add_summative(state)
        _tally(report.by_teacher, fact.teacher_id).add_summative(state)
        _tally(report.by_class, fact.class_id).add_summative(state)
    report.by_week = dict(sorted(report.by_week.items()))
    return report
