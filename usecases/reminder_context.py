"""Planning context: one chunk of schools of one time zone at one moment, with lazily loaded shared data
(staff, classes, subject teachers), the users' settings and the outbox keys already planned."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from domain.grading import allowed_grades
from domain.reminders import (
    KINDS,
    PlannedMessage,
    Pref,
    QuietWindow,
    SchoolCalendar,
    effective,
    is_due,
)
from storage.repositories import reminders as repo
from storage.repositories.reminders import ClassInfo, SchoolInfo, StaffUser

log = logging.getLogger(__name__)

#: Parents' instant notices: marks changed since the previous pass (less this overlap, for commits that
#: landed late), or within ALERT_LOOKBACK after a restart. A longer outage loses notices, never repeats one.
ALERT_LOOKBACK = timedelta(hours=2)
ALERT_OVERLAP = timedelta(minutes=10)
ALERT_LESSON_DAYS = 3
#: Finished outbox rows are kept this long, then purged.
OUTBOX_RETENTION = timedelta(days=30)
MAX_LISTED = 12


def quiet_window(settings) -> QuietWindow:
    return QuietWindow(settings.quiet_start_hour, settings.quiet_end_hour)


@dataclass
class PlanContext:
    """One chunk of schools of one time zone at one moment, with lazily loaded shared data."""

    session: AsyncSession
    now: datetime
    local: datetime
    schools: dict[int, SchoolInfo]
    calendars: dict[int, SchoolCalendar]
    lead_days: tuple[int, ...]
    quiet: QuietWindow
    alerts_since: datetime | None = None
    #: The school-local hour at which the running step last ran today in this process (None: not yet, so
    #: everyone due is considered; else only those whose hour came since, the others were seen before).
    since_hour: int | None = None
    #: Answers of `hour_chosen_between` shared by the chunks of one pass (the same for all of them).
    hours_chosen: dict[tuple, bool] = field(default_factory=dict)
    _staff: dict[int, StaffUser] | None = None
    _classes: dict[int, ClassInfo] | None = None
    _teachers: dict[tuple[int, int], set[int]] | None = None
    _unmarked: dict[tuple[int, date], frozenset[int]] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.local.date()

    @cached_property
    def tz(self) -> str:
        return next(iter(self.schools.values())).timezone

    def open_schools(self, day: date | None = None) -> list[int]:
        """Schools for which `day` (default today) is a school day."""
        day = day or self.today
        return [sid for sid, cal in self.calendars.items() if cal.is_school_day(day)]

    async def staff(self) -> dict[int, StaffUser]:
        if self._staff is None:
            self._staff = await repo.staff_users(self.session, list(self.schools))
        return self._staff

    async def classes(self) -> dict[int, ClassInfo]:
        if self._classes is None:
            self._classes = await repo.classes_of(self.session, list(self.schools))
        return self._classes

    async def teachers(self) -> dict[tuple[int, int], set[int]]:
        if self._teachers is None:
            self._teachers = await repo.subject_teachers(self.session, list(self.schools))
        return self._teachers

    async def may_be_due(self, *kinds: str) -> bool:
        """A cheap gate before a step's queries: can anyone's hour for these kinds have come since the step
        last ran? (The default hour, or an hour some user chose.)"""
        if self.since_hour is None:
            return True
        if any(KINDS[k].hour is None or self.since_hour < KINDS[k].hour <= self.local.hour for k in kinds):
            return True
        key = (kinds, self.since_hour, self.local.hour)
        if key not in self.hours_chosen:
            self.hours_chosen[key] = await repo.hour_chosen_between(self.session, list(kinds), self.since_hour,
                                                                    self.local.hour)
        return self.hours_chosen[key]

    async def unmarked_grades(self, school_id: int, day: date) -> frozenset[int]:
        """The grade levels of the chunk's classes that get no marks at this school on `day`
        (domain.reminders.class_gets_marks, worked out once per school and day)."""
        key = (school_id, day)
        if key not in self._unmarked:
            levels = {c.grade for c in (await self.classes()).values()}
            country, half_ends = self.schools[school_id].country, self.calendars[school_id].first_half_ends(day)
            self._unmarked[key] = frozenset(g for g in levels if not gets_marks(country, g, day, half_ends))
        return self._unmarked[key]

    async def due(self, kind: str, user_ids: Iterable[int], weekdays: Mapping[int, int] | None = None) -> set[int]:
        """The users for whom `kind` is switched on and its hour (and weekday: `weekdays` gives each user's
        default day, else the kind's) has come since the step last ran (a user whose hour had come before was
        considered then; the outbox key guards repeats anyway)."""
        users = set(user_ids)
        if not users:
            return set()
        prefs = await repo.prefs_for(self.session, list(users), [kind])
        days = weekdays or {}
        defaults: dict[int | None, bool] = {}  # a default weekday -> the verdict for users without a setting
        due = set()
        for user_id in users:
            pref = prefs.get((user_id, kind))
            if pref is None:
                day = days.get(user_id)
                if day not in defaults:
                    defaults[day] = self._due_now(kind, None, day)
                if defaults[day]:
                    due.add(user_id)
            elif self._due_now(kind, pref, days.get(user_id)):
                due.add(user_id)
        return due

    def _due_now(self, kind: str, pref: Pref | None, weekday: int | None) -> bool:
        if not is_due(kind, pref, self.local, weekday):
            return False
        hour = effective(kind, pref).hour
        return self.since_hour is None or hour is None or hour > self.since_hour

    async def unplanned(self, messages: list[PlannedMessage]) -> list[PlannedMessage]:
        """Drop messages whose key exists (cheap pre-check before an expensive computation)."""
        if not messages:
            return []
        existing = await repo.planned_keys(self.session, [m.key for m in messages])
        return [m for m in messages if m.key not in existing]

    def message(self, kind: str, user_id: int, period: str, **payload) -> PlannedMessage:
        return PlannedMessage(kind, user_id, period, {"tz": self.tz, **payload})


Step = Callable[[PlanContext], Awaitable[list[PlannedMessage]]]


@lru_cache(maxsize=4096)
def gets_marks(country: str, grade_level: int, day: date, first_half_ends: date | None) -> bool:
    """domain.reminders.class_gets_marks, given the calendar's first half-year end (the same for a whole
    country's schools, hence the cache)."""
    return bool(allowed_grades(country, grade_level, day, first_half_ends))

