"""The term sheet ("vedomost", seed 001): a class's term marks by subject, with the half-year and year marks
seed 001 asks for, computed by the rule in `domain/countries.py` (the rounded, half up, mean of the half's or
the year's term marks: `domain.grading.half_year_grade`, `year_grade`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.grading import half_year_grade, year_grade
from domain.shares import Share


@dataclass(frozen=True)
class YearMarks:
    """A pupil's half-year and year marks in a subject; None until every term they cover has its mark."""

    first_half: int | None
    second_half: int | None
    year: int | None


def year_marks(by_term: dict[int, int], first_half_terms: set[int], year_terms: set[int]) -> YearMarks:
    """From the term marks of one school year ({term number: mark}) and which terms make the first half."""

    def of(terms: set[int], rule) -> int | None:
        if not terms or not terms <= by_term.keys():
            return None
        return rule(by_term[n] for n in sorted(terms))

    return YearMarks(first_half=of(first_half_terms, half_year_grade),
                     second_half=of(year_terms - first_half_terms, half_year_grade),
                     year=of(year_terms, year_grade))

@dataclass(frozen=True)
class TermSheet:
    students: list[tuple[int, str]]
    subjects: list[tuple[int, str]]
    grades: dict[tuple[int, int], int]  # (student id, subject id) -> term grade
    #: (student id, subject id) -> {term number: mark} over the term's school year
    year_grades: dict[tuple[int, int], dict[int, int]] = field(default_factory=dict)
    first_half_terms: frozenset[int] = frozenset()
    year_terms: frozenset[int] = frozenset()

    def grade(self, student_id: int, subject_id: int) -> int | None:
        return self.grades.get((student_id, subject_id))

    def student_mean(self, student_id: int) -> float | None:
        values = [g for (s, _subj), g in self.grades.items() if s == student_id]
        return round(sum(values) / len(values), 2) if values else None

    def subject_stats(self, subject_id: int) -> SubjectStats:
        values = [self.grades[(s, subject_id)] for s, _n in self.students if (s, subject_id) in self.grades]
        return SubjectStats.of(values, len(self.students))

    def year_marks(self, student_id: int, subject_id: int) -> YearMarks:
        return year_marks(self.year_grades.get((student_id, subject_id), {}), set(self.first_half_terms),
                          set(self.year_terms))

    @property
    def missing(self) -> int:
        return len(self.students) * len(self.subjects) - sum(
            1 for s, _n in self.students for subj, _m in self.subjects if (s, subj) in self.grades)

    @property
    def overall(self) -> SubjectStats:
        students = {s for s, _n in self.students}
        return SubjectStats.of([g for (s, _subj), g in self.grades.items() if s in students],
                               len(self.students) * len(self.subjects))


@dataclass(frozen=True)
class SubjectStats:
    """Mean grade; success: grades above 2; quality: grades 4 and 5 (the usual school sheet figures)."""

    graded: Share  # grades given of those expected
    mean: float | None
    success: Share
    quality: Share

    @classmethod
    def of(cls, values: list[int], expected: int) -> SubjectStats:
        n = len(values)
        return cls(graded=Share(n, expected), mean=round(sum(values) / n, 2) if n else None,
                   success=Share(sum(1 for v in values if v > 2), n),
                   quality=Share(sum(1 for v in values if v >= 4), n))
