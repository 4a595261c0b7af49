"""Planning step for heads and deputies: the school's journal filling over the last half-month, counted by
the database (one grouped query for the chunk's schools that share a calendar, not one per day)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.reminders import PlannedMessage, half_month
from storage.repositories import reminder_counts as counts
from usecases.reminder_context import PlanContext

#: The teachers named in the summary: those with the most unfilled lessons.
WORST_LISTED = 5

#: A school's days to count: (day index from the span's start, day, grade levels given no marks that day).
MarkingDays = tuple[tuple[int, date, frozenset[int]], ...]


@dataclass
class SchoolFilling:
    """A school's timetabled lessons over the span, the unfilled ones, and per teacher (0: none) the number
    unfilled and the place of their first gap (for a stable order among equals)."""

    expected: int = 0
    unfilled: int = 0
    no_attendance: int = 0
    no_grades: int = 0
    teachers: dict[int, list[int]] = field(default_factory=dict)  # teacher -> [unfilled, first gap]

    def add(self, row: counts.TeacherFilling) -> None:
        self.expected += row.expected
        self.unfilled += row.unfilled
        self.no_attendance += row.no_attendance
        self.no_grades += row.no_grades
        if row.unfilled:
            seen = self.teachers.setdefault(row.teacher_id, [0, row.first_gap])
            seen[0] += row.unfilled
            seen[1] = min(seen[1], row.first_gap)

    def worst(self) -> list[list[int]]:
        """The teachers with the most unfilled lessons; among equals, the one whose first gap came first."""
        ranked = sorted(self.teachers.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
        return [[teacher, unfilled] for teacher, (unfilled, _first) in ranked[:WORST_LISTED]]


async def plan_head_summary(ctx: PlanContext) -> list[PlannedMessage]:
    """Heads and deputies: the school's journal filling over the last half-month (seed 001: checked twice a
    month), on the first school day from the 1st and from the 15th."""
    open_ids = ctx.open_schools()
    if not open_ids or not await ctx.may_be_due("head_summary"):
        return []
    admins = [s for s in (await ctx.staff()).values() if s.position in ("head", "deputy") and s.school_id in open_ids]
    due = await ctx.due("head_summary", (s.user_id for s in admins))
    label, start, end = half_month(ctx.today)
    wanted = await ctx.unplanned([ctx.message("head_summary", s.user_id, f"{s.school_id}:{label}", school=s.school_id,
                                              start=start.isoformat(), end=end.isoformat())
                                  for s in admins if s.user_id in due])
    if not wanted:
        return []
    filling = await half_month_filling(ctx, sorted({m.payload["school"] for m in wanted}), start, end)
    # No school days in the half-month (a holiday): nothing to report.
    return [_with_filling(m, filling[m.payload["school"]]) for m in wanted
            if m.payload["school"] in filling and filling[m.payload["school"]].expected]


def _with_filling(message: PlannedMessage, school: SchoolFilling) -> PlannedMessage:
    message.payload.update(expected=school.expected, unfilled=school.unfilled, no_att=school.no_attendance,
                           no_grades=school.no_grades, worst=school.worst())
    return message


async def half_month_filling(ctx: PlanContext, schools: list[int], start: date, end: date
                             ) -> dict[int, SchoolFilling]:
    """Per school: the lessons expected from `start` to `end` on its school days, and the unfilled ones (in all,
    without attendance, without grades where the class gets marks, per teacher). Schools with the same school
    days and marking rules are counted together."""
    groups: dict[MarkingDays, list[int]] = defaultdict(list)
    for sid in schools:
        groups[await _marking_days(ctx, sid, start, end)].append(sid)
    filling: dict[int, SchoolFilling] = defaultdict(SchoolFilling)
    for marking_days, sids in groups.items():
        by_unmarked: dict[frozenset[int], dict[int, date]] = defaultdict(dict)
        for index, day, unmarked in marking_days:
            by_unmarked[unmarked][index] = day
        for unmarked, days in by_unmarked.items():
            for row in await counts.filling_by_teacher(ctx.session, sids, days, unmarked):
                filling[row.school_id].add(row)
            await asyncio.sleep(0)
    return filling


async def _marking_days(ctx: PlanContext, school_id: int, start: date, end: date) -> MarkingDays:
    calendar = ctx.calendars[school_id]
    days = []
    for index in range((end - start).days + 1):
        day = start + timedelta(days=index)
        if calendar.is_school_day(day):
            days.append((index, day, await ctx.unmarked_grades(school_id, day)))
    return tuple(days)
