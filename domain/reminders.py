"""Reminder rules: school-local time, school days, the quiet window, what is missing and what is due.

Pure functions over plain values; the clock (`now`, `today`, a school-local datetime) is always an argument.

Each reminder has a *period*: the day, week, half-month, term or summative stage it is about. The
outbox key is ``kind:recipient:period``, so a reminder is planned at most once per period whatever the
number of planning passes, restarts or bot instances.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from domain.countries import rules_for
from domain.grading import allowed_grades, first_half_end
from domain.journal import MIN_TERM_GRADES
from domain.roles import Role

#: Monday..Friday: a school day unless the school's timetable also has lessons on Saturday (or Sunday).
WORK_WEEK = frozenset(range(5))
#: Days before a summative's due date when its teachers are reminded (default; settings may change it).
SUMMATIVE_LEAD_DAYS = (3, 1)
#: Days after the due date when missing results are reminded: once from day 1, once more from day 7.
SUMMATIVE_OVERDUE_DAYS = (1, 7)
#: No overdue reminders after this many days: the summative is history.
SUMMATIVE_MAX_OVERDUE = 14
#: Summative marks (kind section/term) not linked to a summative count as its results when the lesson is
#: at most this many days before the due date (a teacher may enter results a little early).
SUMMATIVE_EARLY_RESULTS_DAYS = 7
#: The term's end is announced once, the first school day within this many days of it.
TERM_END_LEAD_DAYS = 7


# --- time -------------------------------------------------------------------------------------------------


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(now: datetime, timezone: str) -> datetime:
    """`now` (aware) in the school's time zone."""
    return now.astimezone(zone(timezone))


@dataclass(frozen=True)
class QuietWindow:
    """Hours when nothing is sent: from `start` o'clock to `end` o'clock (school-local, may wrap midnight)."""

    start: int = 21
    end: int = 8

    def contains(self, hour: int) -> bool:
        if self.start == self.end:
            return False
        if self.start > self.end:
            return hour >= self.start or hour < self.end
        return self.start <= hour < self.end

    def allowed_hours(self) -> list[int]:
        return [h for h in range(24) if not self.contains(h)]

    def resume_at(self, local: datetime) -> datetime | None:
        """The first school-local moment after the window if `local` is inside it, else None."""
        if not self.contains(local.hour):
            return None
        day = local.date()
        if self.start > self.end and local.hour >= self.start:
            day += timedelta(days=1)
        return datetime.combine(day, time(self.end), tzinfo=local.tzinfo)


# --- the school calendar ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermSpan:
    id: int
    number: int
    school_year: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class SchoolCalendar:
    """Terms, holidays and the weekdays with lessons of one school."""

    terms: tuple[TermSpan, ...] = ()
    holidays: tuple[tuple[date, date], ...] = ()
    weekdays: frozenset[int] = WORK_WEEK

    def term_on(self, day: date) -> TermSpan | None:
        return next((t for t in self.terms if t.starts_on <= day <= t.ends_on), None)

    def is_holiday(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.holidays)

    def is_school_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and self.term_on(day) is not None and not self.is_holiday(day)

    def school_days(self, start: date, end: date) -> list[date]:
        """School days from `start` to `end`, both included."""
        days, day = [], start
        while day <= end:
            if self.is_school_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def last_school_day_of_week(self, day: date) -> date | None:
        monday = day - timedelta(days=day.weekday())
        days = self.school_days(monday, monday + timedelta(days=6))
        return days[-1] if days else None

    def first_half_ends(self, day: date) -> date | None:
        """The end of the first half-year of the school year `day` is in (domain.grading's rule)."""
        return first_half_end(((t.number, t.starts_on, t.ends_on) for t in self.terms), day)


def school_weekdays(timetable_weekdays: Iterable[int]) -> frozenset[int]:
    """Monday to Friday, plus any other weekday on which the school's timetable has lessons."""
    return WORK_WEEK | frozenset(timetable_weekdays)


def class_gets_marks(country: str, grade_level: int, day: date, calendar: SchoolCalendar) -> bool:
    """Grades are expected in this class on this day (none in grade 1, nor in grade 2's first half...)."""
    return bool(allowed_grades(country, grade_level, day, calendar.first_half_ends(day)))


# --- lessons left unfilled ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedLesson:
    """A timetable slot on a day, with what the journal holds for it."""

    timetable_id: int
    class_id: int
    subject_id: int
    teacher_id: int | None
    period: int
    grade_level: int
    attendance_taken: bool = False
    graded: bool = False


@dataclass(frozen=True)
class LessonGap:
    lesson: ExpectedLesson
    day: date
    no_attendance: bool
    no_grades: bool


def lesson_gaps(day: date, lessons: Iterable[ExpectedLesson], calendar: SchoolCalendar,
                country: str) -> list[LessonGap]:
    """The day's lessons that lack attendance, or grades where the class gets marks (seed 001: the journal
    is filled on the day of the lesson). Nothing is expected on a weekend, a holiday or outside a term."""
    if not calendar.is_school_day(day):
        return []
    marks: dict[int, bool] = {}
    gaps = []
    for lesson in lessons:
        if lesson.grade_level not in marks:
            marks[lesson.grade_level] = class_gets_marks(country, lesson.grade_level, day, calendar)
        no_grades = marks[lesson.grade_level] and not lesson.graded
        if not lesson.attendance_taken or no_grades:
            gaps.append(LessonGap(lesson, day, not lesson.attendance_taken, no_grades))
    return sorted(gaps, key=lambda g: (g.day, g.lesson.period, g.lesson.class_id))


@dataclass
class GapTally:
    lessons: int = 0
    no_attendance: int = 0
    no_grades: int = 0

    def add(self, gap: LessonGap) -> None:
        self.lessons += 1
        self.no_attendance += gap.no_attendance
        self.no_grades += gap.no_grades


def tally_by(gaps: Iterable[LessonGap], key) -> dict:
    """Gaps counted per `key(gap)`, e.g. per (subject, teacher) for a class teacher's digest."""
    tallies: dict = {}
    for gap in gaps:
        tallies.setdefault(key(gap), GapTally()).add(gap)
    return tallies


def filling_percent(expected: int, unfilled: int) -> float:
    return 100.0 if expected == 0 else round(100.0 * (expected - unfilled) / expected, 1)


# --- summatives and the term's end ----------------------------------------------------------------------


def summative_stage(due_on: date, today: date, *, lead_days: Iterable[int] = SUMMATIVE_LEAD_DAYS,
                    overdue_days: Iterable[int] = SUMMATIVE_OVERDUE_DAYS,
                    max_overdue: int = SUMMATIVE_MAX_OVERDUE) -> str | None:
    """The reminder stage a summative is in today, or None.

    "d3" from 3 days before (until the next stage), "d1" the day before, "d0" on the day, "o1" from the
    first day overdue, "o7" from the seventh, none after `max_overdue` days. A stage missed on a weekend is
    still reminded on the next school day, and each stage once (it is part of the outbox key).
    """
    days = (due_on - today).days
    if days > 0:
        for lead in sorted(lead_days):
            if days <= lead:
                return f"d{lead}"
        return None
    if days == 0:
        return "d0"
    late = -days
    if late > max_overdue:
        return None
    for after in sorted(overdue_days, reverse=True):
        if late >= after:
            return f"o{after}"
    return None


def summative_has_results(summative_id: int, due_on: date, marks: Iterable[tuple[date, int | None]],
                          early_days: int = SUMMATIVE_EARLY_RESULTS_DAYS) -> bool:
    """Results are entered when a mark is linked to the summative, or when an unlinked mark of the same kind
    (section/term) for the class and subject sits on a lesson from `early_days` before the due date on.

    `marks`: (lesson date, summative_id) of the class/subject's marks of the summative's kind.
    """
    earliest = due_on - timedelta(days=early_days)
    return any(linked == summative_id or (linked is None and day >= earliest) for day, linked in marks)


def term_end_approaching(term: TermSpan, today: date, lead_days: int = TERM_END_LEAD_DAYS) -> bool:
    return 0 <= (term.ends_on - today).days <= lead_days


def students_short_of_grades(
    students_by_class: Mapping[int, Iterable[int]],
    class_subjects: Iterable[tuple[int, int]],
    grade_counts: Mapping[tuple[int, int], int],
    minimum: int | Mapping[tuple[int, int], int] = MIN_TERM_GRADES,
) -> dict[tuple[int, int], list[int]]:
    """Per (class, subject): the students with fewer than the minimum grades this term (seed 001: a fair term
    grade needs 3–4, by the subject's hours a week). `grade_counts` is keyed by (student, subject); `minimum`
    is one number or one per (class, subject), e.g. from `term_minimums`."""
    short: dict[tuple[int, int], list[int]] = {}
    for class_id, subject_id in class_subjects:
        need = minimum if isinstance(minimum, int) else minimum.get((class_id, subject_id), MIN_TERM_GRADES)
        few = [s for s in students_by_class.get(class_id, ()) if grade_counts.get((s, subject_id), 0) < need]
        if few:
            short[(class_id, subject_id)] = few
    return short


def term_minimums(country_of_class: Mapping[int, str], weekly_hours: Mapping[tuple[int, int], int]
                  ) -> dict[tuple[int, int], int]:
    """Per (class, subject): the fewest marks a fair term mark needs, by the subject's lessons a week and the
    school's country (`domain.countries`, seed 001: 3–4 for a 2-hour subject)."""
    return {(cid, subject): rules_for(country_of_class[cid]).min_marks(hours)
            for (cid, subject), hours in weekly_hours.items() if cid in country_of_class}


def data_check_due(term: TermSpan | None, today: date) -> bool:
    """Class teachers check their pupils' and parents' data at least once a quarter (seed 001): reminded on
    a school day of each term, from its start (once per term: the term is part of the key)."""
    return term is not None and term.starts_on <= today <= term.ends_on


# --- periods of the recurring reminders -----------------------------------------------------------------


def half_month(today: date) -> tuple[str, date, date]:
    """The deputy's twice-a-month check (seed 001): from the 1st it covers the previous month's 15th to its
    end, from the 15th the 1st to the 14th. Returns (period label, first day, last day)."""
    if today.day >= 15:
        return f"{today:%Y-%m}b", today.replace(day=1), today.replace(day=14)
    last = today.replace(day=1) - timedelta(days=1)
    return f"{today:%Y-%m}a", last.replace(day=15), last


def iso_week(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}W{week:02d}"


def week_covered(today: date) -> date:
    """The Monday of the week a weekly summary sent today is about: this week from Friday on, else the last."""
    monday = today - timedelta(days=today.weekday())
    return monday if today.weekday() >= 4 else monday - timedelta(days=7)


# --- who gets what, and when ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KindSpec:
    kind: str
    roles: frozenset[Role]
    hour: int | None = None
    weekday: int | None = None


#: The reminder kinds a user can switch on and off (reminder_settings.kind), with default hour and weekday.
KINDS: dict[str, KindSpec] = {spec.kind: spec for spec in (
    KindSpec("lessons", frozenset({Role.TEACHER, Role.CLASS_TEACHER, Role.ADMIN}), hour=18),
    KindSpec("class_daily", frozenset({Role.CLASS_TEACHER}), hour=19),
    KindSpec("class_weekly", frozenset({Role.CLASS_TEACHER}), hour=19),
    KindSpec("deadlines", frozenset({Role.TEACHER, Role.CLASS_TEACHER, Role.ADMIN}), hour=9),
    KindSpec("data_check", frozenset({Role.CLASS_TEACHER}), hour=10),
    KindSpec("head_summary", frozenset({Role.ADMIN}), hour=9),
    KindSpec("course", frozenset({Role.TEACHER, Role.CLASS_TEACHER, Role.ADMIN}), hour=16),
    KindSpec("parent_weekly", frozenset({Role.PARENT}), hour=18, weekday=5),
    KindSpec("parent_alerts", frozenset({Role.PARENT})),
)}


@dataclass(frozen=True)
class Pref:
    """A user's choice for one kind (None: the kind's default)."""

    enabled: bool = True
    hour: int | None = None
    weekday: int | None = None


@dataclass(frozen=True)
class EffectivePref:
    kind: str
    enabled: bool
    hour: int | None
    weekday: int | None


def effective(kind: str, pref: Pref | None = None, default_weekday: int | None = None) -> EffectivePref:
    """The user's choice, else the kind's default (`default_weekday` overrides the kind's default day, e.g.
    the parents' weekly summary day of their school, see `summary_weekday`)."""
    spec = KINDS[kind]
    pref = pref or Pref()
    weekday = spec.weekday if default_weekday is None or spec.weekday is None else default_weekday
    return EffectivePref(kind, pref.enabled, spec.hour if pref.hour is None or spec.hour is None else pref.hour,
                         weekday if pref.weekday is None or spec.weekday is None else pref.weekday)


def summary_weekday(school_id: int) -> int:
    """The default day of a school's weekly summaries to parents: spread over the seven days by school id, so
    a country's millions of summaries take a seventh of Telegram's daily budget each day, not one Saturday.
    (Our assumption, configurable by each parent in /reminders.) `week_covered` picks the week reported."""
    return school_id % 7


def is_due(kind: str, pref: Pref | None, local: datetime, default_weekday: int | None = None) -> bool:
    """The kind is switched on and its school-local hour (and weekday) has come today."""
    p = effective(kind, pref, default_weekday)
    if not p.enabled:
        return False
    if p.hour is not None and local.hour < p.hour:
        return False
    return p.weekday is None or local.weekday() == p.weekday


def kinds_for(roles: Iterable[Role]) -> list[str]:
    held = set(roles)
    return [kind for kind, spec in KINDS.items() if spec.roles & held]


@dataclass
class PlannedMessage:
    """An outbox row to create: the key makes it once-only.

    A bundle (`parts` not empty) is one message about several items, each once-only by its own key: the parts
    are stored as markers first, and the bundle carries only the parts that were new.
    """

    kind: str
    user_id: int
    period: str
    payload: dict = field(default_factory=dict)
    not_before: datetime | None = None
    parts: list[PlannedMessage] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.user_id}:{self.period}"
