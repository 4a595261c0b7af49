"""School-local dates: a school's "today" is in its own time zone (Asia/Tashkent, Asia/Bishkek, ...)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.countries import local_day


def school_today(timezone: str | None, now: datetime | None = None) -> date:
    return local_day(timezone, now or datetime.now(UTC))
