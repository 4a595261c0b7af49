"""Journal rules (seed 001, DOMAIN.md): grade scales per country, classes without marks, attendance,
week and term summaries. Pure functions over plain values."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean

ATTENDANCE_CYCLE = ("present", "absent", "excused", "late")
#: The fewest grades in a term for a fair term grade (seed 001: 3–4 for a 2-hours-a-week subject).
MIN_TERM_GRADES = 3


def round_half_up(value: float, digits: int = 1) -> float:
    """As schools round (4.25 -> 4.3), not as binary floats and banker's rounding do (round(4.25, 1) == 4.2)."""
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def next_attendance(current: str) -> str:
    """A tap moves present → absent → absent with a reason → late → present."""
    try:
        return ATTENDANCE_CYCLE[(ATTENDANCE_CYCLE.index(current) + 1) % len(ATTENDANCE_CYCLE)]
    except ValueError:
        return ATTENDANCE_CYCLE[0]


def low_grade(country: str, grade: int) -> bool:
    """A mark worth an instant notice to the parent."""
    return grade <= (4 if country == "KZ" else 2)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class MarkRow:
    day: date
    subject: str
    grade: int | None
    attendance: str
    kind: str = "regular"


@dataclass(frozen=True)
class WeekSummary:
    days: dict[date, list[MarkRow]]
    averages: dict[str, float]
    overall: float | None
    absences: int
    late: int


def summarize_week(rows: list[MarkRow]) -> WeekSummary:
    days: dict[date, list[MarkRow]] = defaultdict(list)
    grades: dict[str, list[int]] = defaultdict(list)
    absences = late = 0
    for row in sorted(rows, key=lambda r: (r.day, r.subject)):
        days[row.day].append(row)
        if row.grade is not None:
            grades[row.subject].append(row.grade)
        if row.attendance in ("absent", "excused"):
            absences += 1
        elif row.attendance == "late":
            late += 1
    averages = {subject: round_half_up(mean(values)) for subject, values in sorted(grades.items())}
    all_grades = [g for values in grades.values() for g in values]
    overall = round_half_up(mean(all_grades)) if all_grades else None
    return WeekSummary(days=dict(days), averages=averages, overall=overall, absences=absences, late=late)


@dataclass(frozen=True)
class AttendanceSummary:
    lessons: int
    absent_excused: int
    absent_unexcused: int
    late: int

    @property
    def missed(self) -> int:
        return self.absent_excused + self.absent_unexcused


def summarize_attendance(values: list[str]) -> AttendanceSummary:
    return AttendanceSummary(lessons=len(values), absent_excused=values.count("excused"),
                             absent_unexcused=values.count("absent"), late=values.count("late"))


def too_few_grades(counts: dict[tuple[int, str], int], student_ids: list[int], subjects: list[str]
                   ) -> dict[str, list[int]]:
    """Per subject, the students with fewer than MIN_TERM_GRADES grades this term."""
    result: dict[str, list[int]] = {}
    for subject in subjects:
        few = [sid for sid in student_ids if counts.get((sid, subject), 0) < MIN_TERM_GRADES]
        if few:
            result[subject] = few
    return result
