"""Enough marks for a fair term mark (seed 001: "at least 3–4 marks in the quarter for a subject of 2 hours
a week"): the minimum depends on the subject's lessons a week, read from `rules_for(country).min_marks`.

Counted per pupil and subject of the class's timetable (weekly hours = the class-subject's slots a week),
for classes that get marks; a pupil with fewer everyday and summative marks in the term than the minimum is
"short". Mid-term the figure is how far the term has got, not a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from domain.shares import Share


@dataclass(frozen=True)
class FairMarks:
    total: Share  # pupil-subject pairs with enough marks, of all pairs
    by_class: dict[int, Share] = field(default_factory=dict)
    minimum_by_hours: dict[int, int] = field(default_factory=dict)  # the minima that were applied


def fair_marks(students: Mapping[int, Iterable[int]], weekly_hours: Mapping[tuple[int, int], int],
               marks: Mapping[tuple[int, int], int], min_marks: Callable[[int], int]) -> FairMarks:
    """`students`: class id -> its pupils' ids (classes that get marks only); `weekly_hours`: (class id,
    subject id) -> lessons a week; `marks`: (student id, subject id) -> marks this term."""
    done = total = 0
    by_class: dict[int, Share] = {}
    minima: dict[int, int] = {}
    for (class_id, subject_id), hours in sorted(weekly_hours.items()):
        pupils = list(students.get(class_id, ()))
        if not pupils or hours <= 0:
            continue
        need = minima.setdefault(hours, min_marks(hours))
        enough = sum(1 for s in pupils if marks.get((s, subject_id), 0) >= need)
        before = by_class.get(class_id, Share(0, 0))
        by_class[class_id] = Share(before.done + enough, before.total + len(pupils))
        done += enough
        total += len(pupils)
    return FairMarks(Share(done, total), by_class, dict(sorted(minima.items())))
