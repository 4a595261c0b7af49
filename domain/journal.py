"""Journal rules (seed 001, DOMAIN.md): grade scales per country, classes without marks, attendance,
week and term summaries. Pure functions over plain values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import mean

from domain.grading import is_low_mark, is_percent_kind, summative_percent

ATTENDANCE_CYCLE = ("present", "absent", "excused", "late")
#: The fewest grades in a term for a fair term grade where a subject's weekly hours are unknown; with them,
#: `rules_for(country).min_marks(weekly_hours)` (seed 001: 3–4 for a 2-hours-a-week subject).
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


def low_grade(country: str, grade: int, kind: str = "regular") -> bool:
    """A mark worth an instant notice to the parent (domain.grading.is_low_mark: per country and kind)."""
    return is_low_mark(country, kind, grade)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class MarkRow:
    day: date
    subject: str
    grade: int | None
    attendance: str
    kind: str = "regular"
    #: A summative scored as points over a maximum (then `grade` is its per cent).
    points: int | None = None
    max_points: int | None = None

    def is_score(self, country: str | None = None) -> bool:
        """A per cent (points over a maximum), never averaged with marks: a row with a maximum, or a
        summative of a country that scores summatives so (Kazakhstan's СОР/СОЧ)."""
        return self.max_points is not None or (country is not None and is_percent_kind(country, self.kind))


@dataclass(frozen=True)
class WeekSummary:
    days: dict[date, list[MarkRow]]
    #: Means of the lesson marks per subject and overall (per cents never in them).
    averages: dict[str, float]
    overall: float | None
    absences: int
    late: int
    #: Summative per cents per subject and overall: total points over total maximum.
    percents: dict[str, float] = field(default_factory=dict)
    overall_percent: float | None = None


def summarize_week(rows: list[MarkRow], country: str | None = None) -> WeekSummary:
    """Marks and per cents apart: a week with 8, 9 and a СОР of 85 % averages 8.5, with 85 % beside it."""
    days: dict[date, list[MarkRow]] = defaultdict(list)
    grades: dict[str, list[int]] = defaultdict(list)
    scores: dict[str, list[MarkRow]] = defaultdict(list)
    absences = late = 0
    for row in sorted(rows, key=lambda r: (r.day, r.subject)):
        days[row.day].append(row)
        if row.grade is not None:
            if row.is_score(country):
                scores[row.subject].append(row)
            else:
                grades[row.subject].append(row.grade)
        if row.attendance in ("absent", "excused"):
            absences += 1
        elif row.attendance == "late":
            late += 1
    averages = {subject: round_half_up(mean(values)) for subject, values in sorted(grades.items())}
    all_grades = [g for values in grades.values() for g in values]
    overall = round_half_up(mean(all_grades)) if all_grades else None
    percents = {subject: summative_percent(_scored(items)) for subject, items in sorted(scores.items())}
    all_scores = [row for items in scores.values() for row in items]
    return WeekSummary(days=dict(days), averages=averages, overall=overall, absences=absences, late=late,
                       percents=percents,  # type: ignore[arg-type]
                       overall_percent=summative_percent(_scored(all_scores)) if all_scores else None)


def _scored(rows: list[MarkRow]) -> list[tuple]:
    return [(row.grade, row.kind, row.points, row.max_points) for row in rows]


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


def too_few_grades(counts: dict[tuple[int, str], int], student_ids: list[int], subjects: list[str],
                   minimum: int | Mapping[str, int] = MIN_TERM_GRADES) -> dict[str, list[int]]:
    """Per subject, the students with fewer grades this term than `minimum` (one number, or one per subject:
    `rules_for(country).min_marks(weekly_hours)`)."""
    result: dict[str, list[int]] = {}
    for subject in subjects:
        need = minimum.get(subject, MIN_TERM_GRADES) if isinstance(minimum, Mapping) else minimum
        few = [sid for sid in student_ids if counts.get((sid, subject), 0) < need]
        if few:
            result[subject] = few
    return result
