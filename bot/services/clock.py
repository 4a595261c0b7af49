"""School-local dates: a school's "today" is in its own time zone (Asia/Tashkent, Asia/Bishkek, ...)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def school_today(timezone: str | None, now: datetime | None = None) -> date:
    now = now or datetime.now(UTC)
    return now.astimezone(ZoneInfo(timezone or "Asia/Tashkent")).date()
