"""School-local dates: a school's "today" is in its own time zone (Asia/Tashkent, Asia/Bishkek, ...)."""

from __future__ import annotations

from datetime import date, datetime

from domain.countries import local_day
from usecases.clock import SYSTEM_CLOCK


def school_today(timezone: str | None, now: datetime | None = None) -> date:
    """The school's day at `now` (a handler's `clock.now()`; without it, the system clock's)."""
    return local_day(timezone, now or SYSTEM_CLOCK.now())
